// The PeerManager: the I/O-free state machine that decides whom to dial, whom to admit, whom to evict
// and what to remember about peers, for every wire. The router does all I/O and reports what happened
// through the call protocol in types.ts; time comes from the injected Clock, randomness from an
// injected source, persistence goes through the PeerStore. Per-wire rules come from a PeerPolicy
// (TendermintPolicy by default); the limits it declares are enforced here, at every admission, so no
// sequence of events can take the node above them.
//
// State (peer-state.ts): the book (peer-book.ts: records, per-address retry times) and the connection
// table (connection-table.ts: dialing, connected, ready, eviction marks), with the bookkeeping every
// step shares. Parts of the protocol live beside it: the dial planner (dial-planner.ts), admission of a
// handshaken connection (admission.ts, including how duplicate connections resolve), eviction order
// (eviction.ts) and address exchange (advertise.ts).

import { toPeerwireError, type PeerwireError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { formatNodeAddress, peerIdOf, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';
import { admitConnection, admitDialed } from './admission.ts';
import { advertisedAddresses } from './advertise.ts';
import { DialPlanner } from './dial-planner.ts';
import { evictionCandidates, exceededBudget } from './eviction.ts';
import { guestLeft, guestReady } from './guests.ts';
import { Listeners } from './listeners.ts';
import { MemoryPeerStore } from './memory-peer-store.ts';
import { OutboundRotation } from './outbound-rotation.ts';
import { createPeerMetrics } from './peer-metrics.ts';
import { PeerState, peerStats, type PeerStats } from './peer-state.ts';
import * as refuse from './peer-errors.ts';
import { validateLimits, type PeerPolicy, type PeerView } from './policy.ts';
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
  private readonly store: PeerStore;
  private readonly state: PeerState;
  private readonly planner: DialPlanner;
  private readonly rotation: OutboundRotation;
  private readonly persistentPeers: readonly NodeAddress[];
  private readonly wakeListeners: Listeners<undefined>;
  private readonly updateListeners: Listeners<PeerUpdate>;
  private lastDialAt = -Infinity;
  private started = false;

  constructor(options: PeerManagerOptions) {
    this.selfId = options.selfId;
    this.policy = options.policy ?? new TendermintPolicy();
    this.store = options.store ?? new MemoryPeerStore();
    const logger = (options.logger ?? silentLogger).child({ component: 'peer-manager' });
    this.persistentPeers = options.persistentPeers ?? [];
    const persistentIds = new Set(this.persistentPeers.map(peerIdOf));
    validateLimits(this.policy.limits, this.policy.name, persistentIds.size);
    this.state = new PeerState({
      store: this.store,
      policy: this.policy,
      clock: options.clock,
      random: options.random ?? Math.random,
      logger,
      metrics: createPeerMetrics(options.metrics ?? noopMetrics),
      persistentIds,
      privateIds: new Set(options.privatePeerIds ?? []),
      wake: () => this.wakeListeners.emit(undefined),
    });
    this.rotation = new OutboundRotation(this.policy.limits.outboundRotationInterval ?? 0, this.state.random);
    this.planner = new DialPlanner(this.state.book, this.state.table, this.policy, this.state.viewOf, this.rotation);
    this.wakeListeners = new Listeners(logger, 'wake');
    this.updateListeners = new Listeners(logger, 'peer update');
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    let records: unknown[] = [];
    try {
      records = await this.store.load();
    } catch (error) {
      this.state.logger.error({ err: toPeerwireError(error) }, 'peer store failed to load; starting empty');
    }
    const now = this.state.clock.now();
    for (const entry of this.state.book.load(records, this.selfId)) {
      this.state.configure(entry);
      const peer = this.state.view(entry);
      for (const a of entry.record.addresses) {
        if (a.dialFailures === 0 || a.lastDialFailure === undefined) continue;
        const delay = this.policy.retryDelay(peer, a, this.state.random);
        entry.retryAt.set(a.address, Math.min(a.lastDialFailure, now) + delay);
      }
    }
    for (const address of this.persistentPeers) {
      if (!this.add(address)) {
        const known = this.state.book.get(peerIdOf(address))?.parsed.has(formatNodeAddress(address)) === true;
        if (!known)
          this.state.logger.warn(
            { address: formatNodeAddress(address) },
            'persistent peer address refused by the policy',
          );
      }
    }
    this.state.prune();
    this.state.refreshGauges();
    if (this.rotation.enabled) this.rotation.rotated(now);
    this.state.wake();
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
    const id = this.state.insert(this.selfId, address, source, detail);
    return id !== undefined && this.state.settle([id]) === 1;
  }

  /**
   * Adds the addresses of one answer (see PeerManagerApi.addAll), pruning the book once at the end
   * rather than once per address: a full book ranked itself for every address learned, the top cost
   * of a 1,000-node simulation's formation.
   */
  addAll(addresses: readonly NodeAddress[], source?: NodeId): number {
    const ids: NodeId[] = [];
    for (const address of addresses) {
      const id = this.state.insert(this.selfId, address, source, undefined);
      if (id !== undefined) ids.push(id);
    }
    return this.state.settle(ids);
  }

  /**
   * Shows a policy-specific change about a stored peer to the policy (`{ type: 'policy', detail }`),
   * persisting what it changes: how a wire reports facts the call protocol has no method for (Zebra's
   * heartbeat answers, misbehaviour scores). Returns false when the peer is unknown.
   *
   * `persist: false` changes the record in memory only, for frequent facts that are not worth a store
   * write each time (a heartbeat every minute per connection): the record reaches the store with the
   * peer's next persisted change, at the latest when it disconnects.
   */
  notify(id: NodeId, detail: unknown, options: { readonly persist?: boolean } = {}): boolean {
    const entry = this.state.book.get(id);
    if (entry === undefined) return false;
    if (this.state.observe(entry, { type: 'policy', detail })) {
      if (options.persist !== false) this.state.book.save(entry);
      this.state.wake();
    }
    return true;
  }

  /**
   * Removes a stored peer that is neither connected, dialing nor persistent (Zebra drops every entry
   * of a banned IP). Returns true when it was removed.
   */
  forget(id: NodeId): boolean {
    const entry = this.state.book.get(id);
    if (entry === undefined || entry.persistent || this.state.table.isBusy(id)) return false;
    this.state.book.remove(id);
    this.state.refreshGauges();
    return true;
  }

  // ---- dialing ---------------------------------------------------------------------------------

  dialNext(): NodeAddress | undefined {
    const context = this.state.context();
    if (context.now < this.lastDialAt + this.policy.limits.minDialInterval) return undefined;
    const choice = this.planner.choose(context);
    if (choice === undefined) return undefined;
    const { candidate, victim, rotation } = choice;
    const text = candidate.addressRecord.address;
    this.state.table.dialing.set(candidate.peer.id, {
      address: candidate.address,
      text,
      group: candidate.group,
      upgrade: victim !== undefined,
      upgradeVictim: victim,
      rotation,
    });
    this.lastDialAt = context.now;
    if (rotation) this.rotation.rotated(context.now);
    this.state.metrics.dials.inc({ result: rotation ? 'rotation' : victim === undefined ? 'started' : 'upgrade' });
    const entry = this.state.book.get(candidate.peer.id)!;
    if (this.state.observe(entry, { type: 'dialing', address: candidate.address }))
      this.state.book.save(entry);
    return candidate.address;
  }

  nextDialTime(): number | undefined {
    const context = this.state.context();
    const at = this.planner.earliest(context);
    if (at === undefined) return undefined;
    // Never in the past: "now" means dialNext() has an answer right away.
    return Math.max(at, context.now, this.lastDialAt + this.policy.limits.minDialInterval);
  }

  dialFailed(address: NodeAddress, error?: PeerwireError): void {
    const id = peerIdOf(address);
    const text = formatNodeAddress(address);
    const dial = this.state.table.dialing.get(id);
    if (dial?.text !== text) {
      this.state.logger.debug({ address: text }, 'dialFailed for an address that is not being dialed');
      return;
    }
    this.state.table.dialing.delete(id);
    this.state.metrics.dials.inc({ result: 'failed' });
    const entry = this.state.book.get(id);
    if (entry !== undefined) {
      this.state.recordFailure(entry, text);
      this.state.observe(entry, { type: 'dial-failed', address, error });
      this.state.book.save(entry);
    }
    this.state.wake();
  }

  dialed(address: NodeAddress, info: PeerInfo): Admission {
    const id = peerIdOf(address);
    const text = formatNodeAddress(address);
    const dial = this.state.table.dialing.get(id);
    if (dial?.text !== text) throw this.state.refused(refuse.notDialingError(text));
    this.state.table.dialing.delete(id);
    try {
      return admitDialed(this.state, this.selfId, text, address, info, dial.group, dial.upgradeVictim, dial.rotation);
    } finally {
      // Listeners run after the state is final: a dial slot was released whatever the outcome.
      this.state.wake();
    }
  }

  accepted(id: NodeId, info: PeerInfo): Admission {
    if (id === this.selfId || info.id === this.selfId) throw this.state.refused(refuse.selfConnectionError());
    const entry = this.state.book.get(id) ?? this.state.configure(this.state.book.create(id));
    try {
      return admitConnection(
        this.state,
        this.selfId,
        entry,
        'inbound',
        info,
        undefined,
        undefined,
        undefined,
        0,
      );
    } finally {
      // A new address-less entry for a refused peer is not worth keeping.
      if (
        !this.state.table.connected.has(id) &&
        entry.record.addresses.length === 0 &&
        !this.state.hasHistory(entry)
      ) {
        this.state.book.remove(id);
      }
      this.state.prune();
      this.state.refreshGauges();
    }
  }

  ready(id: NodeId, info: PeerInfo, direction: Direction): void {
    const guest = guestReady(this.state, id, info);
    if (guest !== undefined) return this.updateListeners.emit(guest);
    const c = this.state.table.connected.get(id);
    const entry = this.state.book.get(id);
    if (c === undefined || entry === undefined) {
      this.state.logger.debug({ peer: id }, 'ready() for a peer that is not connected');
      return;
    }
    c.ready = true;
    c.direction = direction;
    c.info = info;
    entry.record.lastConnected = this.state.clock.now();
    this.state.observe(entry, { type: 'ready', direction, info });
    this.state.book.save(entry);
    if (!c.announced) {
      c.announced = true;
      this.updateListeners.emit({ id, status: 'up', direction, info });
    }
    this.state.refreshGauges();
    this.state.wake();
  }

  disconnected(id: NodeId, reason?: PeerwireError): void {
    const guest = guestLeft(this.state, id);
    if (guest !== undefined) return guest === null ? undefined : this.updateListeners.emit(guest);
    const c = this.state.table.disconnect(id);
    if (c === undefined) return;
    const now = this.state.clock.now();
    const entry = this.state.book.get(id);
    if (entry !== undefined) {
      entry.lastDisconnected = now;
      entry.record.lastConnected = now;
      // A peer that hangs up right after the handshake (it banned us, it is full, it dislikes our
      // NodeInfo) would otherwise be redialed at the cooldown rate forever, since the handshake reset
      // its failures: a short-lived outbound connection counts as a failed dial, so backoff grows.
      if (c.dialedAddress !== undefined && now - c.since < MIN_STABLE_CONNECTION_MS) {
        const record = this.state.book.addressRecord(entry, c.dialedAddress);
        if (record !== undefined) record.dialFailures = c.failuresBefore;
        this.state.recordFailure(entry, c.dialedAddress);
      }
      // A connection closed for a bannable offence bans the peer even if nobody called errored().
      if (reason !== undefined && reason.action === 'ban')
        this.state.applyBan(entry, this.policy.judgeError(this.state.view(entry), reason).banFor);
      this.state.observe(entry, { type: 'disconnected', reason });
      this.state.book.save(entry);
    }
    if (c.announced)
      this.updateListeners.emit(
        reason === undefined ? { id, status: 'down' } : { id, status: 'down', reason },
      );
    this.state.prune();
    this.state.refreshGauges();
    this.state.wake();
  }

  // ---- behaviour -------------------------------------------------------------------------------

  errored(id: NodeId, error: PeerwireError): void {
    if (id === this.selfId) return;
    let entry = this.state.book.get(id);
    const verdict = this.policy.judgeError(entry === undefined ? undefined : this.state.view(entry), error);
    if (entry === undefined) {
      // Only a ban is worth remembering about a peer we know nothing else about.
      if (verdict.banFor <= 0) return;
      entry = this.state.configure(this.state.book.create(id));
    }
    entry.record.mutableScore = clampScore(entry.record.mutableScore + verdict.scoreDelta);
    this.state.applyBan(entry, verdict.banFor);
    if ((verdict.evict || verdict.banFor > 0) && this.state.table.connected.has(id))
      this.state.table.evictMarks.add(id);
    this.state.observe(entry, { type: 'errored', error });
    this.state.book.save(entry);
    this.state.prune();
    this.state.refreshGauges();
    this.state.wake();
  }

  report(id: NodeId, behaviour: 'good' | 'bad'): void {
    const entry = this.state.book.get(id);
    if (entry === undefined) return;
    entry.record.mutableScore = clampScore(entry.record.mutableScore + (behaviour === 'good' ? 1 : -1));
    this.state.observe(entry, { type: 'reported', behaviour });
    this.state.book.save(entry);
    this.state.wake();
  }

  inactivate(id: NodeId): void {
    if (id === this.selfId) return;
    const entry = this.state.book.get(id) ?? this.state.configure(this.state.book.create(id));
    entry.record.inactive = true;
    if (this.state.table.connected.has(id)) this.state.table.evictMarks.add(id);
    this.state.book.save(entry);
    this.state.prune();
    this.state.refreshGauges();
    this.state.wake();
  }

  // ---- eviction --------------------------------------------------------------------------------

  evictNext(): NodeId | undefined {
    for (const id of this.state.table.evictMarks) {
      const c = this.state.table.connected.get(id);
      if (c === undefined) {
        this.state.table.evictMarks.delete(id);
        continue;
      }
      if (!c.ready || this.state.table.evicting.has(id)) continue;
      this.state.table.evictMarks.delete(id);
      return this.handOutEviction(id, 'marked');
    }
    const side = exceededBudget(this.state.table, this.policy.limits);
    if (side === undefined) return undefined;
    const order = evictionCandidates(
      this.state.table,
      this.state.book,
      this.policy,
      this.state.viewOf,
      this.state.context(),
      {
        slot: side === 'any' ? undefined : side,
        skipMarked: false,
      },
    );
    const victim = order[0];
    return victim === undefined ? undefined : this.handOutEviction(victim.id, 'over_limit');
  }

  private handOutEviction(id: NodeId, reason: 'marked' | 'over_limit'): NodeId {
    this.state.table.evicting.add(id);
    this.state.metrics.evictions.inc({ reason });
    return id;
  }

  // ---- address exchange ------------------------------------------------------------------------

  advertise(asker: NodeId, limit: number): NodeAddress[] {
    return advertisedAddresses(this.state, this.selfId, asker, limit);
  }

  isBanned(id: NodeId): boolean {
    const until = this.state.book.get(id)?.record.bannedUntil;
    return until !== undefined && until > this.state.clock.now();
  }

  needsAddresses(): boolean {
    return this.state.book.size < this.policy.limits.maxPeers;
  }

  // ---- inspection (tests, status pages) --------------------------------------------------------

  /** A read-only snapshot of one peer, or undefined when unknown. */
  peer(id: NodeId): PeerView | undefined {
    const entry = this.state.book.get(id);
    return entry === undefined ? undefined : this.state.view(entry);
  }

  /** Every stored peer. */
  peers(): PeerView[] {
    return [...this.state.book.values()].map((e) => this.state.view(e));
  }

  /** Counts for status pages and invariant checks; inbound/outbound count the slot each peer uses. */
  stats(): PeerStats {
    return peerStats(this.state);
  }

  /** The policy's score of a peer (undefined when unknown). */
  score(id: NodeId): number | undefined {
    const entry = this.state.book.get(id);
    return entry === undefined ? undefined : this.policy.score(this.state.view(entry));
  }

  /**
   * The budget a connected peer counts against: the direction it was admitted in, which a duplicate
   * connection replacing the first does not change (connection-table.ts). Undefined when not connected.
   */
  slotOf(id: NodeId): Direction | undefined {
    return this.state.table.connected.get(id)?.slot;
  }

  /** The address group an outbound slot or dial counts against, for dialing or connected peers. */
  outboundGroup(id: NodeId): string | undefined {
    return this.state.table.dialing.get(id)?.group ?? this.state.table.connected.get(id)?.group;
  }
}
