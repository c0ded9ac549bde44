// Which address to dial next, and when the next one becomes dialable. The planner reads the book and
// the connection table and asks the policy; it changes nothing, so dialNext() and nextDialTime() see
// exactly the same candidates (nextDialTime never promises an address that dialNext would then refuse,
// which would spin the router's dial loop).
//
// Slots: a normal dial needs a free connection slot (connected + dials < maxConnected) and a free
// outbound slot (outbound + dials < maxOutgoing). When either is full, an *upgrade* dial may still go
// ahead, up to maxConnectedUpgrade at once, if the candidate outranks (policy.mayReplace) the
// lowest-ranked evictable connected peer not already targeted by another upgrade; when the outbound
// side is the full one, that victim must be outbound, so the outbound count settles back to its limit.
//
// Rotation (outbound-rotation.ts): when the outbound side is full and the rotation is due, with an
// upgrade slot free and no other rotation in flight, a dial to a *random* eligible address may replace
// the lowest-ranked non-persistent outbound peer whatever their scores. Random, not best-first: after a
// partition heals the best-ranked addresses are those of our own side (the other side's failed while
// it was cut off), and one dial across is enough to join the two components again.
//
// A policy that declares a dial order (policy.dialOrder: Zebra's reconnection order) gets its book kept
// sorted in that order (dial-order-index.ts): a normal dial then walks from the best peer and stops at
// the first dialable one, instead of collecting and ranking every candidate.
//
// While full, most decisions find nothing: no peer outranks the victim and the rotation is not due. A
// policy whose upgrades go by score (policy.upgradeBar: Tendermint) gets its book kept sorted by score,
// so the upgrade candidates are the few peers at the front of that index, and the rotation's time is
// settled by the first address eligible before it; the whole book is collected and ranked only when a
// rotation is due (every ~5 min) or a normal slot is free. With rotation, that was a fifth of a
// 1,000-node simulation's CPU (docs/simulation.md).

import type { NodeId } from '../../core/node-address.ts';
import { randomBelow } from '../../core/random.ts';
import type { ConnectionTable } from './connection-table.ts';
import { DialOrderIndex } from './dial-order-index.ts';
import { evictionCandidates } from './eviction.ts';
import type { OutboundRotation } from './outbound-rotation.ts';
import type { BookEntry, PeerBook } from './peer-book.ts';
import type { DialCandidate, PeerPolicy, PeerView, PolicyContext } from './policy.ts';

export interface DialChoice {
  readonly candidate: DialCandidate;
  /** For an upgrade or rotation dial, the connected peer it means to replace. */
  readonly victim: NodeId | undefined;
  /** A rotation dial: it replaces `victim` once it connects, whatever their scores. */
  readonly rotation: boolean;
}

interface Slots {
  readonly normal: boolean;
  readonly upgrade: boolean;
  /** Victims for upgrade dials, worst first (empty unless `upgrade`). */
  readonly victims: readonly PeerView[];
  /** The outbound peer a rotation would replace, when one may start (ignoring when it is due). */
  readonly rotationVictim: PeerView | undefined;
}

export class DialPlanner {
  /** The book in the policy's dial order, when the policy declares one. */
  private readonly index: DialOrderIndex | undefined;
  /** The book by score, best first, when the policy's upgrades go by score (policy.upgradeBar). */
  private readonly byScore: DialOrderIndex | undefined;

  constructor(
    private readonly book: PeerBook,
    private readonly table: ConnectionTable,
    private readonly policy: PeerPolicy,
    private readonly view: (entry: BookEntry) => PeerView,
    private readonly rotation: OutboundRotation,
  ) {
    if (policy.dialOrder !== undefined) {
      this.index = new DialOrderIndex(policy.dialOrder, view);
      book.watch(this.index);
    }
    if (policy.upgradeBar !== undefined) {
      this.byScore = new DialOrderIndex(
        { key: (peer) => policy.score(peer), compare: (a, b) => (b as number) - (a as number) },
        view,
      );
      book.watch(this.byScore);
    }
  }

