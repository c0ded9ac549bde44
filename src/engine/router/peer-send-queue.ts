// One connected peer's outbound queue: a bounded FIFO per channel (never reordered) and a scheduler
// across channels. The scheduler sends next from the non-empty channel with the least recently-sent
// bytes relative to its priority — MConnection's rule, simple and proven — so a saturated bulk channel
// cannot starve a small high-priority one, and no channel is starved either. Recently-sent counters
// decay by volume (every DECAY_INTERVAL_BYTES sent) rather than by a timer, so the queue needs no clock.
// When the wire has its own scheduler (MConnection), the router uses nextReady() instead: each channel
// is moved down in order while the wire has room for it, and priority is decided only at the wire.

import { BoundedQueue } from '../../core/bounded-queue.ts';
import type { PeerwireError } from '../../core/errors.ts';
import { toQueuePolicy, type ResolvedChannelOptions } from './channel.ts';

/** After this many bytes sent, every channel's recently-sent figure is multiplied by DECAY_FACTOR. */
const DECAY_INTERVAL_BYTES = 256 * 1024;
/** MConnection decays recently-sent by 0.8 per step; the same weight keeps its fairness behaviour. */
const DECAY_FACTOR = 0.8;
/**
 * Bytes a peer may have queued on one channel. Bounds memory per slow peer (a single larger message is
 * still accepted into an empty queue, so the channel's largest message always fits).
 */
export const SEND_QUEUE_BYTES_PER_CHANNEL = 4 * 1024 * 1024;

interface ChannelSlot {
  readonly channelId: number;
  readonly priority: number;
  readonly queue: BoundedQueue<Uint8Array>;
  recentlySent: number;
}

export interface QueuedMessage {
  readonly channelId: number;
  readonly bytes: Uint8Array;
}

export class PeerSendQueue {
  private readonly slots: ChannelSlot[] = [];
  private readonly byChannel = new Map<number, ChannelSlot>();
  private sentSinceDecay = 0;
  private offerWait: { promise: Promise<void>; resolve: () => void } | undefined;
  private closedReason: PeerwireError | undefined;
  private readonly onDrop: (channelId: number) => void;

  constructor(onDrop: (channelId: number) => void) {
    this.onDrop = onDrop;
  }

  /** Adds a channel (channels opened while the peer is connected are added lazily). */
  private slotFor(channelId: number, options: ResolvedChannelOptions): ChannelSlot {
    let slot = this.byChannel.get(channelId);
    if (slot === undefined) {
      slot = {
        channelId,
        priority: Math.max(1, options.priority),
        recentlySent: 0,
        queue: new BoundedQueue<Uint8Array>({
          name: `peer send channel ${channelId}`,
          capacity: options.sendQueueCapacity,
          maxBytes: SEND_QUEUE_BYTES_PER_CHANNEL,
          sizeOf: (bytes) => bytes.length,
          policy: toQueuePolicy(options.overflow),
          onDrop: () => this.onDrop(channelId),
        }),
      };
      this.slots.push(slot);
      this.byChannel.set(channelId, slot);
    }
    return slot;
  }

  /**
   * Queues a message without waiting. Returns `full` when the channel's policy is `block` and there is
   * no room; throws ERR_QUEUE_FULL under `disconnect`, ERR_CLOSED once closed.
   */
  offer(
    channelId: number,
    options: ResolvedChannelOptions,
    bytes: Uint8Array,
  ): 'accepted' | 'dropped' | 'full' {
    if (this.closedReason !== undefined) throw this.closedReason;
    const result = this.slotFor(channelId, options).queue.offer(bytes);
    if (result === 'accepted') this.wakeWaiters();
    return result;
  }

  /** Waits until the channel's queue has room for `size` more bytes (or the queue closes). */
  waitForSpace(
    channelId: number,
    options: ResolvedChannelOptions,
    signal: AbortSignal,
    size = 0,
  ): Promise<void> {
    return this.slotFor(channelId, options).queue.waitForSpace(signal, size);
  }

  /** The next message by the least recently-sent/priority rule, or undefined when all are empty. */
  next(): QueuedMessage | undefined {
    let best: ChannelSlot | undefined;
    let bestRatio = Number.POSITIVE_INFINITY;
    for (const slot of this.slots) {
      if (slot.queue.length === 0) continue;
      const ratio = slot.recentlySent / slot.priority;
      if (ratio < bestRatio) {
        best = slot;
        bestRatio = ratio;
      }
    }
    if (best === undefined) return undefined;
    const bytes = best.queue.shift()!;
    best.recentlySent += bytes.length;
    this.sentSinceDecay += bytes.length;
    if (this.sentSinceDecay >= DECAY_INTERVAL_BYTES) {
      this.sentSinceDecay = 0;
      for (const slot of this.slots) slot.recentlySent *= DECAY_FACTOR;
    }
    return { channelId: best.channelId, bytes };
  }

  /**
   * For a wire that orders channels itself: the oldest message of the first channel the wire has room
   * for, in channel-opening order. No priority is decided here; each channel stays FIFO.
   */
  nextReady(hasRoom: (channelId: number) => boolean): QueuedMessage | undefined {
    for (const slot of this.slots) {
      if (slot.queue.length === 0 || !hasRoom(slot.channelId)) continue;
      return { channelId: slot.channelId, bytes: slot.queue.shift()! };
    }
    return undefined;
  }

  /**
   * Resolves at the next offer(), wake() or close(), whatever is queued now (at once once closed). One
   * shared promise per wait and no abort listener: the send loop waits here after every message on a
   * quiet link, and a listener and two closures per wait were a tenth of the young-generation garbage
   * of a routed round trip (BENCHMARKS.md); its owner wakes it when it stops.
   */
  nextOffer(): Promise<void> {
    if (this.closedReason !== undefined) return Promise.resolve();
    if (this.offerWait === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.offerWait = { promise, resolve };
    }
    return this.offerWait.promise;
  }

  /** Wakes the send loop without a message (it re-checks its peer's state). */
  wake(): void {
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const offerWait = this.offerWait;
    this.offerWait = undefined;
    offerWait?.resolve();
  }

  get queuedMessages(): number {
    let total = 0;
    for (const slot of this.slots) total += slot.queue.length;
    return total;
  }

  get queuedBytes(): number {
    let total = 0;
    for (const slot of this.slots) total += slot.queue.bytes;
    return total;
  }

  /** Closes every channel queue, failing waiting senders; queued messages are discarded. */
  close(reason: PeerwireError): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const slot of this.slots) slot.queue.close(reason, true);
    this.wakeWaiters();
  }
}
