// The per-channel state of one MConnection (docs/protocols/cometbft.md §3.3, §3.5): a bounded send queue,
// the message being fragmented into PacketMsgs, the `recentlySent` byte count the scheduler weighs
// against the priority, and the reassembly buffer for the message arriving on the channel. An idle
// channel owns no buffers: the queue is created on first send and the reassembly buffer exists only
// while a fragmented message is in flight (CometBFT allocates 4 KiB per channel up front; with ten
// channels that alone would exceed our 16 KiB per idle connection budget).

import { BoundedQueue } from '../../../core/bounded-queue.ts';
import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import type { Labels } from '../../../core/metrics.ts';
import type { MConnChannelDescriptor } from './channel-descriptor.ts';
import { MConnErrorCode } from './mconn-errors.ts';
import {
  delimitedPacketMsgSize,
  packetMsgPacketSize,
  writePacketMsg,
  writePacketMsgHead,
  writeVarint32,
} from './packet-codec.ts';

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Metric labels by channel id, shared by every connection of the process: at most 256 frozen objects
 * (a channel id is one byte), instead of an object and a string per channel per connection.
 */
const LABELS_BY_ID: (Labels | undefined)[] = [];

function channelLabels(id: number): Labels {
  let labels = LABELS_BY_ID[id];
  if (labels === undefined) {
    labels = Object.freeze({ channel: `0x${id.toString(16).padStart(2, '0')}` });
    LABELS_BY_ID[id] = labels;
  }
  return labels;
}

export class ChannelState {
  readonly descriptor: MConnChannelDescriptor;
  readonly id: number;
  /** Data bytes per PacketMsg on this channel (see MConnectionCore for why ids >= 0x80 get one less). */
  readonly maxPayload: number;
  /** Metric labels of this channel (a bounded set: our own channel ids). */
  readonly labels: Labels;
  /** Bytes written recently, decayed by the scheduler; compared as recentlySent / priority. */
  recentlySent = 0;
  /** When this channel last wrote a packet (clock ms): whether it still shares the link (pacing). */
  lastSentAt = Number.NEGATIVE_INFINITY;
  private queue: BoundedQueue<Uint8Array> | undefined;
  private sending: Uint8Array | undefined;
  private sendOffset = 0;
  private recvBuffer: Uint8Array | undefined;
  private recvLength = 0;
  /** Size of the last fragmented message completed here: the next one's first allocation (see receive). */
  private lastFragmentedSize = 0;

  constructor(descriptor: MConnChannelDescriptor, maxPayload: number) {
    this.descriptor = descriptor;
    this.id = descriptor.id;
    this.maxPayload = maxPayload;
    this.labels = channelLabels(this.id);
  }

  /** Messages queued and not yet started (the one being fragmented is not counted). */
  get queuedMessages(): number {
    return this.queue?.length ?? 0;
  }

  /** Bytes of the partially received message held for reassembly. */
  get pendingReceiveBytes(): number {
    return this.recvLength;
  }

  /** Something is left to send on this channel. */
  hasPending(): boolean {
    return this.sending !== undefined || (this.queue !== undefined && this.queue.length > 0);
  }

