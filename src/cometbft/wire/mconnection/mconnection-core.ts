// The MConnection multiplexer without I/O (docs/protocols/cometbft.md §3): many prioritized channels over
// one ordered byte stream (the SecretConnection). The owner feeds it the decrypted stream bytes and
// gets whole channel messages back; it enqueues messages and polls the bytes to seal and write next;
// it arms one timer at `nextTimerAt()` and calls `onTimer()`. Sockets, encryption and timers stay in
// the owner, so scheduling, fragmentation, reassembly, keep-alive and rate limits are tested with a
// ManualClock and plain byte arrays.
//
// Sending: pongs and pings go first; then, packet by packet, the channel with the smallest
// recentlySent / priority (channel-choice.ts) writes its next PacketMsg (at most 1,024 data bytes);
// recentlySent grows by the bytes written and decays by x0.8 every 2 s. There is no flush timer:
// callers poll as soon as the socket can take more, so an idle link sends a message at once
// (CometBFT's 10-100 ms flush throttle is a throughput knob we do not need). Receiving: each delimited Packet (max 1,034 bytes) is decoded,
// pings owe a pong, pongs stop the pong deadline, and PacketMsgs are reassembled per channel up to
// the channel's recvMessageCapacity. Every protocol violation throws a PeerwireError with action
// `disconnect`: the owner closes the connection, as CometBFT does.

import type { Clock } from '../../../core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import type { Metrics } from '../../../core/metrics.ts';
import type { InboundMessage } from '../../../transport/types.ts';
import {
  channelDescriptorSet,
  type ChannelDescriptorInput,
  type MConnChannelDescriptor,
} from './channel-descriptor.ts';
import { ChannelState } from './channel-state.ts';
import { isLight, linkShared, pickChannel, soleSender } from './channel-choice.ts';
import { DelimitedReader } from './delimited-reader.ts';
import { KeepAlive, type KeepAliveOptions } from './keepalive.ts';
import { unknownChannel } from './mconn-errors.ts';
import { mconnMetrics, type MConnMetrics } from './mconnection-metrics.ts';
import { PACKET_RUN, readPacketRun } from './packet-run.ts';
import {
  MAX_PACKET_MSG_PAYLOAD_SIZE,
  PING_WIRE,
  PONG_WIRE,
  decodePacket,
  delimitedPacketMsgSize,
  maxPacketSize,
  packetMsgPacketSize,
} from './packet-codec.ts';
import { RateLimiter } from './rate-limiter.ts';
import { SendPacer } from '../../../transport/send-pacer.ts';

/** recentlySent decays every 2 s (CometBFT's updateStats ticker)... */
export const RECENTLY_SENT_DECAY_INTERVAL_MS = 2_000;
/** ...by this factor, so a channel's past bursts fade within seconds. */
export const RECENTLY_SENT_DECAY_FACTOR = 0.8;
/**
 * Default batch size of pollPackets: 16 KiB, about 16 sealed 1 KiB frames per socket write, the batch
 * size the performance targets call for (never one syscall per frame).
 */
export const DEFAULT_POLL_BYTES = 16 * 1024;

/**
 * Bytes a light channel (not the one that sent the most lately) may write past the pacing window and
 * past an empty send-rate bucket: a few 1 KiB packets, so a vote waits neither a round trip for the
 * next pong behind block parts nor a timer tick (1 ms at least in Node) for tokens. Bytes in flight
 * stay within window + this, and the bucket's debt is paid back before bulk data moves again, so the
 * long-run rate is CometBFT's send_rate exactly; the peer's recv_rate sees at most this much extra
 * burst, far inside its 100 ms sample (512,000 bytes at the default rate).
 */
export const PACING_OVERDRAFT_BYTES = 4 * 1024;

