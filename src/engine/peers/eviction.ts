// Who may be evicted, and who must be. Three places need the same answer: the dial planner (is there
// a lower-ranked peer an upgrade dial could replace?), admission (may a connection over a limit take
// someone's place?) and evictNext (a limit is exceeded: who goes?). Only ready peers are evicted
// (the router can only close routed peers), never one already on its way out, and the policy decides
// the order and whom it protects (TendermintPolicy protects persistent peers).

import type { NodeId } from '../../core/node-address.ts';
import type { Direction } from '../../transport/types.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { BookEntry, PeerBook } from './peer-book.ts';
import type { ConnectionLimits, PeerPolicy, PeerView, PolicyContext } from './policy.ts';

export interface VictimFilter {
  /** Only peers in this slot (the budget that is full). */
  readonly slot?: Direction | undefined;
  /** Skip peers marked for eviction and victims already claimed by upgrade dials in progress. */
  readonly skipMarked: boolean;
  /** A claimed victim that is nevertheless allowed (the one this upgrade dial claimed itself). */
  readonly allow?: NodeId | undefined;
}

/** Connected, ready, evictable peers in the policy's eviction order, worst first. */
export function evictionCandidates(
  table: ConnectionTable,
  book: PeerBook,
  policy: PeerPolicy,
  view: (entry: BookEntry) => PeerView,
  context: PolicyContext,
  filter: VictimFilter,
): PeerView[] {
  const claimed = filter.skipMarked ? table.claimedVictims() : new Set<NodeId>();
  const pool: PeerView[] = [];
  for (const [id, c] of table.connected) {
    if (!c.ready || table.evicting.has(id)) continue;
    if (filter.skipMarked && (table.evictMarks.has(id) || (claimed.has(id) && id !== filter.allow))) continue;
    if (filter.slot !== undefined && c.slot !== filter.slot) continue;
    const entry = book.get(id);
    if (entry !== undefined) pool.push(view(entry));
  }
  return pool.length === 0 ? [] : policy.evictionOrder(pool, context);
}

/**
 * Which budget is above its limit among peers not already being evicted: `any` (maxConnected), a
 * slot (maxIncoming / maxOutgoing), or undefined when every limit holds.
 */
export function exceededBudget(
  table: ConnectionTable,
  limits: ConnectionLimits,
): Direction | 'any' | undefined {
  if (table.countStaying() > limits.maxConnected) return 'any';
  if (table.countStaying('inbound') > limits.maxIncoming) return 'inbound';
  if (table.countStaying('outbound') > limits.maxOutgoing) return 'outbound';
  return undefined;
}

export type AdmissionCheck =
  | { readonly kind: 'free' }
  | { readonly kind: 'replace'; readonly victim: NodeId }
  | { readonly kind: 'full' };

/**
 * Can a new connection in `direction` be admitted? `free` when a slot is free; `replace` when it may
 * take the place of a lower-ranked peer (evicted next); `full` otherwise, and always beyond
 * maxConnected + maxConnectedUpgrade or a slot's limit + maxConnectedUpgrade. A `rotation` dial
 * (outbound-rotation.ts) replaces a peer of its own slot whatever their ranks, never a persistent one.
 */
export function checkAdmission(
  table: ConnectionTable,
  book: PeerBook,
  policy: PeerPolicy,
  view: (entry: BookEntry) => PeerView,
  context: PolicyContext,
  newcomer: PeerView,
  direction: Direction,
  preferredVictim: NodeId | undefined,
  rotation = false,
): AdmissionCheck {
  const limits = policy.limits;
  const sideLimit = direction === 'inbound' ? limits.maxIncoming : limits.maxOutgoing;
  const hardFull =
    table.count() + 1 > limits.maxConnected + limits.maxConnectedUpgrade ||
    table.count(direction) + 1 > sideLimit + limits.maxConnectedUpgrade;
  if (hardFull) return { kind: 'full' };
  const sideFull = table.countStaying(direction) + 1 > sideLimit;
  if (table.countStaying() + 1 <= limits.maxConnected && !sideFull) return { kind: 'free' };
  const order = evictionCandidates(table, book, policy, view, context, {
    slot: sideFull || rotation ? direction : undefined,
    skipMarked: true,
    allow: preferredVictim,
  });
  const victim = order.find((v) => v.id === preferredVictim) ?? order[0];
  if (victim === undefined) return { kind: 'full' };
  const replaces = rotation ? !victim.persistent : policy.mayReplace(newcomer, victim);
  if (!replaces) return { kind: 'full' };
  return { kind: 'replace', victim: victim.id };
}
