// What a Zcash connection tells the rest of the node, as Zebra's handshake and connection tasks do:
// address-book changes (MetaAddrChange) and inventory changes. They are interfaces here, at the wire
// layer, so the handshake can send them without knowing who listens; Zebra's address book (a policy
// over the engine's one PeerManager and peer store) and the inventory registry implement them above.
// Both are fire-and-forget and must never block a connection: implementations are bounded and count
// what they drop.

/**
 * A peer address as the address book keys it: the canonical `ip:port` text (IPv4-mapped IPv6 written
 * as IPv4, IPv6 in brackets). Only OutboundDirect and InboundDirect connections have one.
 */
export type BookAddress = string;

export type MetaAddrChange =
  /** Start-up: a configured, seed or disk-cache peer. -> NeverAttemptedGossiped. */
  | { readonly kind: 'new-initial'; readonly addr: BookAddress }
  /** Crawler: an address from a solicited `Peers` response. -> NeverAttemptedGossiped. */
  | {
      readonly kind: 'new-gossiped';
      readonly addr: BookAddress;
      readonly services: bigint;
      /** The peer's claim, seconds since the epoch (already shifted back if it was in the future). */
      readonly untrustedLastSeen: number;
    }
  /** Our own listener, synthesised when answering getaddr (never stored as a peer). */
  | { readonly kind: 'new-local'; readonly addr: BookAddress }
  /** Candidate selection, atomically with choosing the peer to dial. -> AttemptPending. */
  | { readonly kind: 'update-attempt'; readonly addr: BookAddress }
  /** Handshake success. -> Responded. */
  | {
      readonly kind: 'update-connected';
      readonly addr: BookAddress;
      readonly services: bigint;
      readonly isInbound: boolean;
      readonly userAgent: string;
      readonly negotiatedVersion: number;
    }
  /** Heartbeat, right before each ping. */
  | { readonly kind: 'update-ping-sent'; readonly addr: BookAddress; readonly at: number }
  /** Heartbeat, after the matching pong. -> Responded, with the round-trip time. */
  | { readonly kind: 'update-responded'; readonly addr: BookAddress; readonly rttMs: number }
  /** A failed dial or handshake, a stream or decode error, a heartbeat failure, a shutdown. -> Failed. */
  | { readonly kind: 'update-failed'; readonly addr: BookAddress; readonly services?: bigint }
  /** Misbehaviour reported by other components; a score of 100 or more bans the IP. */
  | { readonly kind: 'update-misbehavior'; readonly addr: BookAddress; readonly score: number };

export interface AddressBookUpdater {
  /** Queues a change; never blocks (a full queue drops and counts, as Zebra's bounded channel). */
  send(change: MetaAddrChange): void;
}

/** A 32-byte block hash or transaction id, or a 64-byte wtx id, as lower-case hex in wire byte order. */
export type InventoryHash = string;

export type InventoryChange =
  /** `inv` with exactly one block, or the tx/wtx ids of an `inv` (at most 1000 per message). */
  | { readonly kind: 'available'; readonly peer: string; readonly hashes: readonly InventoryHash[] }
  /** `notfound` entries, or items of a download request the peer did not deliver. */
  | { readonly kind: 'missing'; readonly peer: string; readonly hashes: readonly InventoryHash[] };

export interface InventoryCollector {
  /** Queues a change; never blocks (bounded; oldest changes dropped and counted when full). */
  send(change: InventoryChange): void;
}
