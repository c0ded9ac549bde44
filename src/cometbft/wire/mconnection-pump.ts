// The send side and the clock of an open CometBFT connection: the thin I/O shell that drives one
// MConnectionCore over one SecretSession and one ByteLink. send() enqueues into the core and schedules
// ONE flush per turn, run once the turn's promise jobs are done (scheduleFlush); the flush polls
// packets into a shared scratch buffer, seals them into one buffer and writes it once, repeating only
// while the link is below its high-water mark, so an idle link sends a message at once (no latency
// floor) and a loaded one batches. A message whose channel queue is full waits in a small per-channel
// overflow (FIFO per channel) and send() returns false; drained() resolves once the overflow and the
// core are empty and the link is below its mark. One real timer, armed at core.nextTimerAt(), drives
// pings, the pong deadline and send-rate waits.

import type { Clock, Timer } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { DrainWaiters, RESOLVED } from './drain-waiters.ts';
import type { MConnectionCore } from './mconnection/mconnection-core.ts';
import { MConnErrorCode } from './mconnection/mconn-errors.ts';
import { FrameSealer } from './secret-connection/frame-sealer.ts';
import type { SecretSession } from './secret-connection/session.ts';
import { SealedBatchPool } from './sealed-batch-pool.ts';

/**
 * Packet bytes sealed per write: 64 KiB = 63 frames, so the per-write cost vanishes while a batch stays
 * far below any link's high-water mark. The scratch buffer is shared by every connection: a flush is
 * synchronous and never nests.
 */
export const FLUSH_BATCH_BYTES = 64 * 1024;
/**
 * The pump writes only while the link buffers fewer bytes than this: one batch. Everything behind it
 * waits in the channel queues, where the scheduler still decides the order; a priority message then
 * waits behind at most one batch in userland (plus what the pacer lets into the kernel), not behind
 * the link's 1 MiB high-water mark. One batch keeps the socket busy: the next is sealed while the
 * kernel sends the last (measured in BENCHMARKS.md, "one scheduler per connection").
 */
export const LINK_LOW_WATER_BYTES = FLUSH_BATCH_BYTES;
/**
 * Messages held back (all channels together) because their channel's MConnection queue was full. A
 * caller that waits for drained() after a false send() holds a handful; past this it ignores backpressure.
 */
export const MAX_OVERFLOW_MESSAGES = 1024;

let flushScratch = new Uint8Array(FLUSH_BATCH_BYTES);
/** Buffers the sealed batches are written from, handed back by the link (sealed-batch-pool.ts). */
const sealedBatches = new SealedBatchPool(FLUSH_BATCH_BYTES);
/** The one-element chunk list handed to seal(), reused. */
const sealArgs: Uint8Array[] = [flushScratch];

export class MConnectionPump {
  private readonly core: MConnectionCore;
  private readonly session: SecretSession;
  private readonly link: ByteLink;
  private readonly clock: Clock;
  private readonly hwm: number;
  private readonly lowWater: number;
  private readonly onFailure: (error: PeerwireError) => void;
  private stopped = false;
  private flushScheduled = false;
  private waitingForLink = false;
  private overflow: Map<number, Uint8Array[]> | undefined;
  private overflowCount = 0;
  private readonly waiters = new DrainWaiters();
  /** The router's wait for room on a channel queue: one shared promise, settled by the next write. */
  private roomWait: { promise: Promise<void>; resolve: () => void } | undefined;
  private timer: Timer | undefined;
  private timerAt = 0;
  // Bound once, so the data path creates no closures.
  private readonly flushNow = (): void => this.flush();
  private readonly flushAtTick = (): void => {
    process.nextTick(this.flushNow);
  };
  private readonly onLinkDrained = (): void => {
    // A link that only knows its high-water mark resolves at once: retry on the next turn of the event
    // loop, never in a microtask loop that would starve I/O.
    if (!this.stopped && this.link.bufferedBytes >= this.lowWater && this.link.bufferedBytes < this.hwm) {
      setImmediate(this.onLinkRetry);
      return;
    }
    this.waitingForLink = false;
    this.flush();
  };
  private readonly onLinkRetry = (): void => {
    this.waitingForLink = false;
    this.flush();
  };
  private readonly onTimerFired = (): void => this.onTimer();

