// The per-wire seam of the PeerManager. There is one PeerManager and one peer store for every wire;
// what differs between networks is *policy*: which addresses may enter the store, how peers are
// scored and ranked for dialing, eviction and pruning, how long to wait before redialing, how many
// outbound connections one address group may hold, what an error means for a peer, and what is
// shared in address exchange. The PeerManager owns the state machine and enforces the limits a policy
// declares; the policy only answers questions about peers it is shown (read-only views), so a
// policy can never put the state machine in an inconsistent state. CometBFT runs TendermintPolicy
// (tendermint-policy.ts); the Zcash wire runs Zebra's rules on the same hooks, keeping its own
// persisted fields (MetaAddr state, services, last seen) in `PeerRecord.policy` through `observe`.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeAddress, NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';
import type { PeerAddressRecord, PeerRecord } from './types.ts';

/** Connection and store limits the PeerManager enforces. */
export interface ConnectionLimits {
  /** Connected peers (both directions) before upgrades; Tendermint v0.35 default 64. */
  readonly maxConnected: number;
  /** Outbound connections including dials in progress; Tendermint v0.35 default 12. */
  readonly maxOutgoing: number;
  /** Inbound connections; usually maxConnected − maxOutgoing. */
  readonly maxIncoming: number;
  /**
   * Extra temporary connections used to reach a better-scored peer while full; the lowest-scored
   * evictable peer is evicted once the better one connects. Tendermint v0.35 default 4; 0 disables.
   */
  readonly maxConnectedUpgrade: number;
  /** Peers kept in the store; the lowest-ranked unprotected peers are pruned beyond it. */
  readonly maxPeers: number;
  /** Addresses kept per peer (a gossiped peer id cannot grow its entry without bound). */
  readonly maxAddressesPerPeer: number;
  /** Minimum ms between two addresses handed out by dialNext (Zebra spaces dials by 100 ms); 0 = none. */
  readonly minDialInterval: number;
  /**
   * Mean ms between outbound rotations (outbound-rotation.ts): while the outbound side is full, one
   * dial to a random eligible address that replaces an outbound peer once it connects, using an
   * upgrade slot. 0 or absent = never (Zebra's rules have no rotation).
   */
  readonly outboundRotationInterval?: number;
  /**
   * Inbound connections admitted while the inbound side is full, as guests (guests.ts): announced to
   * services so address exchange answers one request, then closed; never counted as peers. 0 or
   * absent = none (refused outright).
   */
  readonly maxInboundGuests?: number;
}

/** A read-only record, as policies see it. */
export type PeerRecordView = Readonly<Omit<PeerRecord, 'addresses' | 'policy'>> & {
  readonly addresses: readonly Readonly<PeerAddressRecord>[];
  readonly policy?: Readonly<Record<string, unknown>>;
};

/** What a policy may know about a peer: its record and its connection state. */
export interface PeerView {
  readonly id: NodeId;
  readonly record: PeerRecordView;
  /** Configured as persistent: always redialed, preferred, never pruned. */
  readonly persistent: boolean;
  /** Configured as private: never advertised. */
  readonly private: boolean;
  /** The direction when connected, otherwise undefined. */
  readonly direction: Direction | undefined;
  readonly ready: boolean;
  readonly dialing: boolean;
  /** Handed to the router by evictNext and not yet disconnected. */
  readonly evicting: boolean;
  /** Epoch ms of the last disconnection in this process, if any. */
  readonly lastDisconnected: number | undefined;
}

/** One address the PeerManager could dial. */
export interface DialCandidate {
  readonly peer: PeerView;
  readonly address: NodeAddress;
  readonly addressRecord: Readonly<PeerAddressRecord>;
  /** The address group (policy.addressGroup). */
  readonly group: string;
  /** Epoch ms from which it may be dialed (backoff, cooldown, ban, policy); <= now means now. */
  readonly eligibleAt: number;
}