/**
 * Debt the receive-rate bucket may run before reading pauses. A peer sending at exactly our recv_rate
 * (both sides' default is the same 5.12 MB/s) keeps our bucket at zero, and the bytes arrive in
 * clumps its own bucket allows: Go's sendRoutine writes up to 10 packets (numBatchPacketMsgs, ~10 KiB)
 * once its monitor says go, ours one packet past an empty bucket plus the light-channel overdraft
 * (4 KiB), and a millisecond clock moves 5 KB of the default rate per tick. Without slack each clump
 * paused reading for a 1 ms timer, and a vote behind it waited that long (router priority figure with
 * the default rates, p90 1.7 ms; BENCHMARKS.md). 16 KiB covers one clump; a peer over the rate still
 * runs into it within milliseconds, and the long-run rate holds (the pause lasts until the debt is paid).
 */
export const RECV_RATE_SLACK_BYTES = 16 * 1024;

export interface MConnectionCoreOptions extends KeepAliveOptions {
  /** The channels we serve (ids unique, 0..255). Packets on any other channel close the connection. */
  readonly channels: readonly ChannelDescriptorInput[];
  readonly clock: Clock;
  /** Data bytes per PacketMsg (CometBFT p2p.max_packet_msg_payload_size). Default 1024; keep it. */
  readonly maxPacketMsgPayloadSize?: number;
  /** Send rate limit in bytes/s (CometBFT p2p.send_rate, 5,120,000 there). Default: off. */
  readonly sendRate?: number;
  /** Receive rate limit in bytes/s (CometBFT p2p.recv_rate). Default: off. */
  readonly recvRate?: number;
  /**
   * Pace data by the queueing delay measured with extra PacketPings (src/transport/send-pacer.ts), so the backlog
   * stays in the priority-scheduled channel queues instead of the socket buffers. Default false here
   * (the byte-exact scheduler tests); CometbftConnection turns it on.
   */
  readonly pacing?: boolean;
  /**
   * Time for the pacer's round trip samples, ms with a fraction (performance.now in production; the
   * Clock's whole milliseconds cannot see a 100 us round trip). Default: clock.now.
   */
  readonly preciseNow?: () => number;
  /** Counters `peerwire_mconn_*`; default none. */
  readonly metrics?: Metrics;
}

let sharedScratch = new Uint8Array(DEFAULT_POLL_BYTES);

export class MConnectionCore {
  readonly descriptors: readonly MConnChannelDescriptor[];
  /** The receive limit per delimited Packet, from the payload size (1034 by default). */
  readonly maxPacketSize: number;
  /** Largest delimited packet any of our channels writes: a poll buffer must hold at least this. */
  readonly maxWritePacketSize: number;
  private readonly clock: Clock;
  private readonly channels: ChannelState[];
  private readonly byId = new Map<number, ChannelState>();
  private readonly reader: DelimitedReader;
  /** Packets received so far, of every kind (pings too): what a per-peer inbound budget charges. */
  packetsReceived = 0;
  private readonly keepAlive: KeepAlive;
  private readonly sendLimiter: RateLimiter | undefined;
  private readonly recvLimiter: RateLimiter | undefined;
  private readonly pacer: SendPacer | undefined;
  private readonly preciseNow: () => number;
  private lastDecay: number;
  private closed: PeerwireError | undefined;
  private readonly metrics: MConnMetrics | undefined;

