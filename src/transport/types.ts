// The transport seam. A Transport accepts and dials Connections for one or more protocols (`tcp`,
// `memory`); a Connection first runs its wire's authenticated handshake, then carries channel-tagged
// messages both ways. Each wire family (the test wire, CometBFT, Zcash) implements this once; the
// router above it never sees bytes of framing, keys or sockets.

import type { NodeKey } from '../core/node-key.ts';
import type { NodeId } from '../core/node-address.ts';
import type { PeerwireError } from '../core/errors.ts';

/** Where a transport listens or dials: an IP and port, or a memory endpoint's name (port 0). */
export interface Endpoint {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
}

/** How a channel is described to the wire (CometBFT's ChannelDescriptor; other wires may ignore fields). */
export interface ChannelDescriptor {
  readonly id: number;
  /** Relative share of send bandwidth under contention (CometBFT: higher sends more). */
  readonly priority: number;
  /** Messages the wire may queue for this channel before the sender waits. */
  readonly sendQueueCapacity: number;
  /** Largest reassembled message accepted on this channel, in bytes. */
  readonly recvMessageCapacity: number;
}

/** What a peer told us about itself in the handshake, after the wire verified it. */
export interface PeerInfo {
  /** Authenticated identity (CometBFT node ID), or the connected address for wires without keys (Zcash). */
  readonly id: NodeId;
  /** The remote's authenticated public key, when the wire has one. */
  readonly publicKey?: Uint8Array;
  /** The address the peer says it can be dialed at (`id@host:port`, `host:port`), if any. */
  readonly listenAddress?: string;
  /** Wire protocol version, as text (`8`, `170120`, ...). */
  readonly protocolVersion: string;
  /** Channel ids the peer serves. */
  readonly channels: readonly number[];
  /** Chain id or network name the peer is on. */
  readonly network?: string;
  /** Moniker or user agent, for logs only. */
  readonly userAgent?: string;
  /** The wire's own record of the handshake (NodeInfo, version message) for policies that need it. */
  readonly wire?: unknown;
}

/** Who we are, handed to every handshake. */
export interface LocalNode {
  readonly key: NodeKey;
  readonly info: PeerInfo;
  readonly channels: readonly ChannelDescriptor[];
}

export interface InboundMessage {
  readonly channelId: number;
  /** May be a view into a larger receive buffer: copy it when keeping it long after handling. */
  readonly bytes: Uint8Array;
}

export type Direction = 'inbound' | 'outbound';

export interface Connection extends AsyncIterable<InboundMessage> {
  readonly direction: Direction;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  /**
   * Runs the wire's handshake and returns the verified remote info. Rejects with a typed error when the
   * signal aborts (the deadline) or the remote misbehaves; the connection is then closed.
   */
  handshake(local: LocalNode, signal: AbortSignal): Promise<PeerInfo>;
  /**
   * Queues one message for the wire. Returns false when the connection's write buffer is above its
   * high-water mark: the caller should `await drained()` before sending more. Throws ERR_CLOSED after close.
   * The wire may keep a reference to `bytes` until they are written: do not modify them after sending.
   */
  send(channelId: number, bytes: Uint8Array): boolean;
  /** Resolves when the write buffer is below its high-water mark again (or the connection closed). */
  drained(signal?: AbortSignal): Promise<void>;
  /** Bytes queued for the socket and not yet accepted by the kernel. */
  readonly bufferedBytes: number;
  /**
   * Present when the wire orders channels by priority itself (MConnection's packet scheduler). The
   * router then hands each channel's messages down in order whenever that channel has room, and never
   * picks between channels: priority is decided in one place per connection, at the wire.
   */
  readonly channelScheduler?: ChannelScheduler;
  /** The last round trip the wire measured with its own keep-alive (ms); undefined before the first. */
  readonly rttMs?: number | undefined;
  /**
   * True once the remote has sent at least one byte. An honest dialer speaks at once; admission evicts
   * pending handshakes that never did (silent sockets) before those that are under way.
   */
  readonly heardFrom?: boolean;
  /**
   * Closes the connection (idempotent). Pending reads end; with an error the iterator throws it. With
   * an error and `holdMs` > 0 the socket may stay open, unread and silent, for up to that long
   * (ByteLink.close): a refusal the remote learns of later.
   */
  close(error?: PeerwireError, holdMs?: number): void;
  /** Resolves once the connection is closed, with the error that closed it, if any. */
  readonly closed: Promise<PeerwireError | undefined>;
}

/** A wire's own scheduler across channels, as the router sees it (see Connection.channelScheduler). */
export interface ChannelScheduler {
  /** True when send(channelId, …) would go straight into that channel's bounded wire queue. */
  hasRoom(channelId: number): boolean;
  /**
   * Resolves the next time the wire takes packets off its channel queues (room may have opened), or
   * when the connection closes. One shared promise per wait, so repeated calls add nothing.
   */
  roomFreed(): Promise<void>;
}

export interface Transport {
  /** Protocols this transport serves; an endpoint's protocol picks the transport. */
  readonly protocols: readonly string[];
  /** Starts listening; returns the bound endpoint (port 0 becomes the real port). */
  listen(endpoint: Endpoint): Promise<Endpoint>;
  /** Endpoints currently listened on. */
  listenEndpoints(): readonly Endpoint[];
  /**
   * Waits for the next inbound connection (not yet handshaken). Rejects with ERR_CLOSED once the
   * transport is closed, or the signal's typed error.
   */
  accept(signal: AbortSignal): Promise<Connection>;
  /** Connects to an endpoint (not yet handshaken). */
  dial(endpoint: Endpoint, signal: AbortSignal): Promise<Connection>;
  /** Stops listening and closes every connection it created. */
  close(): Promise<void>;
}