/** Time and randomness for policy decisions (both injected, so decisions are reproducible in tests). */
export interface PolicyContext {
  readonly now: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/** What an error means for the peer that caused it. */
export interface ErrorVerdict {
  /** Disconnect the peer (through evictNext) if it is connected. */
  readonly evict: boolean;
  /** Ban for this many ms (refuse and never dial until then); 0 = no ban. */
  readonly banFor: number;
  /** Added to the peer's persisted mutable score (clamped to int16). */
  readonly scoreDelta: number;
}

/** Lifecycle events shown to `observe`, so a policy can keep its own persisted fields. */
export type PeerEvent =
  | {
      readonly type: 'added';
      readonly address: NodeAddress;
      readonly source: NodeId | undefined;
      /** What the caller of `add` passed as `detail` (a wire's metadata: Zebra's gossiped services, last seen). */
      readonly detail?: unknown;
    }
  | { readonly type: 'dialing'; readonly address: NodeAddress }
  | { readonly type: 'dial-failed'; readonly address: NodeAddress; readonly error: PeerwireError | undefined }
  | {
      readonly type: 'connected';
      readonly direction: Direction;
      readonly info: PeerInfo;
      readonly address: NodeAddress | undefined;
    }
  | { readonly type: 'ready'; readonly direction: Direction; readonly info: PeerInfo }
  | { readonly type: 'disconnected'; readonly reason: PeerwireError | undefined }
  | { readonly type: 'errored'; readonly error: PeerwireError }
  | { readonly type: 'reported'; readonly behaviour: 'good' | 'bad' }
  /** A policy-specific change reported through PeerManager.notify (Zebra's MetaAddr changes). */
  | { readonly type: 'policy'; readonly detail: unknown };

/**
 * A total order of book peers for dialing, as sort keys: `key` snapshots what the order depends on in
 * the peer's record (called again after every change to it), `compare` orders two snapshots (negative:
 * dial the first sooner). It must agree with rankCandidates. With it, the planner keeps the book sorted
 * (dial-order-index.ts) and takes the first dialable peer instead of ranking every candidate.
 */
export interface DialOrder<K = unknown> {
  key(peer: PeerView): K;
  compare(a: K, b: K): number;
}

export interface PeerPolicy {
  /** For logs and metrics labels (a bounded set: one per wire). */
  readonly name: string;
  readonly limits: ConnectionLimits;

  /**
   * May this address enter the store? `source` is the peer that gossiped it, or undefined for
   * operator-configured addresses (config, persistent peers), which a policy usually trusts more.
   * `detail` is what the caller of PeerManager.add passed along (wire metadata), if anything. A pure
   * question (no side effects): the PeerManager skips it for an address it already holds.
   */
  admitAddress(address: NodeAddress, source: NodeId | undefined, detail?: unknown): boolean;
  /** The group an address counts against for per-group outbound limits (address-group.ts). */
  addressGroup(address: NodeAddress): string;
  /** Outbound connections (including dials in progress) one group may hold. */
  maxOutboundPerGroup(group: string): number;

  /** The peer's score: higher is better. Used for upgrades and by the policy's own orderings. */
  score(peer: PeerView): number;
  /** Ms to wait after a failed dial of `address` (its failure count already incremented); Infinity = never. */
  retryDelay(peer: PeerView, address: Readonly<PeerAddressRecord>, random: () => number): number;
  /** Ms to wait before redialing a peer that just disconnected. */
  redialCooldown(peer: PeerView): number;
  /** Extra eligibility rule: the earliest epoch ms this address may be dialed (Infinity = not now). */
  notBefore?(peer: PeerView, address: Readonly<PeerAddressRecord>, context: PolicyContext): number;
  /**
   * Orders dial candidates, best first. Candidates are all eligible now and within the limits. A
   * policy may return only the best few: the planner considers the rest afterwards, in their given order.
   */
  rankCandidates(candidates: readonly DialCandidate[], context: PolicyContext): DialCandidate[];
  /**
   * Optional: the same order as sort keys, for a policy whose ranking depends only on the peer's record
   * (not on the context or the other candidates) and whose book is large. Never used for upgrades.
   */
  readonly dialOrder?: DialOrder;

