// The state one PeerManager works on and the small operations every part of it shares: the book of
// stored peers, the connection table, the policy, time and randomness, and the bookkeeping that must be
// done the same way wherever it happens (a peer's read-only view, a failed dial's backoff, a ban, an
// event shown to the policy, pruning the store to its limit, a refusal counted, gauges refreshed).
// peer-manager.ts runs the call protocol on it; admission.ts and advertise.ts are parts of that
// protocol kept in their own files.

import type { Clock } from '../../core/clock.ts';
import type { PeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { formatNodeAddress, peerIdOf, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import { ConnectionTable } from './connection-table.ts';
import { PeerBook, type BookEntry } from './peer-book.ts';
import type { PeerMetrics } from './peer-metrics.ts';
import type { PeerEvent, PeerPolicy, PeerView, PolicyContext } from './policy.ts';
import type { PeerStore } from './types.ts';

export interface PeerStateOptions {
  readonly store: PeerStore;
  readonly policy: PeerPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: PeerMetrics;
  readonly persistentIds: ReadonlySet<NodeId>;
  readonly privateIds: ReadonlySet<NodeId>;
  /** Tells the router's loops that something changed (PeerManager.onWake listeners). */
  readonly wake: () => void;
}

export class PeerState {
  readonly policy: PeerPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: PeerMetrics;
  readonly table = new ConnectionTable();
  readonly viewOf = (entry: BookEntry): PeerView => this.view(entry);
  /** Tells the router's loops that something changed. */
  readonly wake: () => void;
  private readonly persistentIds: ReadonlySet<NodeId>;
  private readonly privateIds: ReadonlySet<NodeId>;
  /** The stored peers, over the PeerStore. */
  readonly book: PeerBook;

  constructor(options: PeerStateOptions) {
    this.policy = options.policy;
    this.clock = options.clock;
    this.random = options.random;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.persistentIds = options.persistentIds;
    this.privateIds = options.privateIds;
    this.wake = options.wake;
    this.book = new PeerBook(options.store, this.policy.limits.maxAddressesPerPeer, this.logger);
  }

  context(): PolicyContext {
    return { now: this.clock.now(), random: this.random };
  }

  /** Marks an entry persistent or private as configured. */
  configure(entry: BookEntry): BookEntry {
    entry.persistent = this.persistentIds.has(entry.record.id);
    entry.private = this.privateIds.has(entry.record.id);
    return entry;
  }

  /** The read-only view of a peer a policy is shown. */
  view(entry: BookEntry): PeerView {
    const id = entry.record.id;
    const c = this.table.connected.get(id);
    return {
      id,
      record: entry.record,
      persistent: entry.persistent,
      private: entry.private,
      direction: c?.direction,
      ready: c?.ready ?? false,
      dialing: this.table.dialing.has(id),
      evicting: this.table.evicting.has(id),
      lastDisconnected: entry.lastDisconnected,
    };
  }

  /** Whether an entry holds anything worth keeping besides addresses. */
  hasHistory(entry: BookEntry): boolean {
    const r = entry.record;
    return (
      r.inactive ||
      r.mutableScore !== 0 ||
      r.bannedUntil !== undefined ||
      r.lastConnected !== undefined ||
      entry.persistent
    );
  }

  /** Counts a failed dial of one address and schedules its retry by the policy's backoff. */
  recordFailure(entry: BookEntry, text: string): void {
    const record = this.book.addressRecord(entry, text);
    if (record === undefined) return;
    const now = this.clock.now();
    record.dialFailures = Math.min(record.dialFailures + 1, 1_000_000);
    record.lastDialFailure = now;
    const delay = this.policy.retryDelay(this.view(entry), record, this.random);
    entry.retryAt.set(text, now + delay);
  }

  applyBan(entry: BookEntry, banFor: number): void {
    if (!(banFor > 0)) return;
    const until = this.clock.now() + banFor;
    entry.record.bannedUntil = Math.max(entry.record.bannedUntil ?? 0, until);
    this.metrics.bans.inc();
    this.logger.info({ peer: entry.record.id, until: entry.record.bannedUntil }, 'peer banned');
  }

  /** Shows an event to the policy; returns true when it changed the peer's persisted fields. */
  observe(entry: BookEntry, event: PeerEvent): boolean {
    if (this.policy.observe === undefined) return false;
    const fields = entry.record.policy ?? {};
    let changed = false;
    try {
      changed = this.policy.observe(this.view(entry), fields, event, this.context());
    } catch (error) {
      this.logger.error({ err: error, event: event.type }, 'policy observe() threw');
    }
    if (changed) entry.record.policy = fields;
    return changed;
  }

  /** Stores an address if the policy admits it and it is new; returns its peer id then. */
  insert(selfId: NodeId, address: NodeAddress, source: NodeId | undefined, detail: unknown): NodeId | undefined {
    const id = peerIdOf(address);
    if (id === selfId) return undefined;
    const text = formatNodeAddress(address);
    let entry = this.book.get(id);
    // An address already held changes nothing (addAddress would refuse it): most of an answer, once a
    // network has formed. admitAddress is a pure question, so asking it first or not at all is the same.
    if (entry?.parsed.has(text) === true || !this.policy.admitAddress(address, source, detail)) return undefined;
    const isNew = entry === undefined;
    entry ??= this.configure(this.book.create(id));
    if (!this.book.addAddress(entry, address, text)) {
      if (isNew) this.book.remove(id);
      return undefined;
    }
    this.observe(
      entry,
      detail === undefined ? { type: 'added', address, source } : { type: 'added', address, source, detail },
    );
    this.book.save(entry);
    return id;
  }

  /** Prunes the book after inserts; returns how many of the inserted ids it kept. */
  settle(ids: readonly NodeId[]): number {
    if (ids.length === 0) return 0;
    this.prune();
    let kept = 0;
    for (const id of ids) if (this.book.get(id) !== undefined) kept++;
    if (kept > 0) {
      this.refreshGauges();
      this.wake();
    }
    return kept;
  }

  /** Removes the lowest-ranked unprotected peers while the store is above maxPeers. */
  prune(): void {
    const max = this.policy.limits.maxPeers;
    if (this.book.size <= max) return;
    const unprotected: PeerView[] = [];
    for (const entry of this.book.values()) {
      if (entry.persistent || this.table.isBusy(entry.record.id)) continue;
      unprotected.push(this.view(entry));
    }
    const order = this.policy.pruneOrder(unprotected, this.context(), this.book.size - max);
    for (const peer of order) {
      if (this.book.size <= max) break;
      this.book.remove(peer.id);
    }
    if (this.book.size > max)
      this.logger.warn({ size: this.book.size, max }, 'peer store above its limit: every peer is protected');
  }

  /** Counts a refusal by its code and returns the error to throw. */
  refused(error: PeerwireError): PeerwireError {
    this.metrics.refused.inc({ code: error.code });
    return error;
  }

  refreshGauges(): void {
    this.metrics.connected.set(this.table.count('inbound'), { direction: 'inbound' });
    this.metrics.connected.set(this.table.count('outbound'), { direction: 'outbound' });
    this.metrics.stored.set(this.book.size);
  }
}

/** A PeerManager's counts (PeerManager.stats); inbound/outbound count the slot each peer uses. */
export interface PeerStats {
  readonly stored: number;
  readonly connected: number;
  readonly inbound: number;
  readonly outbound: number;
  readonly dialing: number;
  readonly upgrading: number;
  /** 1 while a rotation dial (outbound-rotation.ts) is in progress. */
  readonly rotating: number;
  readonly evicting: number;
  /** Guests (guests.ts): newcomers being answered while the inbound side is full. */
  readonly guests: number;
}

export function peerStats(state: PeerState): PeerStats {
  const table = state.table;
  return {
    stored: state.book.size,
    connected: table.count(),
    inbound: table.count('inbound'),
    outbound: table.count('outbound'),
    dialing: table.dialing.size,
    upgrading: table.upgradesInFlight(),
    rotating: table.rotationInFlight() ? 1 : 0,
    evicting: table.evicting.size,
    guests: table.guests.size,
  };
}
