// A Channel is a service's handle on one channel id: inbound envelopes from every peer arrive through
// `for await (const envelope of channel)`, outbound messages go out with `send({ to | broadcast })`,
// and misbehaving peers are reported with `reportError`. It mirrors Tendermint's Channel (In, Out,
// Error) with async iteration instead of Go channels. Inbound delivery is bounded and FIFO.

import { BoundedQueue, type OverflowPolicy } from '../../core/bounded-queue.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { ChannelDescriptor } from '../../transport/types.ts';
import type { MessageCodec } from '../../core/message-codec.ts';

export interface Envelope<T> {
  /** The sending peer. */
  readonly from: NodeId;
  readonly channelId: number;
  readonly message: T;
}

export type OutboundEnvelope<T> =
  | { readonly to: NodeId; readonly message: T; readonly broadcast?: false }
  | { readonly broadcast: true; readonly message: T; readonly to?: undefined };

/**
 * What a peer's send queue does for this channel when it is full:
 * - `block`: the sender waits (up to the router's stall timeout, after which the peer is disconnected);
 * - `drop-newest` / `drop-oldest`: discard and count (for gossip where newer data supersedes older);
 * - `disconnect`: a peer that cannot keep up is disconnected at once.
 */
export type ChannelOverflow = 'block' | 'drop-newest' | 'drop-oldest' | 'disconnect';

export interface ChannelOptions {
  /** Share of send bandwidth under contention, relative to other channels (default 1). */
  readonly priority?: number;
  /** Messages queued per peer on this channel before the overflow policy applies (default 1024). */
  readonly sendQueueCapacity?: number;
  /** Inbound envelopes buffered for the service before peers' receive loops wait (default 1024). */
  readonly recvQueueCapacity?: number;
  /** Largest message accepted on this channel, in bytes (default 4 MiB, a CometBFT block part bound). */
  readonly recvMessageCapacity?: number;
  /** Default `block`: lossless and ordered, as reactors written for MConnection expect. */
  readonly overflow?: ChannelOverflow;
}

export const CHANNEL_DEFAULTS = {
  priority: 1,
  sendQueueCapacity: 1024,
  recvQueueCapacity: 1024,
  recvMessageCapacity: 4 * 1024 * 1024,
  overflow: 'block' as ChannelOverflow,
} as const;

export type ResolvedChannelOptions = Required<ChannelOptions>;

/** What the channel needs from the router; the router implements it. */
export interface ChannelHost {
  sendOnChannel(channelId: number, envelope: OutboundEnvelope<Uint8Array>): Promise<void>;
  reportPeerError(peer: NodeId, error: PeerwireError): void;
  closeChannel(channelId: number): void;
}

export function toQueuePolicy(overflow: ChannelOverflow): OverflowPolicy {
  return overflow === 'disconnect' ? 'reject' : overflow;
}

export class Channel<T> implements AsyncIterable<Envelope<T>> {
  readonly id: number;
  readonly options: ResolvedChannelOptions;
  readonly codec: MessageCodec<T>;
  /** @internal inbound envelopes, filled by the router's receive loops. */
  readonly inbound: BoundedQueue<Envelope<T>>;
  private readonly host: ChannelHost;
  private isClosed = false;

  constructor(id: number, codec: MessageCodec<T>, options: ResolvedChannelOptions, host: ChannelHost) {
    this.id = id;
    this.codec = codec;
    this.options = options;
    this.host = host;
    this.inbound = new BoundedQueue<Envelope<T>>({
      name: `channel ${id} inbound`,
      capacity: options.recvQueueCapacity,
      policy: 'block',
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Sends a message to one peer or to every connected peer that serves this channel. Resolves once it
   * is queued for every recipient (waiting only under the `block` policy). A message for an
   * unconnected peer is dropped and counted, as in Tendermint.
   */
  async send(envelope: OutboundEnvelope<T>): Promise<void> {
    if (this.isClosed)
      throw new PeerwireError(ErrorCode.Closed, `channel ${this.id} is closed`, { action: 'transient' });
    const bytes = this.codec.encode(envelope.message);
    if (envelope.broadcast === true)
      await this.host.sendOnChannel(this.id, { broadcast: true, message: bytes });
    else await this.host.sendOnChannel(this.id, { to: envelope.to, message: bytes });
  }

  /** Reports a misbehaving peer; the error's action (transient, disconnect, ban) decides what happens. */
  reportError(report: { readonly peer: NodeId; readonly error: PeerwireError }): void {
    this.host.reportPeerError(report.peer, report.error);
  }

  /** Receives the next envelope, or undefined once the channel is closed and drained. */
  receive(signal?: AbortSignal): Promise<Envelope<T> | undefined> {
    return this.inbound.next(signal);
  }

  [Symbol.asyncIterator](): AsyncIterator<Envelope<T>> {
    return this.inbound[Symbol.asyncIterator]();
  }

  /** How the channel is described to wires in handshakes (CometBFT's ChannelDescriptor). */
  descriptor(): ChannelDescriptor {
    const o = this.options;
    return {
      id: this.id,
      priority: o.priority,
      sendQueueCapacity: o.sendQueueCapacity,
      recvMessageCapacity: o.recvMessageCapacity,
    };
  }

  /** Closes the channel: iteration ends, further sends fail, the id may be opened again. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.inbound.close();
    this.host.closeChannel(this.id);
  }
}