  private slots(context: PolicyContext): Slots {
    const limits = this.policy.limits;
    const upgrades = this.table.upgradesInFlight();
    // Normal dials in progress hold the slots they will take; upgrade dials hold upgrade slots.
    const normalDials = this.table.dialing.size - upgrades;
    const normalTotal = this.table.count() + normalDials;
    const normalOut = this.table.count('outbound') + normalDials;
    const totalFull = normalTotal >= limits.maxConnected;
    const outboundFull = normalOut >= limits.maxOutgoing;
    if (!totalFull && !outboundFull) return { normal: true, upgrade: false, victims: [], rotationVictim: undefined };
    // Whatever is above a limit (an upgrade that connected and awaits its victim's eviction) still
    // holds its upgrade slot, so upgrades never stack beyond maxConnectedUpgrade.
    const excess =
      Math.max(0, normalTotal - limits.maxConnected) +
      Math.max(0, normalOut - limits.maxOutgoing) +
      Math.max(0, this.table.count('inbound') - limits.maxIncoming);
    if (upgrades + excess >= limits.maxConnectedUpgrade)
      return { normal: false, upgrade: false, victims: [], rotationVictim: undefined };
    const victims = evictionCandidates(this.table, this.book, this.policy, this.view, context, {
      slot: outboundFull ? 'outbound' : undefined,
      skipMarked: true,
    });
    const mayRotate = outboundFull && this.rotation.enabled && !this.table.rotationInFlight();
    const rotationVictim = mayRotate ? victims.find((v) => !v.persistent) : undefined;
    return { normal: false, upgrade: victims.length > 0, victims, rotationVictim };
  }

  /**
   * Every dialable address within the group limits, with the time it becomes eligible. `only`, when
   * given, skips peers early (before their addresses are grouped): with only upgrade slots free, the
   * peers that cannot replace the victim, which choose() and earliest() would drop anyway.
   */
  private candidates(context: PolicyContext, only?: (peer: PeerView) => boolean): DialCandidate[] {
    const out: DialCandidate[] = [];
    const groupRoom = new Map<string, boolean>();
    for (const entry of this.book.values()) this.entryCandidates(entry, context, groupRoom, out, only);
    return out;
  }

  /** Appends one entry's dialable addresses (in its address order) to `out`. */
  private entryCandidates(
    entry: BookEntry,
    context: PolicyContext,
    groupRoom: Map<string, boolean>,
    out: DialCandidate[],
    only?: (peer: PeerView) => boolean,
  ): void {
    const record = entry.record;
    if (record.inactive || record.addresses.length === 0 || this.table.isBusy(record.id)) return;
    const peer = this.view(entry);
    if (only !== undefined && !only(peer)) return;
    let peerAt = record.bannedUntil ?? 0;
    if (entry.lastDisconnected !== undefined) {
      peerAt = Math.max(peerAt, entry.lastDisconnected + this.policy.redialCooldown(peer));
    }
    for (const addressRecord of record.addresses) {
      const address = entry.parsed.get(addressRecord.address);
      if (address === undefined) continue;
      const group = this.policy.addressGroup(address);
      let room = groupRoom.get(group);
      if (room === undefined) {
        room = this.table.outgoingInGroup(group) < this.policy.maxOutboundPerGroup(group);
        groupRoom.set(group, room);
      }
      if (!room) continue;
      const policyAt = this.policy.notBefore?.(peer, addressRecord, context) ?? 0;
      const eligibleAt = Math.max(peerAt, entry.retryAt.get(addressRecord.address) ?? 0, policyAt);
      if (eligibleAt === Infinity || Number.isNaN(eligibleAt)) continue;
      out.push({ peer, address, addressRecord, group, eligibleAt });
    }
  }

  /**
   * With a policy's dial order: walks the sorted book from the best peer and returns its first address
   * eligible now, the same answer rankCandidates would give over every candidate.
   */
  private firstInOrder(index: DialOrderIndex, context: PolicyContext): DialCandidate | undefined {
    const groupRoom = new Map<string, boolean>();
    const found: DialCandidate[] = [];
    for (const entry of index.walk()) {
      this.entryCandidates(entry, context, groupRoom, found);
      for (const candidate of found) if (candidate.eligibleAt <= context.now) return candidate;
      found.length = 0;
    }
    return undefined;
  }