  /** May `newcomer` take the slot of `victim` (an upgrade, or an inbound peer over the limit)? */
  mayReplace(newcomer: PeerView, victim: PeerView): boolean;
  /**
   * Optional, for a policy whose upgrades go by score alone: mayReplace(newcomer, victim) holds exactly
   * when this returns a number and score(newcomer) is above it (undefined: nobody may replace the
   * victim), and score depends only on the peer's record and `persistent`. With it, the dial planner
   * keeps the book sorted by score (dial-order-index.ts) and looks only at peers that could replace
   * the victim, instead of scoring the whole book on every dial decision while the node is full.
   */
  upgradeBar?(victim: PeerView): number | undefined;
  /** Connected peers in eviction order, worst first, omitting peers the policy protects. */
  evictionOrder(peers: readonly PeerView[], context: PolicyContext): PeerView[];
  /**
   * Stored peers in pruning order, worst first, omitting protected ones. The PeerManager itself
   * never prunes connected, dialing or persistent peers. `needed` is how many the PeerManager must
   * remove: a policy with a large store may return only the worst `needed` peers (ZebraPolicy's
   * 5,000-entry book finds them in one pass instead of sorting the whole book on every insertion).
   */
  pruneOrder(peers: readonly PeerView[], context: PolicyContext, needed?: number): PeerView[];
  /**
   * Extra admission rule for a handshaken connection that is not a duplicate of a connected peer
   * (Zebra: one connection per IP, banned IPs). `connected` are the other connected peers. Returns the
   * typed error to refuse it with, or undefined to admit it (the limits still apply).
   */
  admitConnection?(
    peer: PeerView,
    direction: Direction,
    connected: readonly PeerView[],
    context: PolicyContext,
  ): PeerwireError | undefined;
  /** What an error means: evict, ban, or only a lower score. `peer` is undefined for unknown peers. */
  judgeError(peer: PeerView | undefined, error: PeerwireError): ErrorVerdict;

  /**
   * Picks up to `limit` addresses to advertise from `peers` (already without the asker, ourselves,
   * private, banned and inactive peers). The PeerManager re-checks the result.
   */
  selectAdvertised(peers: readonly PeerView[], limit: number, context: PolicyContext): NodeAddress[];

  /**
   * Sees every lifecycle event of a peer and may update `fields` (persisted as PeerRecord.policy,
   * JSON-serialisable). Returns true when it changed them.
   */
  observe?(
    peer: PeerView,
    fields: Record<string, unknown>,
    event: PeerEvent,
    context: PolicyContext,
  ): boolean;
}

/**
 * Checks that declared limits are usable: non-negative integers, sides within the total, and a store
 * large enough to hold every peer it must protect from pruning (connections, dials, upgrades and
 * persistent peers). Throws ERR_INVALID_ARGUMENT.
 */
export function validateLimits(limits: ConnectionLimits, policyName: string, persistentPeers: number): void {
  const l = limits;
  const fail = (why: string): never => {
    throw new PeerwireError(ErrorCode.InvalidArgument, `peer manager limits (${policyName}): ${why}`, {
      action: 'transient',
    });
  };
  const counts = [
    l.maxConnected,
    l.maxOutgoing,
    l.maxIncoming,
    l.maxConnectedUpgrade,
    l.maxPeers,
    l.maxAddressesPerPeer,
  ];
  if (!counts.every((n) => Number.isInteger(n) && n >= 0)) fail('limits must be non-negative integers');
  if (!Number.isFinite(l.minDialInterval) || l.minDialInterval < 0)
    fail('minDialInterval must be a finite number >= 0');
  const rotation = l.outboundRotationInterval ?? 0;
  if (!Number.isFinite(rotation) || rotation < 0) fail('outboundRotationInterval must be a finite number >= 0');
  const guests = l.maxInboundGuests ?? 0;
  if (!Number.isInteger(guests) || guests < 0) fail('maxInboundGuests must be a non-negative integer');
  if (l.maxConnected < 1 || l.maxAddressesPerPeer < 1)
    fail('maxConnected and maxAddressesPerPeer must be at least 1');
  if (l.maxOutgoing > l.maxConnected || l.maxIncoming > l.maxConnected) {
    fail('maxOutgoing and maxIncoming must be at most maxConnected');
  }
  const protectedPeers = l.maxConnected + l.maxOutgoing + 2 * l.maxConnectedUpgrade + persistentPeers;
  if (l.maxPeers < protectedPeers) {
    fail(
      `maxPeers (${l.maxPeers}) must be at least ${protectedPeers} (connections, dials, upgrades, persistent peers)`,
    );
  }
}