  constructor(
    core: MConnectionCore,
    session: SecretSession,
    link: ByteLink,
    clock: Clock,
    onFailure: (error: PeerwireError) => void,
  ) {
    this.core = core;
    this.session = session;
    this.link = link;
    this.clock = clock;
    this.hwm = link.writeHighWaterMark;
    this.lowWater = Math.min(LINK_LOW_WATER_BYTES, this.hwm);
    this.onFailure = onFailure;
    this.armTimer();
  }

  /** True while send() would return true: nothing held back and the link below its mark. */
  get writable(): boolean {
    return this.overflowCount === 0 && this.link.bufferedBytes < this.hwm;
  }

  /**
   * True when send(channelId, …) would go straight into that channel's queue (nothing held back), or
   * would fail at once because the pump stopped.
   */
  hasRoom(channelId: number): boolean {
    if (this.stopped) return true;
    if (this.overflowCount > 0 && this.overflow?.has(channelId) === true) return false;
    return this.core.hasRoom(channelId);
  }

  /** Resolves after the next write that took packets off the channel queues, or at stop(). */
  roomFreed(): Promise<void> {
    if (this.stopped) return RESOLVED;
    if (this.roomWait === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.roomWait = { promise, resolve };
    }
    return this.roomWait.promise;
  }

  /** Queues a message on one of our channels; false means "wait for drained()". */
  send(channelId: number, bytes: Uint8Array): boolean {
    const held = this.overflowCount > 0 ? this.overflow?.get(channelId) : undefined;
    if (held === undefined && this.core.enqueue(channelId, bytes)) {
      this.scheduleFlush();
      return this.overflowCount === 0 && this.link.bufferedBytes < this.hwm;
    }
    if (this.overflowCount >= MAX_OVERFLOW_MESSAGES) {
      throw new PeerwireError(
        ErrorCode.QueueFull,
        `send() called ${MAX_OVERFLOW_MESSAGES} times past backpressure without waiting for drained()`,
        { action: 'transient' },
      );
    }
    if (held !== undefined) held.push(bytes);
    else (this.overflow ??= new Map()).set(channelId, [bytes]);
    this.overflowCount++;
    this.scheduleFlush();
    return false;
  }

  drained(signal?: AbortSignal): Promise<void> {
    if (this.stopped || this.isDrained()) return RESOLVED;
    const wait = this.waiters.wait(signal);
    if (this.link.bufferedBytes >= this.hwm) this.waitForLink();
    else this.scheduleFlush();
    return wait;
  }

  /**
   * Writes what is queued, up to `extraMarks` high-water marks beyond what the link already buffers
   * (a graceful close). Throws the sealing error, if any.
   */
  flushForClose(extraMarks: number): void {
    if (this.stopped) return;
    this.writePending(this.link.bufferedBytes + extraMarks * this.hwm);
  }

