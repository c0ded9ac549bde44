// A slice's view of the router's traffic: each routed peer coming up and going down, and each message
// received or handed to a connection, with the peer and channel it belongs to. The engine names no
// network, yet operators expect a network's own metric names (CometBFT's per-peer, per-channel byte
// counters); the CometBFT slice hands the router an observer that keeps those, and the engine stays
// unaware of them. Calls are synchronous and on the hot path: an observer must only count.

import type { NodeId } from '../../core/node-address.ts';
import type { Direction } from '../../transport/types.ts';

export interface TrafficObserver {
  /** A connection to `peer` was routed (a replacing connection calls this before the old one's down). */
  peerUp(peer: NodeId, direction: Direction): void;
  /** A routed connection to `peer` ended. */
  peerDown(peer: NodeId, direction: Direction): void;
  /** A message arrived and decoded on `channelId` (bytes as framed by the wire, before decoding). */
  received(peer: NodeId, channelId: number, bytes: Uint8Array): void;
  /** A message left the peer's send queue for the connection. */
  sent(peer: NodeId, channelId: number, bytes: Uint8Array): void;
  /** The bytes queued for `peer` changed (after a message was queued or taken for the connection). */
  pending(peer: NodeId, queuedBytes: number): void;
}
