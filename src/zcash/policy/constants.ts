// Zebra's address-book and connection-management constants (docs/protocols/zcash.md §4, §5, §9),
// each with the reason for its value. They are defaults: ZebraPolicy's options override the ones an
// operator may tune (limits, the reconnection delay of the local-network profile); the rest are facts
// of Zebra's behaviour that a peer on the real network expects.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * `peerset_initial_target_size`: the number of outbound peers dialled at start-up. The connection
 * limits derive from it (×3 outbound, ×5 inbound), as in zebrad's config.
 */
export const DEFAULT_INITIAL_TARGET_SIZE = 25;
/** Outbound limit = target × 3 (75): enough diversity against eclipse without hammering the network. */
export const OUTBOUND_MULTIPLIER = 3;
/** Inbound limit = target × 5 (125): serve more peers than we use, as a good citizen. */
export const INBOUND_MULTIPLIER = 5;

/**
 * `MAX_ADDRS_IN_ADDRESS_BOOK` (5 × 1000): the cap on stored addresses. Bounded memory against gossip
 * floods; beyond it the entry that sorts last in reconnection order is evicted.
 */
export const MAX_ADDRS_IN_ADDRESS_BOOK = 5000;

/**
 * `DEFAULT_MAX_CONNS_PER_IP`: one connection per IP. An attacker with one IP gets one slot, whatever
 * the number of ports it listens on.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 1;

/**
 * `MIN_OUTBOUND_PEER_CONNECTION_INTERVAL` (100 ms): dials are spaced so a node never bursts
 * connection attempts at the network (or at one victim, from a poisoned book).
 */
export const MIN_OUTBOUND_PEER_CONNECTION_INTERVAL = 100;

/**
 * `MIN_PEER_RECONNECTION_DELAY` = 59 + 20 + 20 + 20 s (heartbeat interval + request timeout + ping
 * timeout + slack): an address that responded, was attempted or failed this recently is not dialed
 * again, so a live connection's address is never dialed twice and failing peers are not hammered.
 */
export const MIN_PEER_RECONNECTION_DELAY = 119 * SECOND;

/**
 * `CONCURRENT_ADDRESS_CHANGE_PERIOD` (5 s): changes within this window of the previous attempt,
 * failure or response are "concurrent" and may only move connection progress forward, so a late
 * "responded" from a dying connection cannot overwrite its failure.
 */
export const CONCURRENT_ADDRESS_CHANGE_PERIOD = 5 * SECOND;

/**
 * `MAX_RECENT_PEER_AGE` (3 days): a Failed address not seen for this long is "probably unreachable"
 * and never redialed (it stays in the book until evicted, so gossip cannot re-insert it as fresh).
 */
export const MAX_RECENT_PEER_AGE = 3 * DAY;

/** `MAX_PEER_ACTIVE_FOR_GOSSIP` (3 h): only addresses seen this recently are gossiped or cached. */
export const MAX_PEER_ACTIVE_FOR_GOSSIP = 3 * HOUR;

/**
 * `TIMESTAMP_TRUNCATION_SECONDS` (30 min): gossiped last-seen times are truncated down to this, so
 * peers cannot learn exactly when we last heard from each peer (a connection-graph fingerprint).
 */
export const TIMESTAMP_TRUNCATION_SECONDS = 1800;

/** `MAX_PEER_MISBEHAVIOR_SCORE`: a score at or above it bans the peer's IP. */
export const MAX_PEER_MISBEHAVIOR_SCORE = 100;

/** `MAX_BANNED_IPS`: banned IPs kept (the oldest ban is forgotten first), bounding memory under abuse. */
export const MAX_BANNED_IPS = 20_000;

/**
 * How long a peer record stays banned in the persisted store after its IP was banned. Zebra keeps IP
 * bans in memory only (until evicted by MAX_BANNED_IPS); the persisted record ban makes a ban survive
 * a restart for a day, after which the peer must misbehave again.
 */
export const PERSISTED_BAN_DURATION = DAY;

/**
 * Ports refused for outbound connections (zebra-network peer/priority.rs), unless they are the
 * network's own default port: zcashd's RPC ports 8232/18232 (Zebra calls them "the other network's
 * port"), zcashd Regtest 18344, and ZClassic (8033/18033) and Flux (16125/26125), coins that reuse
 * Zcash's magic bytes: a Zcash node must never spend outbound slots on them.
 */
export const REFUSED_PORTS: ReadonlySet<number> = new Set([8232, 18232, 18344, 8033, 18033, 16125, 26125]);