  /** Stops timers, drops queued messages and wakes drained() waiters. Idempotent. */
  stop(reason: PeerwireError | undefined): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.core.close(reason);
    this.overflow = undefined;
    this.overflowCount = 0;
    this.waiters.wakeAll();
    this.wakeRoomWait();
  }

  /** Schedules a flush (after received bytes left a pong owed). Cheap when one is already scheduled. */
  kick(): void {
    if (!this.stopped) this.scheduleFlush();
  }

  /**
   * One flush at the end of this turn's promise jobs: a promise job that queues a tick, and a tick queued
   * from a promise job runs only once the whole microtask queue has drained. So everything the turn
   * sends shares one sealed write: a pong owed for a received ping (kick) goes out in the same frames
   * as the reply the application sends to the message that came with it, instead of a frame of its
   * own (one AEAD call and one write fewer per request/response on each side, BENCHMARKS.md, RTT).
   * No latency is added: the link's own write leaves at that point anyway (base-link.ts). Neither hop
   * allocates more than a promise reaction and a tick (queueMicrotask made an async resource and a
   * bound function per call).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void RESOLVED.then(this.flushAtTick);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.stopped) return;
    try {
      this.writePending(this.lowWater);
      this.armTimer();
      if (this.waiters.size > 0) {
        if (this.isDrained()) this.waiters.wakeAll();
        else if (this.link.bufferedBytes >= this.hwm) this.waitForLink();
      }
    } catch (error) {
      this.onFailure(mapWireError(error));
    }
  }

  /** Each round polls one batch, seals it into one buffer and writes it once, while below `limit`. */
  private writePending(limit: number): void {
    const core = this.core;
    const link = this.link;
    for (;;) {
      if (this.overflowCount > 0) this.moveOverflow();
      const room = limit - link.bufferedBytes;
      if (room <= 0) {
        if (this.overflowCount > 0 || core.hasPendingSend()) this.waitForLink();
        return;
      }
      const min = core.maxWritePacketSize;
      if (flushScratch.length < min) flushScratch = new Uint8Array(min);
      const size = Math.min(flushScratch.length, Math.max(min, room));
      const end = core.pollInto(
        size === flushScratch.length ? flushScratch : flushScratch.subarray(0, size),
        0,
      );
      if (end === 0) return;
      sealArgs[0] = flushScratch.subarray(0, end);
      const into = sealedBatches.take(FrameSealer.sealedLength(end));
      if (into === undefined) link.write(this.session.seal(sealArgs));
      else link.write(this.session.seal(sealArgs, into), sealedBatches.release);
      if (this.roomWait !== undefined) this.wakeRoomWait();
      if (this.stopped) return;
    }
  }

  private moveOverflow(): void {
    const overflow = this.overflow!;
    for (const [channelId, held] of overflow) {
      let taken = 0;
      while (taken < held.length && this.core.enqueue(channelId, held[taken]!)) taken++;
      if (taken === 0) continue;
      this.overflowCount -= taken;
      if (taken === held.length) overflow.delete(channelId);
      else held.splice(0, taken);
    }
  }

  private wakeRoomWait(): void {
    const wait = this.roomWait;
    this.roomWait = undefined;
    wait?.resolve();
  }

  private waitForLink(): void {
    if (this.waitingForLink) return;
    this.waitingForLink = true;
    this.link.drained(undefined, this.lowWater).then(this.onLinkDrained, this.onLinkDrained);
  }

  private isDrained(): boolean {
    return (
      this.link.bufferedBytes < this.hwm &&
      this.overflowCount === 0 &&
      !this.core.hasPendingSend()
    );
  }

  /** Arms the one timer at the core's next deadline (ping, pong timeout, send-rate wait). */
  private armTimer(): void {
    if (this.stopped) return;
    const at = this.core.nextTimerAt();
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), this.onTimerFired);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      this.core.onTimer();
    } catch (error) {
      this.onFailure(mapWireError(error));
      return;
    }
    this.flush();
  }
}

/**
 * Any failure as a typed error. A message over a channel's capacity is reported with the shared
 * ERR_FRAME_TOO_LARGE, as every wire reports it (the MConnection code stays as the cause).
 */
export function mapWireError(error: unknown): PeerwireError {
  const typed = toPeerwireError(error, ErrorCode.Malformed, 'disconnect');
  if (typed.code === MConnErrorCode.MessageTooLarge) {
    return new PeerwireError(ErrorCode.FrameTooLarge, typed.message, {
      cause: typed,
      action: typed.action,
      ...(typed.details === undefined ? {} : { details: typed.details }),
    });
  }
  return typed;
}