  constructor(options: MConnectionCoreOptions) {
    this.clock = options.clock;
    this.descriptors = channelDescriptorSet(options.channels);
    const payload = options.maxPacketMsgPayloadSize ?? MAX_PACKET_MSG_PAYLOAD_SIZE;
    if (!Number.isSafeInteger(payload) || payload < 1) {
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        'mconnection: maxPacketMsgPayloadSize must be >= 1',
        {
          action: 'transient',
        },
      );
    }
    this.maxPacketSize = maxPacketSize(payload);
    // A channel id >= 0x80 takes a 2-byte varint, so a full chunk there would exceed the receiver's
    // packet limit (computed with channel 1): such channels send one byte less per packet.
    this.channels = this.descriptors.map((d) => {
      let channelPayload = payload;
      while (channelPayload > 1 && packetMsgPacketSize(d.id, true, channelPayload) > this.maxPacketSize) {
        channelPayload--;
      }
      return new ChannelState(d, channelPayload);
    });
    for (const channel of this.channels) this.byId.set(channel.id, channel);
    this.maxWritePacketSize = Math.max(
      PING_WIRE.length,
      ...this.channels.map((c) => delimitedPacketMsgSize(c.id, true, c.maxPayload)),
    );
    this.reader = new DelimitedReader(this.maxPacketSize);
    this.keepAlive = new KeepAlive(options.clock, options);
    this.sendLimiter =
      options.sendRate === undefined ? undefined : new RateLimiter(options.clock, options.sendRate);
    this.recvLimiter =
      options.recvRate === undefined ? undefined : new RateLimiter(options.clock, options.recvRate);
    this.pacer = options.pacing === true ? new SendPacer() : undefined;
    const clock = options.clock;
    this.preciseNow = options.preciseNow ?? (() => clock.now());
    this.lastDecay = options.clock.now();
    this.metrics = options.metrics === undefined ? undefined : mconnMetrics(options.metrics);
  }

  /**
   * The last ping round trip (ms): the pacer's probe, timed with the precise clock, when pacing is on;
   * else the keep-alive's ping, in the Clock's whole milliseconds.
   */
  get rttMs(): number | undefined {
    return this.pacer?.rtt.last ?? this.keepAlive.rttMs;
  }

  // ---- sending --------------------------------------------------------------------------------------

  /**
   * Queues one whole message on a channel. Returns false when the channel's send queue is full (wait with
   * `waitForSpace`). Throws ERR_INVALID_ARGUMENT for a channel we do not serve or a message larger than
   * the channel's recvMessageCapacity (the peer would disconnect us), ERR_CLOSED after close.
   */
  enqueue(channelId: number, message: Uint8Array): boolean {
    if (this.closed !== undefined) throw this.closed;
    return this.sendChannel(channelId).enqueue(message);
  }

  /** True when `enqueue(channelId, ...)` would take a message now, or throw at once (closed). */
  hasRoom(channelId: number): boolean {
    return this.closed !== undefined || this.sendChannel(channelId).hasRoom();
  }

  /** Resolves when `enqueue(channelId, ...)` may succeed again. */
  waitForSpace(channelId: number, signal?: AbortSignal): Promise<void> {
    return this.sendChannel(channelId).waitForSpace(signal);
  }

  /** True when pollInto would write something now or once the send rate allows. */
  hasPendingSend(): boolean {
    if (this.closed !== undefined) return false;
    if (this.keepAlive.hasControlPending) return true;
    for (const channel of this.channels) if (channel.hasPending()) return true;
    return false;
  }

  /**
   * Writes the next packets (length-prefixed, back to back) into `out` from `offset`, as many whole
   * packets as fit; returns the end position (=== offset when there is nothing to send now). Control
   * packets come first; data respects the send rate limit. `out` must have room for maxWritePacketSize.
   */
  pollInto(out: Uint8Array, offset = 0): number {
    if (this.closed !== undefined) return offset;
    const limit = out.length;
    if (limit - offset < this.maxWritePacketSize) {
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `mconnection: poll buffer needs ${this.maxWritePacketSize} bytes`,
        {
          action: 'transient',
        },
      );
    }
    let pos = offset;
    if (this.keepAlive.pongPending) {
      pos = this.writeControl(PONG_WIRE, out, pos);
      this.keepAlive.pongWritten();
    }
    const pacer = this.pacer;
    if (this.keepAlive.pingPending) {
      pos = this.writeControl(PING_WIRE, out, pos);
      this.keepAlive.pingWritten();
      // Its pong proves the peer read everything written so far: it serves as the pacer's probe too.
      if (pacer?.wantsProbe === true) pacer.onProbeWritten(this.preciseNow());
    }
    // Two limits per batch: where any channel must stop, and where a light channel (see isLight) must
    // stop. The pacing window and the send rate each bound both; a light channel may go a small
    // overdraft past either, so a vote neither waits a round trip for the next pong behind block parts
    // nor a timer tick for the token bucket (the overdraft is paid back before bulk data moves again).
    let end = limit;
    let lightEnd = limit;
    const now = this.clock.now();
    if (pacer !== undefined) {
      pacer.setShared(linkShared(this.channels, now));
      if (pacer.wantsProbe && pacer.bytesUntilProbe <= 0) pos = this.probeIfWanted(out, pos, limit);
      const room = pacer.room;
      // At least one whole packet while the window is open; the batch ends where the next probe is due.
      const due = Math.max(pacer.bytesUntilProbe, this.maxWritePacketSize);
      end = room > 0 ? Math.min(end, pos + Math.min(Math.max(room, this.maxWritePacketSize), due)) : pos;
      lightEnd = Math.min(lightEnd, pos + Math.max(0, room + PACING_OVERDRAFT_BYTES));
    }
    if (this.sendLimiter !== undefined) {
      const tokens = Math.floor(this.sendLimiter.available());
      // At least one whole packet while the bucket holds tokens (the balance may dip below zero).
      end = tokens > 0 ? Math.min(end, pos + Math.max(tokens, this.maxWritePacketSize)) : pos;
      lightEnd = Math.min(lightEnd, pos + Math.max(0, tokens + PACING_OVERDRAFT_BYTES));
    }
    if (lightEnd < end) lightEnd = end;
    if (lightEnd <= pos) return pacer === undefined ? pos : this.probeIfWanted(out, pos, limit);
    this.decay(now);
    const dataStart = pos;
    for (;;) {
      const channel = pickChannel(this.channels);
      if (channel === undefined) break;
      const size = channel.nextPacketSize();
      if (pos + size > end && (pos + size > lightEnd || !isLight(channel, this.channels))) break;
      // The only channel with data would win every pick until `end`: its packets go as one run.
      const next =
        pos + size <= end && soleSender(channel, this.channels)
          ? channel.writePacketRun(out, pos, end)
          : channel.writeNextPacket(out, pos);
      channel.recentlySent += next - pos;
      channel.lastSentAt = now;
      this.metrics?.sentBytes.inc(channel.labels, next - pos);
      pos = next;
    }
    this.sendLimiter?.consume(pos - dataStart);
    if (pacer === undefined) return pos;
    pacer.onWritten(pos - dataStart);
    return this.probeIfWanted(out, pos, limit);
  }

  /** Writes the pacer's probe after the data just polled, when one is due and fits. */
  private probeIfWanted(out: Uint8Array, pos: number, limit: number): number {
    const pacer = this.pacer!;
    if (!pacer.wantsProbe || limit - pos < PING_WIRE.length) return pos;
    const end = this.writeControl(PING_WIRE, out, pos);
    pacer.onProbeWritten(this.preciseNow());
    // A probe is a ping like any other: the peer must answer it within the pong deadline.
    this.keepAlive.pingWritten();
    return end;
  }

  /**
   * Writes a ping or a pong at `pos`; returns the position after it. Control packets go out whatever
   * the send bucket holds, but are paid for like data, as Go's send monitor counts them: the peer's
   * recv_rate counts every byte it reads, and a sender at exactly the rate that left them out ran its
   * peer's bucket past the receive slack within seconds, and then paused its reading on every clump
   * (router figure with the default rates, BENCHMARKS.md).
   */
  private writeControl(wire: Uint8Array, out: Uint8Array, pos: number): number {
    out.set(wire, pos);
    this.sendLimiter?.consume(wire.length);
    return pos + wire.length;
  }

  /**
   * Like pollInto, but returns a fresh buffer holding the next batch (at most `maxBytes`, and never less
   * than one packet), or undefined when there is nothing to send now.
   */
  pollPackets(maxBytes = DEFAULT_POLL_BYTES): Uint8Array | undefined {
    const size = Math.max(maxBytes, this.maxWritePacketSize);
    if (sharedScratch.length < size) sharedScratch = new Uint8Array(size);
    const scratch = size === sharedScratch.length ? sharedScratch : sharedScratch.subarray(0, size);
    const end = this.pollInto(scratch, 0);
    if (end === 0) return undefined;
    const out = Buffer.allocUnsafe(end);
    out.set(scratch.subarray(0, end));
    return out;
  }

  // ---- receiving ------------------------------------------------------------------------------------

  /**
   * Feeds decrypted stream bytes (any split); returns the messages completed by them, in order. Messages
   * may be views of `chunk`: do not reuse it, unless `transient` is true: then nothing returned or kept
   * refers to `chunk` (a partial packet at its end is copied), so its owner may overwrite it as soon as
   * this returns. Throws a PeerwireError (action disconnect) on any violation: oversized or malformed
   * packet, unknown channel, over-capacity message.
   */
  receiveBytes(chunk: Uint8Array, transient = false): InboundMessage[] {
    if (this.closed !== undefined) throw this.closed;
    this.recvLimiter?.consume(chunk.length);
    this.metrics?.receivedBytes.inc(undefined, chunk.length);
    this.reader.push(chunk);
    const delivered: InboundMessage[] = [];
    const reader = this.reader;
    for (;;) {
      // Packets lying whole in a transient chunk are read in place, as runs (receiveRun).
      if (transient && reader.head === chunk && this.receiveRun(chunk, delivered)) continue;
      // A packet straddling two chunks comes from the reader's shared scratch buffer: it is decoded and
      // its data copied (into the reassembly buffer, or once for a single-packet message) right here,
      // before the next packet is read.
      const packet = reader.nextTransient();
      if (packet === undefined) break;
      const message = this.receivePacket(packet, transient || reader.lastTransient);
      if (message !== undefined) delivered.push(message);
    }
    if (transient) reader.retainUnread();
    return delivered;
  }

  /**
   * Reads a run of packets in place in the transient `chunk` (packet-run.ts says why and which); hands
   * its data to its channel as one piece and pushes a message it completes onto `delivered`. False when
   * the next packet is for the general path.
   */
  private receiveRun(chunk: Uint8Array, delivered: InboundMessage[]): boolean {
    const from = this.reader.headOffset;
    if (!readPacketRun(chunk, from, this.maxPacketSize, this.byId)) return false;
    const run = PACKET_RUN;
    const channel = run.channel!;
    this.reader.skip(run.end - from);
    this.packetsReceived += run.packets;
    const message = channel.receive(chunk.subarray(run.dataStart, run.dataEnd), run.eof, true);
    if (message !== undefined) {
      this.metrics?.receivedMessages.inc(channel.labels);
      delivered.push({ channelId: channel.id, bytes: message });
    }
    return true;
  }

  /**
   * Handles one bare Packet (length prefix already removed); returns a completed message, if any, which
   * may be a view of `bytes`. Pass `transient` true when `bytes` will be overwritten after this call:
   * the message data is then copied.
   */
  receivePacket(bytes: Uint8Array, transient = false): InboundMessage | undefined {
    if (this.closed !== undefined) throw this.closed;
    if (bytes.length > this.maxPacketSize) {
      throw new PeerwireError(
        ErrorCode.FrameTooLarge,
        `mconnection: message exceeds max size (${bytes.length} > ${this.maxPacketSize})`,
        {
          action: 'disconnect',
        },
      );
    }
    this.packetsReceived++;
    const packet = decodePacket(bytes);
    switch (packet.kind) {
      case 'ping':
        this.keepAlive.onPing();
        return undefined;
      case 'pong': {
        const before = this.keepAlive.rttMs;
        this.keepAlive.onPong();
        this.pacer?.onPong(this.preciseNow());
        const rtt = this.keepAlive.rttMs;
        if (rtt !== undefined && rtt !== before) this.metrics?.pingRtt.observe(rtt / 1000);
        return undefined;
      }
      case 'msg': {
        const channel = this.byId.get(packet.channelId);
        if (channel === undefined) throw unknownChannel(packet.channelId);
        const message = channel.receive(packet.data, packet.eof, transient);
        if (message === undefined) return undefined;
        this.metrics?.receivedMessages.inc(channel.labels);
        return { channelId: packet.channelId, bytes: message };
      }
    }
  }

  /**
   * Milliseconds the owner should stop reading the socket to honour the receive rate (0 when reading
   * may go on, always 0 without a limit).
   */
  recvPauseMs(): number {
    return this.recvLimiter?.msUntilAvailable(RECV_RATE_SLACK_BYTES) ?? 0;
  }

  // ---- time -----------------------------------------------------------------------------------------

  /**
   * Applies the clock: marks our ping due every ping interval; throws ERR_MCONN_PONG_TIMEOUT when the
   * pong did not come in time. Call it when the timer armed at nextTimerAt() fires, then poll.
   */
  onTimer(): void {
    if (this.closed !== undefined) return;
    this.keepAlive.check();
  }

  /** When to call onTimer (or poll again, when the send rate held data back), in ms since the epoch. */
  nextTimerAt(): number {
    let at = this.keepAlive.nextDeadline();
    if (this.sendLimiter !== undefined && this.hasPendingSend()) {
      // Data held back by the send rate: poll again once the bucket refills. It may already have
      // refilled since the last poll (the clock moved on by a millisecond); "no wait" must then mean
      // "poll soon", never "wait for the keep-alive deadline", or the queued data stalls for a minute.
      at = Math.min(at, this.clock.now() + Math.max(1, this.sendLimiter.msUntilAvailable()));
    }
    return at;
  }

  // ---- lifecycle and introspection -------------------------------------------------------------------

  /** Drops all queued and partial messages; later calls throw ERR_CLOSED (or `reason`). Idempotent. */
  close(reason?: PeerwireError): void {
    if (this.closed !== undefined) return;
    this.closed =
      reason ?? new PeerwireError(ErrorCode.Closed, 'mconnection closed', { action: 'transient' });
    for (const channel of this.channels) channel.close(this.closed);
    this.reader.takeRemaining();
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Unread stream bytes held by the packet reader (a partial packet). */
  get bufferedReceiveBytes(): number {
    return this.reader.bufferedBytes;
  }

  /** The pacer's state (undefined without pacing), for status pages and tests. */
  pacingStats(): { windowBytes: number; inFlight: number; rttMs?: number; baseRttMs?: number } | undefined {
    const pacer = this.pacer;
    if (pacer === undefined) return undefined;
    const { last, base } = pacer.rtt;
    return {
      windowBytes: pacer.windowBytes,
      inFlight: pacer.inFlight,
      ...(last === undefined ? {} : { rttMs: last }),
      ...(base === undefined ? {} : { baseRttMs: base }),
    };
  }

  /** Per-channel snapshot for status pages and tests. */
  channelStats(): { id: number; queued: number; recentlySent: number; pendingReceiveBytes: number }[] {
    return this.channels.map((c) => {
      const { id, queuedMessages: queued, recentlySent, pendingReceiveBytes } = c;
      return { id, queued, recentlySent, pendingReceiveBytes };
    });
  }

  private sendChannel(channelId: number): ChannelState {
    const channel = this.byId.get(channelId);
    if (channel === undefined) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `mconnection: no channel ${channelId} to send on`, {
        action: 'transient',
      });
    }
    return channel;
  }

  private decay(now: number): void {
    const periods = Math.floor((now - this.lastDecay) / RECENTLY_SENT_DECAY_INTERVAL_MS);
    if (periods <= 0) return;
    this.lastDecay += periods * RECENTLY_SENT_DECAY_INTERVAL_MS;
    const factor = RECENTLY_SENT_DECAY_FACTOR ** Math.min(periods, 1000);
    for (const channel of this.channels) channel.recentlySent *= factor;
  }
}
