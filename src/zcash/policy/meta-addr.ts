// Zebra's MetaAddr (docs/protocols/zcash.md §4.1, §4.2): what the address book knows about one socket address, its
// PeerAddrState, and the rules for applying a change to it (`apply_to_meta_addr`). Pure functions on
// plain values: the fields live in the engine's PeerRecord.policy (JSON, so services are written as
// decimal text), ZebraPolicy.observe applies changes, and tests drive the rules directly.
//
// Deliberate deviations, both on inputs Zebra never produces twice:
// - the engine reports a handshake twice (the PeerManager's `connected` event and the wire's
//   `update-connected`), so a concurrent duplicate still merges the descriptive fields (services,
//   user agent, negotiated version, inbound flag) without touching the state or the times;
// - a misbehaviour report changes only the score, never the connection state or the times (it says
//   nothing about reachability; Zebra marks it Responded).

import { truncateServices } from '../wire/net-address.ts';
import { CONCURRENT_ADDRESS_CHANGE_PERIOD } from './constants.ts';

export type PeerAddrState = 'never-attempted' | 'attempt-pending' | 'responded' | 'failed';

const STATES: readonly PeerAddrState[] = ['never-attempted', 'attempt-pending', 'responded', 'failed'];

/** Connection progress, for merging concurrent changes: NeverAttempted < AttemptPending < Responded < Failed. */
export function connectionProgress(state: PeerAddrState): number {
  return STATES.indexOf(state);
}

/** Reconnection preference, best first: Responded < NeverAttempted < Failed < AttemptPending. */
export function reconnectionRank(state: PeerAddrState): number {
  switch (state) {
    case 'responded':
      return 0;
    case 'never-attempted':
      return 1;
    case 'failed':
      return 2;
    case 'attempt-pending':
      return 3;
  }
}

/** One address's metadata. Times are epoch milliseconds. */
export interface MetaAddr {
  readonly lastConnectionState: PeerAddrState;
  /** Service bits (Zebra's known bits only), when known. */
  readonly services?: bigint;
  /** The gossiped (untrusted) last-seen time. */
  readonly untrustedLastSeen?: number;
  /** Our own observation: the last handshake or heartbeat answer. */
  readonly lastResponse?: number;
  /** Round-trip time of the last heartbeat, ms. */
  readonly rtt?: number;
  readonly pingSentAt?: number;
  readonly lastAttempt?: number;
  readonly lastFailure?: number;
  readonly misbehaviorScore: number;
  /** Learned from an inbound connection: never gossiped. */
  readonly isInbound: boolean;
  readonly userAgent?: string;
  readonly negotiatedVersion?: number;
}

/** A change to apply (MetaAddrChange with the address removed; times in ms). */
export type MetaChange =
  | { readonly kind: 'new-initial' }
  | { readonly kind: 'new-gossiped'; readonly services: bigint; readonly untrustedLastSeen: number }
  | { readonly kind: 'update-attempt' }
  | {
      readonly kind: 'update-connected';
      readonly services?: bigint;
      readonly isInbound: boolean;
      readonly userAgent?: string;
      readonly negotiatedVersion?: number;
    }
  | { readonly kind: 'update-ping-sent'; readonly at: number }
  | { readonly kind: 'update-responded'; readonly rttMs: number }
  | { readonly kind: 'update-failed'; readonly services?: bigint }
  | { readonly kind: 'update-misbehavior'; readonly score: number };

/** The state a change moves an entry to (misbehaviour keeps the entry's state, see the file comment). */
export function changeState(change: MetaChange): PeerAddrState | undefined {
  switch (change.kind) {
    case 'new-initial':
    case 'new-gossiped':
      return 'never-attempted';
    case 'update-attempt':
      return 'attempt-pending';
    case 'update-connected':
    case 'update-ping-sent':
    case 'update-responded':
      return 'responded';
    case 'update-failed':
      return 'failed';
    case 'update-misbehavior':
      return undefined;
  }
}

/** `last_seen()`: our own last response if any, else the gossiped claim. */
export function lastSeen(meta: MetaAddr): number | undefined {
  return meta.lastResponse ?? meta.untrustedLastSeen;
}

/** Longest user agent kept (the codec's MAX_USER_AGENT_LENGTH): remote text is always bounded. */
const MAX_USER_AGENT = 256;
/** Misbehaviour scores saturate here: far above the ban threshold, still a small exact integer. */
const MAX_MISBEHAVIOR = 1_000_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function fresh(change: MetaChange, now: number): MetaAddr {
  return merge(
    { lastConnectionState: 'never-attempted', misbehaviorScore: 0, isInbound: false },
    change,
    now,
  );
}

function merge(previous: MetaAddr, change: MetaChange, now: number): MetaAddr {
  const next: Mutable<MetaAddr> = { ...previous };
  next.lastConnectionState = changeState(change) ?? previous.lastConnectionState;
  switch (change.kind) {
    case 'new-initial':
      break;
    case 'new-gossiped':
      next.services = truncateServices(change.services);
      next.untrustedLastSeen = change.untrustedLastSeen;
      break;
    case 'update-attempt':
      next.lastAttempt = now;
      break;
    case 'update-connected':
      next.lastResponse = now;
      describe(next, change);
      break;
    case 'update-ping-sent':
      next.pingSentAt = change.at;
      break;
    case 'update-responded':
      next.lastResponse = now;
      next.rtt = Math.max(0, change.rttMs);
      break;
    case 'update-failed':
      next.lastFailure = now;
      if (change.services !== undefined) next.services = truncateServices(change.services);
      break;
    case 'update-misbehavior':
      next.misbehaviorScore = Math.min(
        MAX_MISBEHAVIOR,
        previous.misbehaviorScore + Math.max(0, change.score),
      );
      break;
  }
  return next;
}