  /** Queues a whole message; false when the queue is full (the caller waits with waitForSpace). */
  enqueue(message: Uint8Array): boolean {
    if (message.length > this.descriptor.recvMessageCapacity) {
      // The peer applies the same table and would disconnect us for it; fail here instead.
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `mconnection: ${message.length}-byte message exceeds channel 0x${this.id.toString(16)} capacity ${this.descriptor.recvMessageCapacity}`,
        { action: 'transient' },
      );
    }
    if (this.sending === undefined && (this.queue === undefined || this.queue.length === 0)) {
      // Nothing ahead of it: start sending right away without touching the queue.
      this.sending = message;
      this.sendOffset = 0;
      return true;
    }
    return this.getQueue().offer(message) === 'accepted';
  }

  /** True when enqueue() would take a message now. */
  hasRoom(): boolean {
    if (this.sending === undefined && (this.queue === undefined || this.queue.length === 0)) return true;
    return this.queue === undefined || !this.queue.wouldOverflow();
  }

  /** Resolves when enqueue() may succeed again (or the queue closed). */
  waitForSpace(signal?: AbortSignal): Promise<void> {
    return this.getQueue().waitForSpace(signal);
  }

  /** Size of the next length-prefixed packet this channel would write. */
  nextPacketSize(): number {
    const message = this.sending ?? this.queue?.peek() ?? EMPTY;
    const offset = this.sending === undefined ? 0 : this.sendOffset;
    const remaining = message.length - offset;
    const chunk = Math.min(remaining, this.maxPayload);
    return delimitedPacketMsgSize(this.id, chunk === remaining, chunk);
  }

  /**
   * Writes as many of the current message's next packets as fit whole before `end` (at least the next
   * one, which the caller checked fits), stopping after the message's last packet; returns the position
   * after them. The bytes are those of writeNextPacket called as often.
   *
   * Why a run: copying a packet's data out of its message needs a view of that range, ~380 bytes of
   * young-generation heap per 1 KiB packet, which on a saturated link was most of what the sending
   * process allocated (BENCHMARKS.md, "Garbage per kilobyte sent"). A run copies the data of all its
   * packets with one view, then moves each packet's data right to open the gap for its head
   * (copyWithin: within one buffer, nothing allocated), last packet first so nothing is overwritten
   * before it moved, and writes the heads into the gaps.
   */
  writePacketRun(out: Uint8Array, pos: number, end: number): number {
    const message = this.startedMessage();
    if (message === undefined) return pos;
    const id = this.id;
    const payload = this.maxPayload;
    const offset = this.sendOffset;
    const remaining = message.length - offset;
    // One packet left (every message of up to a payload, such as a vote): nothing to gather.
    if (remaining <= payload) return this.writeNextPacket(out, pos);
    // Every packet but the message's last carries a full payload, without eof: all of one size.
    const fullPackets = Math.floor((remaining - 1) / payload);
    const fullSize = delimitedPacketMsgSize(id, false, payload);
    const full = Math.min(fullPackets, Math.floor((end - pos) / fullSize));
    const lastLength = remaining - fullPackets * payload;
    const lastSize = delimitedPacketMsgSize(id, true, lastLength);
    const withLast = full === fullPackets && pos + full * fullSize + lastSize <= end;
    const count = full + (withLast ? 1 : 0);
    if (count <= 1) return this.writeNextPacket(out, pos);
    const fullHead = fullSize - payload;
    const lastHead = lastSize - lastLength;
    const dataLength = full * payload + (withLast ? lastLength : 0);
    // All the data, behind the first head; then packet j's data moves from j * payload after that to
    // its own place behind its own head.
    const dataAt = pos + fullHead;
    out.set(message.subarray(offset, offset + dataLength), dataAt);
    for (let j = count - 1; j >= 1; j--) {
      const isLast = withLast && j === count - 1;
      const from = dataAt + j * payload;
      const to = pos + j * fullSize + (isLast ? lastHead : fullHead);
      out.copyWithin(to, from, from + (isLast ? lastLength : payload));
    }
    for (let j = 0; j < count; j++) {
      const isLast = withLast && j === count - 1;
      const length = isLast ? lastLength : payload;
      const at = writeVarint32(out, pos + j * fullSize, packetMsgPacketSize(id, isLast, length));
      writePacketMsgHead(out, at, id, isLast, length);
    }
    if (withLast) {
      this.sending = undefined;
      this.sendOffset = 0;
    } else {
      this.sendOffset = offset + dataLength;
    }
    return pos + full * fullSize + (withLast ? lastSize : 0);
  }

  /** Writes the next length-prefixed PacketMsg of this channel at `pos`; returns the position after it. */
  writeNextPacket(out: Uint8Array, pos: number): number {
    const message = this.startedMessage();
    if (message === undefined) return pos;
    const remaining = message.length - this.sendOffset;
    const chunkLength = Math.min(remaining, this.maxPayload);
    const eof = chunkLength === remaining;
    const chunk = message.subarray(this.sendOffset, this.sendOffset + chunkLength);
    pos = writeVarint32(out, pos, packetMsgPacketSize(this.id, eof, chunkLength));
    pos = writePacketMsg(out, pos, this.id, eof, chunk);
    if (eof) {
      this.sending = undefined;
      this.sendOffset = 0;
    } else {
      this.sendOffset += chunkLength;
    }
    return pos;
  }

  /**
   * Adds one received fragment; returns the complete message on eof. A single-fragment message is
   * returned as the fragment itself (a view of the caller's bytes) when it fills at least 7/8 of the
   * buffer under it; otherwise, or when `transient` says those bytes are about to be reused (the
   * packet reader's shared scratch buffer), it is copied once into a buffer of its own size. Throws
   * ERR_MCONN_MESSAGE_TOO_LARGE before allocating when the message would exceed recvMessageCapacity.
   *
   * A fragmented message is appended into one buffer. Its first allocation is the larger of the
   * descriptor's recvBufferCapacity hint and the size of the previous fragmented message completed on
   * this channel (bytes the peer really sent, so steady traffic such as 64 KiB block parts takes one
   * exact allocation, no regrowth and no final copy); it then doubles as needed. Every size is capped by
   * recvMessageCapacity and none comes from a size the peer claims. The remembered size is replaced by
   * each completed message, so a peer that alternates large and tiny messages gets at most one
   * large allocation per large message it actually sent.
   */
  receive(data: Uint8Array, eof: boolean, transient = false): Uint8Array | undefined {
    const capacity = this.descriptor.recvMessageCapacity;
    const total = this.recvLength + data.length;
    if (total > capacity) {
      throw new PeerwireError(
        MConnErrorCode.MessageTooLarge,
        `mconnection: received message exceeds available capacity: ${capacity} < ${total} (channel 0x${this.id.toString(16)})`,
        { action: 'disconnect', details: { channelId: this.id, capacity, size: total } },
      );
    }
    if (eof && this.recvLength === 0) {
      // A view would keep its whole buffer alive for as long as the consumer holds the message: a
      // 1-byte vote in a 1028-byte frame plaintext keeps all of it (memory per idle connection,
      // BENCHMARKS.md). So it is copied unless it fills most of that buffer, the same rule as below.
      const waste = data.buffer.byteLength - data.length;
      return transient || waste > data.length >>> 3 ? new Uint8Array(data) : data;
    }
    if (data.length > 0) {
      let buffer = this.recvBuffer;
      if (buffer === undefined || buffer.length < total) {
        const wanted =
          buffer === undefined
            ? Math.max(this.descriptor.recvBufferCapacity, this.lastFragmentedSize)
            : buffer.length * 2;
        const grown = new Uint8Array(Math.min(capacity, Math.max(total, wanted)));
        if (buffer !== undefined) grown.set(buffer.subarray(0, this.recvLength));
        buffer = grown;
        this.recvBuffer = grown;
      }
      buffer.set(data, this.recvLength);
      this.recvLength = total;
    }
    if (!eof) return undefined;
    const buffer = this.recvBuffer!;
    this.recvBuffer = undefined;
    this.recvLength = 0;
    this.lastFragmentedSize = total;
    // Hand over the buffer itself unless most of it would be wasted while the consumer holds it.
    return buffer.length - total <= total >>> 3 ? buffer.subarray(0, total) : buffer.slice(0, total);
  }

  /** The message being fragmented, or the next queued one, which becomes it; undefined when none. */
  private startedMessage(): Uint8Array | undefined {
    if (this.sending !== undefined) return this.sending;
    const next = this.queue?.shift();
    if (next !== undefined) {
      this.sending = next;
      this.sendOffset = 0;
    }
    return next;
  }

  /** Drops queued messages and buffers (the connection is closing). */
  close(reason?: PeerwireError): void {
    this.queue?.close(reason, true);
    this.sending = undefined;
    this.sendOffset = 0;
    this.recvBuffer = undefined;
    this.recvLength = 0;
  }

  private getQueue(): BoundedQueue<Uint8Array> {
    this.queue ??= new BoundedQueue<Uint8Array>({
      name: `mconn-send-0x${this.id.toString(16)}`,
      capacity: this.descriptor.sendQueueCapacity,
      policy: 'block',
    });
    return this.queue;
  }
}
