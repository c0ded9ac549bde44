// One connected peer as the router routes it: its bounded send queue (per-channel FIFO, priority across
// channels), the send loop that writes that queue to the connection under backpressure, and the receive
// loop that hands decoded messages to the channels' inbound queues. Whichever loop ends first ends the
// other, and `run()` resolves with the reason the connection closed. A slow peer only slows itself:
// its queue is bounded, and a peer whose queue or socket stays full past the stall timeout is dropped.

import { deadline } from '../../core/abort.ts';
import type { Clock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { ChannelScheduler, Connection, Direction, PeerInfo } from '../../transport/types.ts';
import type { Channel, ResolvedChannelOptions } from './channel.ts';
import { HandDownWait } from './hand-down-wait.ts';
import { PeerSendQueue, type QueuedMessage } from './peer-send-queue.ts';
import type { RouterMetrics } from './router-metrics.ts';

/** What a routed peer needs from its router. */
export interface RoutedPeerHost {
  readonly metrics: RouterMetrics;
  /** The channel a received message belongs to, if a service opened it. */
  channel(channelId: number): Channel<unknown> | undefined;
  /** A message failed to decode: the peer manager scores or bans the sender. */
  reportMalformed(peer: NodeId, error: PeerwireError): void;
  /** How long a full queue or an undrained socket may block before the peer is dropped (ms). */
  readonly stallTimeoutMs: number;
  /** Times the stall deadlines and stamps when a peer was routed. */
  readonly clock: Clock;
}

/** A summary of one connected peer, for status pages and tests. */
export interface PeerStatusView {
  readonly id: NodeId;
  readonly direction: Direction;
  readonly remote: string;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  readonly bufferedBytes: number;
  /** When the peer was routed (ms since the epoch, the router's clock). */
  readonly connectedAt: number;
  /** Message bytes received from and handed to the connection for this peer. */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** The wire's last measured round trip (ms), when it measures one. */
  readonly rttMs: number | undefined;
  /** A guest (engine/peers/guests.ts): answered and closed, not a peer. */
  readonly guest: boolean;
}

const peerClosed = (): PeerwireError =>
  new PeerwireError(ErrorCode.Closed, 'peer closed', { action: 'transient' });

export class RoutedPeer {
  readonly id: NodeId;
  readonly info: PeerInfo;
  readonly direction: Direction;
  readonly conn: Connection;
  /** Set when a duplicate connection replaced this one: its teardown must not report a disconnect. */
  replaced = false;
  /** A guest (engine/peers/guests.ts): routed only until it is answered or its deadline passes. */
  guest = false;
  private readonly host: RoutedPeerHost;
  private readonly channels: ReadonlySet<number>;
  private readonly sendQueue: PeerSendQueue;
  private readonly stop = new AbortController();
  /** Set by closeAfterFlush(): close once everything queued has been written. */
  private closeWhenFlushed: PeerwireError | undefined;
  private readonly connectedAt: number;
  private bytesReceived = 0;
  private bytesSent = 0;
  /** The queued bytes last reported to the metrics (each report carries the change). */
  private reportedQueued = 0;

  constructor(info: PeerInfo, conn: Connection, direction: Direction, host: RoutedPeerHost) {
    this.id = info.id;
    this.info = info;
    this.direction = direction;
    this.conn = conn;
    this.host = host;
    this.channels = new Set(info.channels);
    this.sendQueue = new PeerSendQueue((channelId) => host.metrics.dropped(channelId, 'overflow'));
    this.connectedAt = host.clock.now();
    // The send loops' wait for a message (nextOffer) has no listener of its own: stopping wakes it.
    this.stop.signal.addEventListener('abort', () => this.sendQueue.wake(), { once: true });
  }

  /** Runs both loops until the connection ends; resolves with the reason it closed, if any. */
  async run(): Promise<PeerwireError | undefined> {
    const endWith = (error?: unknown): PeerwireError | undefined => {
      const reason = error === undefined ? undefined : toPeerwireError(error);
      if (!this.stop.signal.aborted) {
        this.conn.close(reason);
        this.stop.abort(reason ?? peerClosed());
      }
      return reason;
    };
    const [receiveFailure, sendFailure] = await Promise.all([
      this.receiveLoop().then(() => endWith(), endWith),
      this.sendLoop().then(() => endWith(), endWith),
    ]);
    // A close after flushing ends the loops without an error: its reason is the one closeAfterFlush gave.
    const reason = receiveFailure ?? sendFailure ?? (await this.conn.closed) ?? this.closeWhenFlushed;
    this.sendQueue.close(reason ?? peerClosed());
    this.reportQueued(0);
    return reason;
  }

  private reportQueued(queued: number): void {
    this.host.metrics.pending(this.id, queued, queued - this.reportedQueued);
    this.reportedQueued = queued;
  }

  /** Closes the connection at once; queued messages are discarded and blocked senders released. */
  disconnect(reason: PeerwireError): void {
    this.conn.close(reason);
    this.stop.abort(reason);
    this.sendQueue.close(reason);
  }

  /** Writes what is queued, then closes (a seed's answer, a goodbye). */
  closeAfterFlush(reason: PeerwireError): void {
    this.closeWhenFlushed = reason;
    this.sendQueue.wake();
  }

  status(): PeerStatusView {
    return {
      id: this.id,
      direction: this.direction,
      remote: `${this.conn.remoteEndpoint.host}:${this.conn.remoteEndpoint.port}`,
      queuedMessages: this.sendQueue.queuedMessages,
      queuedBytes: this.sendQueue.queuedBytes,
      bufferedBytes: this.conn.bufferedBytes,
      connectedAt: this.connectedAt,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      rttMs: this.conn.rttMs,
      guest: this.guest,
    };
  }

  /**
   * Queues a message; returns a promise only when the channel's `block` policy has to wait for room.
   * Nothing is sent on a channel the peer did not advertise (dropped and counted).
   */
  enqueue(options: ResolvedChannelOptions, channelId: number, bytes: Uint8Array): Promise<void> | undefined {
    if (!this.channels.has(channelId)) {
      this.host.metrics.dropped(channelId, 'peer-lacks-channel');
      return undefined;
    }
    let result: 'accepted' | 'dropped' | 'full';
    try {
      result = this.sendQueue.offer(channelId, options, bytes);
    } catch (error) {
      this.onEnqueueError(channelId, error);
      return undefined;
    }
    if (result !== 'full') this.reportQueued(this.sendQueue.queuedBytes);
    return result === 'full' ? this.enqueueBlocking(options, channelId, bytes) : undefined;
  }

  private async enqueueBlocking(
    options: ResolvedChannelOptions,
    channelId: number,
    bytes: Uint8Array,
  ): Promise<void> {
    const wait = deadline(this.host.stallTimeoutMs, this.stop.signal, `send queue of ${this.id}`, this.host.clock);
    try {
      for (;;) {
        await this.sendQueue.waitForSpace(channelId, options, wait.signal, bytes.length);
        if (this.sendQueue.offer(channelId, options, bytes) !== 'full') {
          this.reportQueued(this.sendQueue.queuedBytes);
          return;
        }
      }
    } catch (error) {
      const typed = toPeerwireError(error);
      if (typed.code === ErrorCode.Timeout) {
        this.disconnect(
          new PeerwireError(ErrorCode.Stalled, `peer ${this.id} stopped reading`, { cause: typed }),
        );
        this.host.metrics.dropped(channelId, 'stalled');
      } else {
        this.onEnqueueError(channelId, typed);
      }
    } finally {
      wait.clear();
    }
  }

  private onEnqueueError(channelId: number, error: unknown): void {
    const typed = toPeerwireError(error);
    if (typed.code === ErrorCode.QueueFull) {
      this.host.metrics.dropped(channelId, 'overflow-disconnect');
      this.disconnect(typed);
    } else {
      this.host.metrics.dropped(channelId, 'peer-gone');
    }
  }

  /** Reads messages and hands each to its channel's inbound queue (waiting when the service lags). */
  private async receiveLoop(): Promise<void> {
    const signal = this.stop.signal;
    const metrics = this.host.metrics;
    try {
      for await (const { channelId, bytes } of this.conn) {
        const channel = this.host.channel(channelId);
        if (channel === undefined) {
          metrics.dropped(channelId, 'no-channel');
          continue;
        }
        if (bytes.length > channel.options.recvMessageCapacity) {
          throw new PeerwireError(
            ErrorCode.FrameTooLarge,
            `message of ${bytes.length} bytes on channel ${channelId} exceeds ${channel.options.recvMessageCapacity}`,
          );
        }
        let message: unknown;
        try {
          message = channel.codec.decode(bytes);
        } catch (error) {
          const typed = toPeerwireError(error, ErrorCode.Malformed);
          metrics.dropped(channelId, 'malformed');
          this.host.reportMalformed(this.id, typed);
          if (typed.action === 'transient') continue;
          throw typed;
        }
        metrics.received(this.id, channelId, bytes);
        this.bytesReceived += bytes.length;
        const envelope = { from: this.id, channelId, message };
        if (channel.inbound.offer(envelope) === 'full') {
          try {
            await channel.inbound.push(envelope, signal);
          } catch (error) {
            if (signal.aborted || channel.closed) return;
            throw error;
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /** Takes messages from the queue by channel priority and writes them, honouring backpressure. */
  private async sendLoop(): Promise<void> {
    if (this.conn.channelScheduler !== undefined) return this.handDownLoop(this.conn.channelScheduler);
    const signal = this.stop.signal;
    try {
      for (;;) {
        const next = this.sendQueue.next();
        if (next === undefined) {
          const waiting = this.emptyQueueWait(signal);
          if (waiting === undefined) return;
          await waiting;
          if (signal.aborted) return;
          continue;
        }
        if (!this.handOver(next)) await this.waitForDrain(signal);
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /**
   * For a wire with its own scheduler: moves each channel's messages down, in order, whenever the wire
   * has room on that channel, so a vote never waits behind block parts here. When every queued channel
   * is full the loop waits for the wire to write or for a new message; a peer that takes nothing for the
   * stall timeout is dropped as stalled.
   */
  private async handDownLoop(scheduler: ChannelScheduler): Promise<void> {
    const signal = this.stop.signal;
    const hasRoom = (channelId: number): boolean => scheduler.hasRoom(channelId);
    const wait = new HandDownWait(scheduler, this.sendQueue, this.host.clock, this.host.stallTimeoutMs, this.id, signal);
    try {
      for (;;) {
        const next = this.sendQueue.nextReady(hasRoom);
        if (next !== undefined) {
          wait.progressed();
          this.handOver(next); // the wire had room: its "above the mark" answer is not ours to wait on
          continue;
        }
        if (this.sendQueue.queuedMessages === 0) {
          wait.progressed();
          const waiting = this.emptyQueueWait(signal);
          if (waiting === undefined) return;
          await waiting;
          if (signal.aborted) return;
          continue;
        }
        await wait.blocked();
        if (signal.aborted) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /** Counts a message handed to the connection and sends it; returns send()'s answer. */
  private handOver(next: QueuedMessage): boolean {
    this.host.metrics.sent(this.id, next.channelId, next.bytes);
    this.bytesSent += next.bytes.length;
    this.reportQueued(this.sendQueue.queuedBytes);
    return this.conn.send(next.channelId, next.bytes);
  }

  /**
   * The queue is empty: the wait for the next message, or undefined when the loop must end instead
   * (closeAfterFlush() asked for a close, started here, or the peer stopped). Not an async function:
   * the loops wait here after every message on a quiet link, and the extra frame and promise were
   * garbage per message (BENCHMARKS.md).
   */
  private emptyQueueWait(signal: AbortSignal): Promise<void> | undefined {
    if (this.closeWhenFlushed !== undefined) {
      // A close without an error flushes what the wire still buffers before the link ends.
      this.conn.close();
      this.stop.abort(this.closeWhenFlushed);
      return undefined;
    }
    // The stop's wake-up (constructor) reaches only a wait begun before it.
    if (signal.aborted) return undefined;
    return this.sendQueue.nextOffer();
  }

  /** A wait that timed out means the peer stopped reading: ERR_STALLED; other errors pass through. */
  private stalledOr(error: unknown): PeerwireError {
    const typed = toPeerwireError(error);
    if (typed.code !== ErrorCode.Timeout) return typed;
    return new PeerwireError(ErrorCode.Stalled, `peer ${this.id} stopped reading`, { cause: typed });
  }

  private async waitForDrain(signal: AbortSignal): Promise<void> {
    const drain = deadline(this.host.stallTimeoutMs, signal, `socket drain of ${this.id}`, this.host.clock);
    try {
      await this.conn.drained(drain.signal);
    } catch (error) {
      throw this.stalledOr(error);
    } finally {
      drain.clear();
    }
  }
}