  /**
   * The candidates that may replace `victim` (an upgrade dial), whenever they become eligible. With a
   * score order, only the front of the index: the walk stops at the first peer not above the bar.
   */
  private upgradeCandidates(context: PolicyContext, victim: PeerView | undefined): DialCandidate[] {
    if (victim === undefined) return [];
    if (this.byScore === undefined) return this.candidates(context, (peer) => this.policy.mayReplace(peer, victim));
    const out: DialCandidate[] = [];
    const bar = this.policy.upgradeBar!(victim);
    if (bar === undefined) return out;
    const groupRoom = new Map<string, boolean>();
    for (const entry of this.byScore.walk()) {
      if (!(this.policy.score(this.view(entry)) > bar)) break;
      this.entryCandidates(entry, context, groupRoom, out);
    }
    return out;
  }

  /**
   * The least eligibleAt of any candidate, or undefined when there is none; it stops at the first one
   * not after `enough` (and returns it), when the caller needs nothing sooner.
   */
  private earliestAny(context: PolicyContext, enough: number): number | undefined {
    const groupRoom = new Map<string, boolean>();
    const found: DialCandidate[] = [];
    let best: number | undefined;
    for (const entry of this.book.values()) {
      this.entryCandidates(entry, context, groupRoom, found);
      for (const c of found) if (best === undefined || c.eligibleAt < best) best = c.eligibleAt;
      found.length = 0;
      if (best !== undefined && best <= enough) return best;
    }
    return best;
  }

  /** The best candidate eligible now, or undefined. */
  choose(context: PolicyContext): DialChoice | undefined {
    const slots = this.slots(context);
    if (!slots.normal && !slots.upgrade) return undefined;
    if (slots.normal && this.index !== undefined) {
      const candidate = this.firstInOrder(this.index, context);
      return candidate === undefined ? undefined : { candidate, victim: undefined, rotation: false };
    }
    const victim = slots.victims[0];
    const rotationVictim = slots.rotationVictim;
    const rotating = rotationVictim !== undefined && context.now >= this.rotation.dueAt(context.now)!;
    // Only a free slot or a due rotation needs every candidate; an upgrade needs those above the victim.
    const pool = slots.normal || rotating ? this.candidates(context) : this.upgradeCandidates(context, victim);
    const eligible = pool.filter((c) => c.eligibleAt <= context.now);
    if (eligible.length === 0) return undefined;
    const ranked = this.policy.rankCandidates(eligible, context);
    // A policy must return a permutation; anything it dropped is still considered, last.
    const ordered =
      ranked.length === eligible.length
        ? ranked
        : [...ranked, ...eligible.filter((c) => !ranked.includes(c))];
    for (const candidate of ordered) {
      if (slots.normal) return { candidate, victim: undefined, rotation: false };
      if (victim !== undefined && this.policy.mayReplace(candidate.peer, victim))
        return { candidate, victim: victim.id, rotation: false };
    }
    if (!rotating) return undefined;
    const candidate = eligible[randomBelow(context.random, eligible.length)]!;
    return { candidate, victim: rotationVictim.id, rotation: true };
  }

  /** The earliest epoch ms at which choose() could return a candidate without another event. */
  earliest(context: PolicyContext): number | undefined {
    const slots = this.slots(context);
    if (!slots.normal && !slots.upgrade) return undefined;
    if (slots.normal) return this.earliestAny(context, Number.NEGATIVE_INFINITY);
    // An upgrade candidate may go when it is eligible; any candidate may go as the rotation once that
    // is due, so for the rotation the first address eligible by then settles it.
    let best: number | undefined;
    for (const c of this.upgradeCandidates(context, slots.victims[0]))
      if (best === undefined || c.eligibleAt < best) best = c.eligibleAt;
    if (slots.rotationVictim !== undefined) {
      const rotationAt = this.rotation.dueAt(context.now)!;
      const any = this.earliestAny(context, rotationAt);
      if (any !== undefined) best = Math.min(best ?? Infinity, Math.max(any, rotationAt));
    }
    return best;
  }
}