/** The descriptive fields of a handshake: services if given, user agent, version, inbound flag (OR). */
function describe(next: Mutable<MetaAddr>, change: Extract<MetaChange, { kind: 'update-connected' }>): void {
  if (change.services !== undefined) next.services = truncateServices(change.services);
  if (change.userAgent !== undefined) next.userAgent = change.userAgent.slice(0, MAX_USER_AGENT);
  if (change.negotiatedVersion !== undefined) next.negotiatedVersion = change.negotiatedVersion;
  next.isInbound = next.isInbound || change.isInbound;
}

/**
 * Applies `change` to `previous` at `now` (Zebra's update rules, docs/protocols/zcash.md §4.2). Returns the new value, or
 * undefined when the change is ignored.
 */
export function applyChange(
  previous: MetaAddr | undefined,
  change: MetaChange,
  now: number,
): MetaAddr | undefined {
  if (previous === undefined) return fresh(change, now);
  if (change.kind === 'update-misbehavior')
    return change.score > 0 ? merge(previous, change, now) : undefined;
  const state = changeState(change)!;
  const instants = [previous.lastAttempt, previous.lastFailure, previous.lastResponse].filter(
    (t): t is number => t !== undefined,
  );
  const concurrent = instants.some((t) => Math.abs(now - t) <= CONCURRENT_ADDRESS_CHANGE_PERIOD);
  const outOfOrder = instants.some((t) => t > now);
  if (state === 'never-attempted') {
    // Gossip can't reorder peers we already tried.
    if (previous.lastConnectionState !== 'never-attempted') return undefined;
    // First writer wins: only fill what is missing.
    if (change.kind !== 'new-gossiped') return undefined;
    if (previous.services !== undefined && previous.untrustedLastSeen !== undefined) return undefined;
    return {
      ...previous,
      services: previous.services ?? truncateServices(change.services),
      untrustedLastSeen: previous.untrustedLastSeen ?? change.untrustedLastSeen,
    };
  }
  if (outOfOrder && !concurrent) return undefined;
  if (concurrent && connectionProgress(state) <= connectionProgress(previous.lastConnectionState)) {
    if (change.kind !== 'update-connected' || previous.lastConnectionState !== 'responded') return undefined;
    // The same handshake reported by both the engine and the wire: keep its descriptive fields.
    const next: Mutable<MetaAddr> = { ...previous };
    describe(next, change);
    return sameMeta(previous, next) ? undefined : next;
  }
  return merge(previous, change, now);
}

function sameMeta(a: MetaAddr, b: MetaAddr): boolean {
  return (
    a.services === b.services &&
    a.userAgent === b.userAgent &&
    a.negotiatedVersion === b.negotiatedVersion &&
    a.isInbound === b.isInbound
  );
}

// ---- persistence in PeerRecord.policy ---------------------------------------------------------------

const TIME_FIELDS = [
  'untrustedLastSeen',
  'lastResponse',
  'rtt',
  'pingSentAt',
  'lastAttempt',
  'lastFailure',
] as const;

function time(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Reads the MetaAddr kept in a record's policy fields; undefined when the record has none yet. Every
 * field is checked: a damaged value is dropped, never trusted (the store may come from an old or
 * corrupt file).
 */
export function readMeta(fields: Readonly<Record<string, unknown>> | undefined): MetaAddr | undefined {
  if (fields === undefined) return undefined;
  const state = fields.lastConnectionState;
  if (typeof state !== 'string' || !STATES.includes(state as PeerAddrState)) return undefined;
  const meta: Mutable<MetaAddr> = {
    lastConnectionState: state as PeerAddrState,
    misbehaviorScore: Math.min(MAX_MISBEHAVIOR, time(fields.misbehaviorScore) ?? 0),
    isInbound: fields.isInbound === true,
  };
  for (const key of TIME_FIELDS) {
    const value = time(fields[key]);
    if (value !== undefined) meta[key] = value;
  }
  if (typeof fields.services === 'string' && /^\d{1,20}$/.test(fields.services)) {
    meta.services = truncateServices(BigInt(fields.services));
  }
  if (typeof fields.userAgent === 'string') meta.userAgent = fields.userAgent.slice(0, MAX_USER_AGENT);
  const version = fields.negotiatedVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version >= 0)
    meta.negotiatedVersion = version;
  return meta;
}

/** Writes `meta` into a record's policy fields (JSON-serialisable), removing fields it no longer has. */
export function writeMeta(fields: Record<string, unknown>, meta: MetaAddr): void {
  fields.lastConnectionState = meta.lastConnectionState;
  fields.misbehaviorScore = meta.misbehaviorScore;
  fields.isInbound = meta.isInbound;
  for (const key of TIME_FIELDS) {
    if (meta[key] === undefined) delete fields[key];
    else fields[key] = meta[key];
  }
  if (meta.services === undefined) delete fields.services;
  else fields.services = meta.services.toString();
  if (meta.userAgent === undefined) delete fields.userAgent;
  else fields.userAgent = meta.userAgent;
  if (meta.negotiatedVersion === undefined) delete fields.negotiatedVersion;
  else fields.negotiatedVersion = meta.negotiatedVersion;
}
