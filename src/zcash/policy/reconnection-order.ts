// Zebra's reconnection order and readiness (docs/protocols/zcash.md §4.4). The order decides which address is dialed
// next (best first) and which is evicted when the book is full (the one that sorts last). Keys are
// computed once per entry and compared field by field, so sorting a full 5,000-entry book is cheap.
//
// Order: state (Responded, NeverAttempted, Failed, AttemptPending) → the network's default port
// first → oldest last attempt → oldest last failure → oldest last response → newest gossiped
// last-seen → more service bits → IP bytes → port. Missing times sort as oldest, missing last-seen
// and services sort last.
//
// Deliberate fix: Zebra's "canonical port" step tests the zcashd RPC ports 8232/18232, which no real
// peer listens on (docs/protocols/zcash.md §4.2), so it never applies; we prefer the network's default P2P port, which
// is what the step means to do.

import { NODE_NETWORK } from '../wire/net-address.ts';
import { type NetworkParams } from '../params/network-params.ts';
import { ipSortKey, isValidForOutbound, type SocketAddr } from './book-address.ts';
import { lastSeen, reconnectionRank, type MetaAddr } from './meta-addr.ts';

export interface OrderKey {
  /** reconnectionRank of the state. */
  readonly rank: number;
  /** 0 on the network's default port, else 1. */
  readonly port: number;
  readonly lastAttempt: number;
  readonly lastFailure: number;
  readonly lastResponse: number;
  /** Minus the gossiped last-seen (newest first); +Infinity when unknown. */
  readonly negLastSeen: number;
  /** Minus the service bits as a number (more first); +Infinity when unknown. */
  readonly negServices: number;
  readonly ip: string;
  readonly socketPort: number;
}

const NEVER = Number.NEGATIVE_INFINITY;

/** The sort key of a book entry; `ipKey` is ipSortKey(socket.ip) when the caller already has it. */
export function orderKey(
  socket: SocketAddr,
  meta: MetaAddr | undefined,
  network: NetworkParams,
  ipKey: string = ipSortKey(socket.ip),
): OrderKey {
  return {
    rank: reconnectionRank(meta?.lastConnectionState ?? 'never-attempted'),
    port: socket.port === network.defaultPort ? 0 : 1,
    lastAttempt: meta?.lastAttempt ?? NEVER,
    lastFailure: meta?.lastFailure ?? NEVER,
    lastResponse: meta?.lastResponse ?? NEVER,
    negLastSeen: meta?.untrustedLastSeen === undefined ? Number.POSITIVE_INFINITY : -meta.untrustedLastSeen,
    negServices: meta?.services === undefined ? Number.POSITIVE_INFINITY : -Number(meta.services),
    ip: ipKey,
    socketPort: socket.port,
  };
}

/** Negative when `a` is to be dialed before `b`. */
export function compareKeys(a: OrderKey, b: OrderKey): number {
  return (
    a.rank - b.rank ||
    a.port - b.port ||
    cmp(a.lastAttempt, b.lastAttempt) ||
    cmp(a.lastFailure, b.lastFailure) ||
    cmp(a.lastResponse, b.lastResponse) ||
    cmp(a.negLastSeen, b.negLastSeen) ||
    cmp(a.negServices, b.negServices) ||
    (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) ||
    a.socketPort - b.socketPort
  );
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when known services include NODE_NETWORK; unknown services are given the benefit of the doubt. */
export function servesNetwork(meta: MetaAddr | undefined): boolean {
  return meta?.services === undefined || (meta.services & NODE_NETWORK) !== 0n;
}

export interface ReadinessOptions {
  readonly network: NetworkParams;
  /** MIN_PEER_RECONNECTION_DELAY unless the local-network profile shortens it. */
  readonly reconnectionDelay: number;
  /** MAX_RECENT_PEER_AGE. */
  readonly maxRecentPeerAge: number;
}

/**
 * The earliest epoch ms an address may be dialed by its own metadata (Infinity = never): valid for
 * outbound with NODE_NETWORK or unknown services; probably reachable (not Failed, or seen within
 * maxRecentPeerAge); and no response, attempt or failure within the reconnection delay. The banned-IP
 * and one-responded-peer-per-IP filters need the whole book and live in ZebraPolicy.
 */
export function readyAt(
  socket: SocketAddr,
  meta: MetaAddr | undefined,
  now: number,
  options: ReadinessOptions,
): number {
  if (!isValidForOutbound(socket, options.network) || !servesNetwork(meta)) return Number.POSITIVE_INFINITY;
  if (meta === undefined) return 0;
  if (meta.lastConnectionState === 'failed') {
    const seen = lastSeen(meta);
    if (seen === undefined || now - seen > options.maxRecentPeerAge) return Number.POSITIVE_INFINITY;
  }
  const latest = Math.max(meta.lastResponse ?? NEVER, meta.lastAttempt ?? NEVER, meta.lastFailure ?? NEVER);
  return latest === NEVER ? 0 : latest + options.reconnectionDelay;
}
