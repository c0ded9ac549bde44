// The contracts of the peers layer: what the router asks of the PeerManager, what the PeerManager keeps
// in the PeerStore, and the events protocol services see. The PeerManager is a pure state machine:
// no sockets, no timers of its own; time comes from an injected Clock and the router does all I/O.
//
// Call protocol (Tendermint v0.35's, with its lessons applied):
//   outbound:  dialNext() -> dialFailed(address) | dialed(address, info) -> ready(id) -> disconnected(id)
//   inbound:   accepted(id, info) -> ready(id) -> disconnected(id)
//   any time:  errored(id, error), report(id, 'good' | 'bad'), inactivate(id), evictNext()
// dialed() and accepted() throw a PeerwireError when the connection must be refused (self, duplicate,
// full, banned, inactive); the router then closes the connection and calls nothing else for it.

import type { PeerwireError } from '../../core/errors.ts';
import type { NodeAddress, NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';

/** One dialable address of a peer and its dial history, as persisted. */
export interface PeerAddressRecord {
  /** Canonical address text (formatNodeAddress). */
  readonly address: string;
  /** Epoch ms of the last successful dial, if any. */
  lastDialSuccess?: number;
  /** Epoch ms of the last failed dial, if any. */
  lastDialFailure?: number;
  /** Consecutive failed dials since the last success. */
  dialFailures: number;
}

/** Everything the store keeps about one peer. */
export interface PeerRecord {
  readonly id: NodeId;
  addresses: PeerAddressRecord[];
  /** Epoch ms of the last time the peer was connected. */
  lastConnected?: number;
  /** Never dial again (incompatible NodeInfo, for example). */
  inactive: boolean;
  /** Reactor-reported score (good/bad reports), persisted so a restart remembers bad peers. */
  mutableScore: number;
  /** Epoch ms until which the peer is banned, if banned. */
  bannedUntil?: number;
  /** Policy-specific persisted fields (Zebra's MetaAddr state, services, last seen). JSON-serialisable. */
  policy?: Record<string, unknown>;
}

/** Persistent storage of peer records. Writes are batched; `flush` commits atomically. */
export interface PeerStore {
  /** Loads the last committed state. A corrupt store is reported once and replaced by an empty one. */
  load(): Promise<PeerRecord[]>;
  /**
   * Records a new or changed peer; persisted by the next flush. Takes a snapshot before returning
   * (a copy or its serialised form): the caller keeps the record and goes on changing it.
   */
  put(record: PeerRecord): void;
  delete(id: NodeId): void;
  /** Commits every pending change atomically (crash-safe: a crash leaves the old or the new state). */
  flush(): Promise<void>;
  /** Flushes and releases timers and files. */
  close(): Promise<void>;
}

export type PeerStatus = 'up' | 'down';

/** Sent to protocol services when a peer becomes ready (with its channels) or goes away. */
export interface PeerUpdate {
  readonly id: NodeId;
  readonly status: PeerStatus;
  readonly direction?: Direction;
  readonly info?: PeerInfo;
  /** Why a peer went down, when known. */
  readonly reason?: PeerwireError;
  /**
   * A guest (guests.ts): we are full; answer its one address request, then close it. Services must
   * not treat it as a peer (no requests to it, no state beyond its visit).
   */
  readonly guest?: boolean;
}

/** What the router may do when admitting a duplicate connection for an already connected peer. */
export interface Admission {
  /** True when the new connection replaces an existing one, which the router must close quietly. */
  readonly replacesExisting: boolean;
  /**
   * True for a guest (guests.ts): the router routes it under a short deadline and keeps its
   * pending-handshake slot until it leaves.
   */
  readonly guest?: boolean;
}

/** The router-facing side of the PeerManager. */
export interface PeerManagerApi {
  readonly selfId: NodeId;
  /** Adds an address to the store (from config, PEX, addr gossip). Returns true if it was new. */
  add(address: NodeAddress, source?: NodeId): boolean;
  /**
   * Adds addresses learned together (one address-exchange answer) as add() would one by one, except
   * that a full store is pruned once, after all of them. Returns how many were new and kept.
   */
  addAll(addresses: readonly NodeAddress[], source?: NodeId): number;
  /** The next address to dial now, marked as dialing; undefined when nothing is eligible now. */
  dialNext(): NodeAddress | undefined;
  /** Epoch ms when dialNext() may next return an address without another event (backoff expiry). */
  nextDialTime(): number | undefined;
  dialFailed(address: NodeAddress, error?: PeerwireError): void;
  /** A dialed connection completed its handshake. Throws a typed error to refuse it. */
  dialed(address: NodeAddress, info: PeerInfo): Admission;
  /** An inbound connection completed its handshake. Throws a typed error to refuse it. */
  accepted(id: NodeId, info: PeerInfo): Admission;
  /** The connection is routed; services are told the peer is up. */
  ready(id: NodeId, info: PeerInfo, direction: Direction): void;
  disconnected(id: NodeId, reason?: PeerwireError): void;
  /** A service or the wire reports an error; its action decides: score, evict or ban. */
  errored(id: NodeId, error: PeerwireError): void;
  /** A reactor's good/bad behaviour report, moving the peer's score by one. */
  report(id: NodeId, behaviour: 'good' | 'bad'): void;
  /** Never dial this peer again. */
  inactivate(id: NodeId): void;
  /** The next connected peer to disconnect, marked as evicting; undefined when none. */
  evictNext(): NodeId | undefined;
  /** Up to `limit` addresses to hand to `asker` in address exchange (never private peers, never the asker). */
  advertise(asker: NodeId, limit: number): NodeAddress[];
  /**
   * Whether the store has room for more addresses (fewer than the policy's maxPeers): CometBFT's
   * NeedMoreAddrs, which decides whether a new outbound peer is asked for addresses.
   */
  needsAddresses(): boolean;
  /** Whether `id` is banned now (the policy's verdict on an error it reported). */
  isBanned(id: NodeId): boolean;
  /** Subscribes to state changes that may make dialNext/evictNext return something new. */
  onWake(listener: () => void): () => void;
  /** Subscribes to peer up/down events. */
  subscribe(listener: (update: PeerUpdate) => void): () => void;
  /** Loads the store; call once before the router starts. */
  start(): Promise<void>;
  /** Persists the store and drops subscribers. */
  stop(): Promise<void>;
}
