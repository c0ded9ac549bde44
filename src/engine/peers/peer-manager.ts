// The PeerManager: the I/O-free state machine that decides whom to dial, whom to admit, whom to evict
// and what to remember about peers, for every wire. The router does all I/O and reports what happened
// through the call protocol in types.ts; time comes from the injected Clock, randomness from an
// injected source, persistence goes through the PeerStore. Per-wire rules come from a PeerPolicy
// (TendermintPolicy by default); the limits it declares are enforced here, at every admission, so no
// sequence of events can take the node above them.
//
// State: the book (peer-book.ts: records, per-address retry times), the connection table
// (connection-table.ts: dialing, connected, ready, eviction marks) and the dial planner
// (dial-planner.ts). Duplicate connections resolve deterministically: the connection dialed by the
// node with the lower id wins on both sides, so a simultaneous dial both ways settles on one
// connection without flapping.

import { toPeerwireError, type PeerwireError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { formatNodeAddress, peerIdOf, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';
import { ConnectionTable } from './connection-table.ts';
import { DialPlanner } from './dial-planner.ts';
import { checkAdmission, evictionCandidates, exceededBudget } from './eviction.ts';
import { Listeners } from './listeners.ts';
import { MemoryPeerStore } from './memory-peer-store.ts';
import { PeerBook, type BookEntry } from './peer-book.ts';
import { createPeerMetrics, type PeerMetrics } from './peer-metrics.ts';
import * as refuse from './peer-errors.ts';
import {
  validateLimits,
  type PeerEvent,
  type PeerPolicy,
  type PeerView,
  type PolicyContext,
} from './policy.ts';
import { clampScore } from './scoring.ts';
import { TendermintPolicy } from './tendermint-policy.ts';
import type { Admission, PeerManagerApi, PeerStore, PeerUpdate } from './types.ts';

/**
 * An outbound connection that ends sooner than this after its handshake counts as a failed dial
 * (ms). Long enough to cover a remote's post-handshake refusal (Go closes within milliseconds), short
 * enough that an honest peer restarting after running a while is redialed at the normal pace.
 */
export const MIN_STABLE_CONNECTION_MS = 10_000;

export interface PeerManagerOptions {
  /** Our own node id: never stored, dialed or admitted. */
  readonly selfId: NodeId;
  /** Time source (RealClock in a node, ManualClock in tests). */
  readonly clock: Clock;
  /** Where records persist. Default: a MemoryPeerStore (nothing survives a restart). */
  readonly store?: PeerStore;
  /** The wire's rules. Default: `new TendermintPolicy()` with Tendermint v0.35's defaults. */
  readonly policy?: PeerPolicy;
  /** Operator-configured peers: added at start, always redialed, preferred, never pruned. Default none. */
  readonly persistentPeers?: readonly NodeAddress[];
  /** Peers never advertised in address exchange. Default none. */
  readonly privatePeerIds?: readonly NodeId[];
  /** Uniform random source in [0, 1) for jitter and tie-breaks. Default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export class PeerManager implements PeerManagerApi {
  readonly selfId: NodeId;
  readonly policy: PeerPolicy;
  private readonly clock: Clock;
  private readonly store: PeerStore;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly metrics: PeerMetrics;
  private readonly book: PeerBook;
  private readonly table = new ConnectionTable();
  private readonly planner: DialPlanner;
  private readonly viewOf = (entry: BookEntry): PeerView => this.view(entry);
  private readonly persistentPeers: readonly NodeAddress[];
  private readonly persistentIds: ReadonlySet<NodeId>;
  private readonly privateIds: ReadonlySet<NodeId>;
  private readonly wakeListeners: Listeners<undefined>;
  private readonly updateListeners: Listeners<PeerUpdate>;
  private lastDialAt = -Infinity;
  /** Failures of the address being admitted in dialed(), before the successful handshake reset them. */
  private failuresBeforeDial = 0;
  private started = false;

  constructor(options: PeerManagerOptions) {
    this.selfId = options.selfId;
    this.clock = options.clock;
    this.policy = options.policy ?? new TendermintPolicy();
    this.store = options.store ?? new MemoryPeerStore();
    this.random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger).child({ component: 'peer-manager' });
    this.metrics = createPeerMetrics(options.metrics ?? noopMetrics);
    this.persistentPeers = options.persistentPeers ?? [];
    this.persistentIds = new Set(this.persistentPeers.map(peerIdOf));
    this.privateIds = new Set(options.privatePeerIds ?? []);
    validateLimits(this.policy.limits, this.policy.name, this.persistentIds.size);
    this.book = new PeerBook(this.store, this.policy.limits.maxAddressesPerPeer, this.logger);
    this.planner = new DialPlanner(this.book, this.table, this.policy, this.viewOf);
    this.wakeListeners = new Listeners(this.logger, 'wake');
    this.updateListeners = new Listeners(this.logger, 'peer update');
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    let records: unknown[] = [];
    try {
      records = await this.store.load();
    } catch (error) {
      this.logger.error({ err: toPeerwireError(error) }, 'peer store failed to load; starting empty');
    }
    const now = this.clock.now();
    for (const entry of this.book.load(records, this.selfId)) {
      this.configure(entry);
      const peer = this.view(entry);
      for (const a of entry.record.addresses) {
        if (a.dialFailures === 0 || a.lastDialFailure === undefined) continue;
        const delay = this.policy.retryDelay(peer, a, this.random);
        entry.retryAt.set(a.address, Math.min(a.lastDialFailure, now) + delay);
      }
    }
    for (const address of this.persistentPeers) {
      if (!this.add(address)) {
        const known = this.book.get(peerIdOf(address))?.parsed.has(formatNodeAddress(address)) === true;
        if (!known)
          this.logger.warn(
            { address: formatNodeAddress(address) },
            'persistent peer address refused by the policy',
          );
      }
    }
    this.prune();
    this.refreshGauges();
    this.wake();
  }

  async stop(): Promise<void> {
    this.wakeListeners.clear();
    this.updateListeners.clear();
    await this.store.flush();
  }

  onWake(listener: () => void): () => void {
    return this.wakeListeners.add(listener);
  }

  subscribe(listener: (update: PeerUpdate) => void): () => void {
    return this.updateListeners.add(listener);
  }

  // ---- the store -------------------------------------------------------------------------------

  /**
   * Adds an address (see PeerManagerApi.add). `detail` is wire metadata handed to the policy's
   * admitAddress and shown with the `added` event (Zebra's gossiped services and last-seen time).
   */
  add(address: NodeAddress, source?: NodeId, detail?: unknown): boolean {
    const id = peerIdOf(address);
    if (id === this.selfId || !this.policy.admitAddress(address, source, detail)) return false;
    const text = formatNodeAddress(address);
    let entry = this.book.get(id);
    const isNew = entry === undefined;
    entry ??= this.configure(this.book.create(id));
    if (!this.book.addAddress(entry, address, text)) {
      if (isNew) this.book.remove(id);
      return false;
    }
    this.observe(
      entry,
      detail === undefined ? { type: 'added', address, source } : { type: 'added', address, source, detail },
    );
    this.book.save(entry);
    this.prune();
    if (this.book.get(id) === undefined) return false;
    this.refreshGauges();
    this.wake();
    return true;
  }

  /**
   * Shows a policy-specific change about a stored peer to the policy (`{ type: 'policy', detail }`),
   * persisting what it changes: how a wire reports facts the call protocol has no method for (Zebra's
   * heartbeat answers, misbehaviour scores). Returns false when the peer is unknown.
   */
  notify(id: NodeId, detail: unknown): boolean {
    const entry = this.book.get(id);
    if (entry === undefined) return false;
    if (this.observe(entry, { type: 'policy', detail })) {
      this.book.save(entry);
      this.wake();
    }
    return true;
  }

  /**
   * Removes a stored peer that is neither connected, dialing nor persistent (Zebra drops every entry
   * of a banned IP). Returns true when it was removed.
   */
  forget(id: NodeId): boolean {
    const entry = this.book.get(id);
    if (entry === undefined || entry.persistent || this.table.isBusy(id)) return false;
    this.book.remove(id);
    this.refreshGauges();
    return true;
  }

  // ---- dialing ---------------------------------------------------------------------------------

  dialNext(): NodeAddress | undefined {
    const context = this.context();
    if (context.now < this.lastDialAt + this.policy.limits.minDialInterval) return undefined;
    const choice = this.planner.choose(context);
    if (choice === undefined) return undefined;
    const { candidate, victim } = choice;
    const text = candidate.addressRecord.address;
    this.table.dialing.set(candidate.peer.id, {
      address: candidate.address,
      text,
      group: candidate.group,
      upgrade: victim !== undefined,
      upgradeVictim: victim,
    });
    this.lastDialAt = context.now;
    this.metrics.dials.inc({ result: victim === undefined ? 'started' : 'upgrade' });
    const entry = this.book.get(candidate.peer.id)!;
    if (this.observe(entry, { type: 'dialing', address: candidate.address })) this.book.save(entry);
    return candidate.address;
  }

  nextDialTime(): number | undefined {
    const context = this.context();
    const at = this.planner.earliest(context);
    if (at === undefined) return undefined;
    // Never in the past: "now" means dialNext() has an answer right away.
    return Math.max(at, context.now, this.lastDialAt + this.policy.limits.minDialInterval);
  }

  dialFailed(address: NodeAddress, error?: PeerwireError): void {
    const id = peerIdOf(address);
    const text = formatNodeAddress(address);
    const dial = this.table.dialing.get(id);
    if (dial?.text !== text) {
      this.logger.debug({ address: text }, 'dialFailed for an address that is not being dialed');
      return;
    }
    this.table.dialing.delete(id);
    this.metrics.dials.inc({ result: 'failed' });
    const entry = this.book.get(id);
    if (entry !== undefined) {
      this.recordFailure(entry, text);
      this.observe(entry, { type: 'dial-failed', address, error });
      this.book.save(entry);
    }
    this.wake();
  }

  dialed(address: NodeAddress, info: PeerInfo): Admission {
    const id = peerIdOf(address);
    const text = formatNodeAddress(address);
    const dial = this.table.dialing.get(id);
    if (dial?.text !== text) throw this.refused(refuse.notDialingError(text));
    this.table.dialing.delete(id);
    try {
      return this.admitDialed(id, text, address, info, dial.group, dial.upgradeVictim);
    } finally {
      // Listeners run after the state is final: a dial slot was released whatever the outcome.
      this.wake();
    }
  }

  private admitDialed(
    id: NodeId,
    text: string,
    address: NodeAddress,
    info: PeerInfo,
    group: string,
    upgradeVictim: NodeId | undefined,
  ): Admission {
    const entry = this.book.get(id) ?? this.configure(this.book.create(id));
    if (info.id === this.selfId) {
      // Our own address came back to us (gossip, or a wire that names peers by address): forget it.
      this.book.removeAddress(entry, text);
      if (entry.record.addresses.length === 0 && !entry.persistent) this.book.remove(id);
      else this.book.save(entry);
      throw this.refused(refuse.selfConnectionError());
    }
    if (address.id !== undefined && info.id !== id) {
      this.recordFailure(entry, text);
      this.book.save(entry);
      throw this.refused(refuse.idMismatchError(id, info.id));
    }
    const record = this.book.addressRecord(entry, text);
    this.failuresBeforeDial = record?.dialFailures ?? 0;
    if (record !== undefined) {
      record.dialFailures = 0;
      record.lastDialSuccess = this.clock.now();
      entry.retryAt.delete(text);
    }
    this.book.save(entry);
    this.metrics.dials.inc({ result: 'connected' });
    return this.admit(entry, 'outbound', info, group, upgradeVictim, address);
  }

  accepted(id: NodeId, info: PeerInfo): Admission {
    if (id === this.selfId || info.id === this.selfId) throw this.refused(refuse.selfConnectionError());
    const entry = this.book.get(id) ?? this.configure(this.book.create(id));
    try {
      return this.admit(entry, 'inbound', info, undefined, undefined, undefined);
    } finally {
      // A new address-less entry for a refused peer is not worth keeping.
      if (!this.table.connected.has(id) && entry.record.addresses.length === 0 && !this.hasHistory(entry)) {
        this.book.remove(id);
      }
      this.prune();
      this.refreshGauges();
    }
  }

  /** Admits a handshaken connection or throws the reason it is refused (see the file comment). */
  private admit(
    entry: BookEntry,
    direction: Direction,
    info: PeerInfo,
    group: string | undefined,
    upgradeVictim: NodeId | undefined,
    address: NodeAddress | undefined,
  ): Admission {
    const id = entry.record.id;
    const now = this.clock.now();
    if ((entry.record.bannedUntil ?? 0) > now)
      throw this.refused(refuse.bannedError(id, entry.record.bannedUntil!));
    if (entry.record.inactive) throw this.refused(refuse.inactiveError(id));
    const existing = this.table.connected.get(id);
    if (existing !== undefined) {
      const newWins =
        existing.direction !== direction && (direction === 'outbound' ? this.selfId < id : id < this.selfId);
      if (!newWins) throw this.refused(refuse.duplicateError(id, existing.direction));
      existing.direction = direction;
      existing.group = group;
      existing.info = info;
      existing.ready = false;
      if (this.table.evicting.delete(id)) this.table.evictMarks.add(id);
      this.logger.debug({ peer: id, direction }, 'duplicate connection replaces the existing one');
      this.refreshGauges();
      return { replacesExisting: true };
    }
    const context = this.context();
    if (this.policy.admitConnection !== undefined) {
      const others: PeerView[] = [];
      for (const otherId of this.table.connected.keys()) {
        const other = this.book.get(otherId);
        if (other !== undefined) others.push(this.view(other));
      }
      const refusal = this.policy.admitConnection(this.view(entry), direction, others, context);
      if (refusal !== undefined) throw this.refused(refusal);
    }
    const check = checkAdmission(
      this.table,
      this.book,
      this.policy,
      this.viewOf,
      context,
      this.view(entry),
      direction,
      upgradeVictim,
    );
    if (check.kind === 'full') throw this.refused(refuse.fullError(id, direction));
    const victim = check.kind === 'replace' ? check.victim : undefined;
    this.table.connect(
      id,
      direction,
      group,
      info,
      now,
      address === undefined ? undefined : formatNodeAddress(address),
      address === undefined ? 0 : this.failuresBeforeDial,
    );
    if (victim !== undefined) {
      this.table.evictMarks.add(victim);
      this.logger.debug({ peer: id, victim }, 'admitted over the limit; evicting a lower-ranked peer');
    }
    entry.record.lastConnected = now;
    this.observe(entry, { type: 'connected', direction, info, address });
    this.book.save(entry);
    this.refreshGauges();
    if (victim !== undefined) this.wake();
    return { replacesExisting: false };
  }

  ready(id: NodeId, info: PeerInfo, direction: Direction): void {
    const c = this.table.connected.get(id);
    const entry = this.book.get(id);
    if (c === undefined || entry === undefined) {
      this.logger.debug({ peer: id }, 'ready() for a peer that is not connected');
      return;
    }
    c.ready = true;
    c.direction = direction;
    c.info = info;
    entry.record.lastConnected = this.clock.now();
    this.observe(entry, { type: 'ready', direction, info });
    this.book.save(entry);
    if (!c.announced) {
      c.announced = true;
      this.updateListeners.emit({ id, status: 'up', direction, info });
    }
    this.refreshGauges();
    this.wake();
  }

  disconnected(id: NodeId, reason?: PeerwireError): void {
    const c = this.table.disconnect(id);
    if (c === undefined) return;
    const now = this.clock.now();
    const entry = this.book.get(id);
    if (entry !== undefined) {
      entry.lastDisconnected = now;
      entry.record.lastConnected = now;
      // A peer that hangs up right after the handshake (it banned us, it is full, it dislikes our
      // NodeInfo) would otherwise be redialed at the cooldown rate forever, since the handshake reset
      // its failures: a short-lived outbound connection counts as a failed dial, so backoff grows.
      if (c.dialedAddress !== undefined && now - c.since < MIN_STABLE_CONNECTION_MS) {
        const record = this.book.addressRecord(entry, c.dialedAddress);
        if (record !== undefined) record.dialFailures = c.failuresBefore;
        this.recordFailure(entry, c.dialedAddress);
      }
      // A connection closed for a bannable offence bans the peer even if nobody called errored().
      if (reason !== undefined && reason.action === 'ban')
        this.applyBan(entry, this.policy.judgeError(this.view(entry), reason).banFor);
      this.observe(entry, { type: 'disconnected', reason });
      this.book.save(entry);
    }
    if (c.announced)
      this.updateListeners.emit(
        reason === undefined ? { id, status: 'down' } : { id, status: 'down', reason },
      );
    this.prune();
    this.refreshGauges();
    this.wake();
  }

  // ---- behaviour -------------------------------------------------------------------------------

  errored(id: NodeId, error: PeerwireError): void {
    if (id === this.selfId) return;
    let entry = this.book.get(id);
    const verdict = this.policy.judgeError(entry === undefined ? undefined : this.view(entry), error);
    if (entry === undefined) {
      // Only a ban is worth remembering about a peer we know nothing else about.
      if (verdict.banFor <= 0) return;
      entry = this.configure(this.book.create(id));
    }
    entry.record.mutableScore = clampScore(entry.record.mutableScore + verdict.scoreDelta);
    this.applyBan(entry, verdict.banFor);
    if ((verdict.evict || verdict.banFor > 0) && this.table.connected.has(id)) this.table.evictMarks.add(id);
    this.observe(entry, { type: 'errored', error });
    this.book.save(entry);
    this.prune();
    this.refreshGauges();
    this.wake();
  }

  report(id: NodeId, behaviour: 'good' | 'bad'): void {
    const entry = this.book.get(id);
    if (entry === undefined) return;
    entry.record.mutableScore = clampScore(entry.record.mutableScore + (behaviour === 'good' ? 1 : -1));
    this.observe(entry, { type: 'reported', behaviour });
    this.book.save(entry);
    this.wake();
  }

  inactivate(id: NodeId): void {
    if (id === this.selfId) return;
    const entry = this.book.get(id) ?? this.configure(this.book.create(id));
    entry.record.inactive = true;
    if (this.table.connected.has(id)) this.table.evictMarks.add(id);
    this.book.save(entry);
    this.prune();
    this.refreshGauges();
    this.wake();
  }

  // ---- eviction --------------------------------------------------------------------------------

  evictNext(): NodeId | undefined {
    for (const id of this.table.evictMarks) {
      const c = this.table.connected.get(id);
      if (c === undefined) {
        this.table.evictMarks.delete(id);
        continue;
      }
      if (!c.ready || this.table.evicting.has(id)) continue;
      this.table.evictMarks.delete(id);
      return this.handOutEviction(id, 'marked');
    }
    const side = exceededBudget(this.table, this.policy.limits);
    if (side === undefined) return undefined;
    const order = evictionCandidates(this.table, this.book, this.policy, this.viewOf, this.context(), {
      slot: side === 'any' ? undefined : side,
      skipMarked: false,
    });
    const victim = order[0];
    return victim === undefined ? undefined : this.handOutEviction(victim.id, 'over_limit');
  }

  private handOutEviction(id: NodeId, reason: 'marked' | 'over_limit'): NodeId {
    this.table.evicting.add(id);
    this.metrics.evictions.inc({ reason });
    return id;
  }

  // ---- address exchange ------------------------------------------------------------------------

  advertise(asker: NodeId, limit: number): NodeAddress[] {
    const max = Math.max(
      0,
      Math.min(Math.trunc(limit), this.policy.limits.maxPeers * this.policy.limits.maxAddressesPerPeer),
    );
    if (max === 0) return [];
    const now = this.clock.now();
    const shareable = (entry: BookEntry | undefined): entry is BookEntry =>
      entry !== undefined &&
      entry.record.id !== asker &&
      entry.record.id !== this.selfId &&
      !entry.private &&
      !entry.record.inactive &&
      (entry.record.bannedUntil ?? 0) <= now;
    const peers: PeerView[] = [];
    for (const entry of this.book.values())
      if (shareable(entry) && entry.record.addresses.length > 0) peers.push(this.view(entry));
    const chosen = this.policy.selectAdvertised(peers, max, this.context());
    const out: NodeAddress[] = [];
    const seen = new Set<string>();
    for (const address of chosen) {
      const text = formatNodeAddress(address);
      const entry = this.book.get(peerIdOf(address));
      if (seen.has(text) || !shareable(entry) || !entry.parsed.has(text)) continue;
      seen.add(text);
      out.push(address);
      if (out.length >= max) break;
    }
    return out;
  }

  // ---- inspection (tests, status pages) --------------------------------------------------------

  /** A read-only snapshot of one peer, or undefined when unknown. */
  peer(id: NodeId): PeerView | undefined {
    const entry = this.book.get(id);
    return entry === undefined ? undefined : this.view(entry);
  }

  /** Every stored peer. */
  peers(): PeerView[] {
    return [...this.book.values()].map((e) => this.view(e));
  }

  /** Counts for status pages and invariant checks; inbound/outbound count the slot each peer uses. */
  stats(): {
    stored: number;
    connected: number;
    inbound: number;
    outbound: number;
    dialing: number;
    upgrading: number;
    evicting: number;
  } {
    return {
      stored: this.book.size,
      connected: this.table.count(),
      inbound: this.table.count('inbound'),
      outbound: this.table.count('outbound'),
      dialing: this.table.dialing.size,
      upgrading: this.table.upgradesInFlight(),
      evicting: this.table.evicting.size,
    };
  }

  /** The policy's score of a peer (undefined when unknown). */
  score(id: NodeId): number | undefined {
    const entry = this.book.get(id);
    return entry === undefined ? undefined : this.policy.score(this.view(entry));
  }

  /** The address group an outbound connection counts against, for dialing or connected peers. */
  outboundGroup(id: NodeId): string | undefined {
    return this.table.dialing.get(id)?.group ?? this.table.connected.get(id)?.group;
  }

  // ---- internals -------------------------------------------------------------------------------

  private context(): PolicyContext {
    return { now: this.clock.now(), random: this.random };
  }

  private configure(entry: BookEntry): BookEntry {
    entry.persistent = this.persistentIds.has(entry.record.id);
    entry.private = this.privateIds.has(entry.record.id);
    return entry;
  }

  private view(entry: BookEntry): PeerView {
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

  private hasHistory(entry: BookEntry): boolean {
    const r = entry.record;
    return (
      r.inactive ||
      r.mutableScore !== 0 ||
      r.bannedUntil !== undefined ||
      r.lastConnected !== undefined ||
      entry.persistent
    );
  }

  private recordFailure(entry: BookEntry, text: string): void {
    const record = this.book.addressRecord(entry, text);
    if (record === undefined) return;
    const now = this.clock.now();
    record.dialFailures = Math.min(record.dialFailures + 1, 1_000_000);
    record.lastDialFailure = now;
    const delay = this.policy.retryDelay(this.view(entry), record, this.random);
    entry.retryAt.set(text, now + delay);
  }

  private applyBan(entry: BookEntry, banFor: number): void {
    if (!(banFor > 0)) return;
    const until = this.clock.now() + banFor;
    entry.record.bannedUntil = Math.max(entry.record.bannedUntil ?? 0, until);
    this.metrics.bans.inc();
    this.logger.info({ peer: entry.record.id, until: entry.record.bannedUntil }, 'peer banned');
  }

  private observe(entry: BookEntry, event: PeerEvent): boolean {
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

  /** Removes the lowest-ranked unprotected peers while the store is above maxPeers. */
  private prune(): void {
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

  private refused(error: PeerwireError): PeerwireError {
    this.metrics.refused.inc({ code: error.code });
    return error;
  }

  private wake(): void {
    this.wakeListeners.emit(undefined);
  }

  private refreshGauges(): void {
    this.metrics.connected.set(this.table.count('inbound'), { direction: 'inbound' });
    this.metrics.connected.set(this.table.count('outbound'), { direction: 'outbound' });
    this.metrics.stored.set(this.book.size);
  }
}
