// Zebra's address-book updater and gossip views (docs/protocols/zcash.md §3.5, §4.3), over the engine's one PeerManager
// with ZebraPolicy — never a second store. Connections send MetaAddrChanges through `send` (a bounded
// queue of max(total connection limit, 10) changes; a full queue drops the new change and counts it,
// like Zebra's bounded channel, so a connection never blocks); they are applied to the PeerManager in
// order: new addresses through `add`, everything else through `notify`, where ZebraPolicy applies
// Zebra's update rules. Only solicited addresses enter the book: `addGossiped` is called by the crawler
// with a `Peers` response, and `connectionUpdater()` — the face handed to connections — refuses
// `new-gossiped` (alternate and unsolicited addresses stay in the connection's own cache).
//
// It also answers the gossip questions: `sanitized()` (what may be shared), `getAddrResponse()` (the
// `addr` answer to `getaddr`: min(1000, ⌈n/2⌉) entries, cached for 10 min as zebrad does) and
// `recentlyLive()` (for the disk cache), and it enforces IP bans: a ban drops every entry of the IP
// and disconnects its connections.

import { BoundedQueue } from '../../core/bounded-queue.ts';
import type { Clock, Timer } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { peerIdOf } from '../../core/node-address.ts';
import { noopMetrics, type Counter, type Metrics } from '../../core/metrics.ts';
import type { PeerManager } from '../../engine/peers/peer-manager.ts';
import type { PeerView } from '../../engine/peers/policy.ts';
import {
  isValidForOutbound,
  nodeAddressOf,
  parseSocketAddr,
  type SocketAddr,
} from '../policy/book-address.ts';
import { MAX_PEER_ACTIVE_FOR_GOSSIP, MAX_PEER_MISBEHAVIOR_SCORE } from '../policy/constants.ts';
import { misbehaviorError } from '../policy/errors.ts';
import type { MetaAddr, MetaChange } from '../policy/meta-addr.ts';
import { sanitizeAll, type GossipEntry } from '../policy/sanitize.ts';
import type { ZebraPolicy } from '../policy/zebra-policy.ts';
import { MAX_ADDRS_IN_MESSAGE } from '../encoding/constants.ts';
import type { AddressBookUpdater, BookAddress, MetaAddrChange } from '../wire/peer-events.ts';

const MINUTE = 60_000;

/** zebrad's CACHED_ADDRS_REFRESH_INTERVAL: a getaddr flood costs one sanitize per 10 min, not one per message. */
export const CACHED_ADDRS_REFRESH_INTERVAL = 10 * MINUTE;
/** ADDR_RESPONSE_LIMIT_DENOMINATOR: answer with half the gossipable book, so no asker maps all of it. */
export const ADDR_RESPONSE_LIMIT_DENOMINATOR = 2;
/** Smallest updater queue (Zebra: max(total connection limit, 10)). */
const MIN_QUEUE_CAPACITY = 10;

/** An address from a solicited `Peers` response, its last-seen already validated by the crawler. */
export interface GossipedAddr {
  readonly addr: BookAddress;
  readonly services: bigint;
  /** Seconds since the epoch. */
  readonly untrustedLastSeen: number;
}

export interface AddressBookOptions {
  readonly peerManager: PeerManager;
  /** The PeerManager's policy. */
  readonly policy: ZebraPolicy;
  readonly clock: Clock;
  /** Our own listener, added to gossip (never stored as a peer). Default none. */
  readonly localListener?: BookAddress;
  /** Queue capacity. Default max(policy.limits.maxConnected, 10). */
  readonly queueCapacity?: number;
  /** Uniform in [0, 1), for shuffles. Default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

type Result = 'applied' | 'ignored' | 'refused' | 'invalid';

export class AddressBook implements AddressBookUpdater {
  private readonly pm: PeerManager;
  private readonly policy: ZebraPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly queue: BoundedQueue<MetaAddrChange>;
  private readonly changes: Counter;
  private readonly drops: Counter;
  private local: SocketAddr | undefined;
  private drainTimer: Timer | undefined;
  private readonly pendingBans = new Set<string>();
  private banScheduled = false;
  private unsubscribeBans: (() => void) | undefined;
  private cache: { readonly at: number; readonly entries: readonly GossipEntry[] } | undefined;
  private stopped = false;

  constructor(options: AddressBookOptions) {
    this.pm = options.peerManager;
    this.policy = options.policy;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger).child({ component: 'zcash-address-book' });
    const metrics = options.metrics ?? noopMetrics;
    this.changes = metrics.counter({
      name: 'peerwire_zcash_address_book_changes_total',
      help: 'MetaAddr changes handled by the address book, by kind and result',
      labelNames: ['kind', 'result'],
    });
    this.drops = metrics.counter({
      name: 'peerwire_zcash_address_book_dropped_total',
      help: 'MetaAddr changes dropped because the updater queue was full',
    });
    this.queue = new BoundedQueue<MetaAddrChange>({
      name: 'zcash-address-book',
      capacity: options.queueCapacity ?? Math.max(this.policy.limits.maxConnected, MIN_QUEUE_CAPACITY),
      policy: 'drop-newest',
      onDrop: () => this.drops.inc(),
    });
    if (options.localListener !== undefined) this.setLocalListener(options.localListener);
    const unsubscribeBans = this.policy.bannedIps.onBan((ip) => this.scheduleBan(ip));
    // A peer of a banned IP that was connected when the ban came is dropped once it has gone.
    const unsubscribeDown = this.pm.subscribe((update) => {
      if (update.status !== 'down') return;
      const peer = this.pm.peer(update.id);
      const socket = peer === undefined ? undefined : this.policy.socketOf(peer);
      if (socket !== undefined && this.policy.isBanned(socket.ip)) this.scheduleBan(socket.ip);
    });
    // A dial in progress to a banned IP cannot be forgotten yet: retry after the next state change.
    const unsubscribeWake = this.pm.onWake(() => {
      if (this.pendingBans.size > 0) this.scheduleBan(undefined);
    });
    this.unsubscribeBans = () => {
      unsubscribeBans();
      unsubscribeDown();
      unsubscribeWake();
    };
  }

  /** Rebuilds the policy's indexes from the store; call after PeerManager.start(). */
  start(): void {
    this.policy.rebuild(this.pm.peers(), this.clock.now());
  }

  /** Applies what is queued, then stops accepting changes and releases the timer and the ban listener. */
  stop(): void {
    if (this.stopped) return;
    this.drain();
    this.stopped = true;
    this.drainTimer?.cancel();
    this.drainTimer = undefined;
    this.unsubscribeBans?.();
    this.unsubscribeBans = undefined;
    this.queue.close(undefined, true);
  }

  /** Changes dropped because the queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Changes waiting to be applied. */
  get pending(): number {
    return this.queue.length;
  }

  // ---- the updater -----------------------------------------------------------------------------

  send(change: MetaAddrChange): void {
    if (this.stopped) return;
    this.queue.offer(change);
    if (this.drainTimer === undefined) {
      this.drainTimer = this.clock.setTimer(0, () => {
        this.drainTimer = undefined;
        this.drain();
      });
    }
  }

  /**
   * The updater to hand to connections: it refuses `new-gossiped` (counted), so addresses a peer
   * pushes at us, or offers as alternates, can never enter the book without being asked for.
   */
  connectionUpdater(): AddressBookUpdater {
    return {
      send: (change) => {
        if (change.kind === 'new-gossiped') {
          this.changes.inc({ kind: change.kind, result: 'refused' });
          return;
        }
        this.send(change);
      },
    };
  }

  /** Applies every queued change now (the timer does it too). Returns how many were applied. */
  drain(): number {
    let n = 0;
    for (let change = this.queue.shift(); change !== undefined; change = this.queue.shift()) {
      this.apply(change);
      n++;
    }
    this.enforceBans();
    return n;
  }

  /** Start-up peers (config, DNS seeds, disk cache), in preference order. Returns how many are new. */
  addInitial(addrs: readonly BookAddress[]): number {
    let added = 0;
    for (const addr of addrs) if (this.apply({ kind: 'new-initial', addr }) === 'applied') added++;
    return added;
  }

  /** A crawler batch from one solicited `Peers` response (Zebra's ExtendGossiped). Returns how many are new. */
  addGossiped(entries: readonly GossipedAddr[]): number {
    let added = 0;
    for (const e of entries) {
      const result = this.apply({
        kind: 'new-gossiped',
        addr: e.addr,
        services: e.services,
        untrustedLastSeen: e.untrustedLastSeen,
      });
      if (result === 'applied') added++;
    }
    this.enforceBans();
    return added;
  }

  private apply(change: MetaAddrChange): Result {
    const result = this.applyOne(change);
    this.changes.inc({ kind: change.kind, result });
    return result;
  }

  private applyOne(change: MetaAddrChange): Result {
    if (change.kind === 'new-local') {
      return this.setLocalListener(change.addr) ? 'applied' : 'invalid';
    }
    const address = nodeAddressOf(change.addr);
    if (address === undefined) return 'invalid';
    const id = peerIdOf(address);
    switch (change.kind) {
      case 'new-initial': {
        const detail: MetaChange = { kind: 'new-initial' };
        return this.pm.add(address, undefined, detail) ? 'applied' : 'refused';
      }
      case 'new-gossiped': {
        const detail: MetaChange = {
          kind: 'new-gossiped',
          services: change.services,
          untrustedLastSeen: change.untrustedLastSeen * 1000,
        };
        if (this.pm.add(address, undefined, detail)) return 'applied';
        // Known already: Zebra's rules may still fill its missing services or last-seen.
        if (!this.policy.admitAddress(address, undefined, detail)) return 'refused';
        return this.pm.notify(id, detail) ? 'ignored' : 'refused';
      }
      case 'update-misbehavior': {
        if (this.pm.notify(id, { kind: change.kind, score: change.score })) return 'applied';
        // An unknown address can still earn its IP a ban.
        if (change.score >= MAX_PEER_MISBEHAVIOR_SCORE) this.policy.banIp(address.host, this.clock.now());
        return 'ignored';
      }
      case 'update-ping-sent':
      case 'update-responded': {
        // Heartbeats: one pair per connection per minute. Kept in memory (the dial order reads them at
        // once) and stored with the peer's next persisted change, at the latest its disconnection;
        // Zebra persists only its peer cache, every few minutes.
        const { addr: _addr, ...detail } = change;
        return this.pm.notify(id, detail, { persist: false }) ? 'applied' : 'ignored';
      }
      default: {
        const { addr: _addr, ...detail } = change;
        return this.pm.notify(id, detail) ? 'applied' : 'ignored';
      }
    }
  }

  private setLocalListener(addr: BookAddress): boolean {
    const socket = parseSocketAddr(addr);
    if (socket === undefined) return false;
    this.local = socket;
    this.cache = undefined;
    return true;
  }

  // ---- bans ------------------------------------------------------------------------------------

  private scheduleBan(ip: string | undefined): void {
    if (ip !== undefined) this.pendingBans.add(ip);
    if (this.banScheduled || this.stopped) return;
    this.banScheduled = true;
    // Bans may be decided inside a PeerManager call (observe); act once that call has returned.
    queueMicrotask(() => {
      this.banScheduled = false;
      this.enforceBans();
    });
  }

  /**
   * Drops every stored entry of each newly banned IP and disconnects its connected peers (once each;
   * they are dropped when they go down). An IP with a dial in progress stays pending until a later
   * state change lets its entry go.
   */
  private enforceBans(): void {
    if (this.pendingBans.size === 0 || this.stopped) return;
    const ips = new Set(this.pendingBans);
    this.pendingBans.clear();
    for (const peer of this.pm.peers()) {
      const socket = this.policy.socketOf(peer);
      if (socket === undefined || !ips.has(socket.ip)) continue;
      if (peer.direction !== undefined) {
        if (peer.evicting || peer.record.bannedUntil !== undefined) continue;
        this.pm.errored(peer.id, misbehaviorError(this.policy.meta(peer)?.misbehaviorScore ?? 0));
      } else if (!this.pm.forget(peer.id) && peer.dialing) {
        this.pendingBans.add(socket.ip);
      }
    }
    this.cache = undefined;
    this.logger.debug({ ips: ips.size }, 'entries of banned IPs removed from the address book');
  }

  // ---- views -----------------------------------------------------------------------------------

  /** The MetaAddr of one address, if stored. */
  meta(addr: BookAddress): MetaAddr | undefined {
    const peer = this.pm.peer(addr);
    return peer === undefined ? undefined : this.policy.meta(peer);
  }

  /** Stored entries (including inbound-learned ones). */
  get size(): number {
    return this.pm.stats().stored;
  }

  private entries(): { addr: string; socket: SocketAddr; meta: MetaAddr | undefined; peer: PeerView }[] {
    const out: { addr: string; socket: SocketAddr; meta: MetaAddr | undefined; peer: PeerView }[] = [];
    for (const peer of this.pm.peers()) {
      const socket = this.policy.socketOf(peer);
      if (socket !== undefined) out.push({ addr: peer.id, socket, meta: this.policy.meta(peer), peer });
    }
    return out;
  }

  /** Everything we may gossip, sanitized and shuffled, with our own listener (docs/protocols/zcash.md §4.3). */
  sanitized(): GossipEntry[] {
    const policy = this.policy;
    return sanitizeAll(
      this.entries(),
      this.local,
      { network: policy.network, now: this.clock.now(), isBanned: (ip) => policy.isBanned(ip) },
      this.random,
    );
  }

  /**
   * The answer to a `getaddr`: min(1000, ⌈n/2⌉) sanitized entries, recomputed at most every 10 min.
   * Empty means "send nothing" (zebrad answers Nil); an empty answer is not cached, so a new node
   * starts answering as soon as it has gossipable peers.
   */
  getAddrResponse(): readonly GossipEntry[] {
    const now = this.clock.now();
    if (
      this.cache !== undefined &&
      now - this.cache.at < CACHED_ADDRS_REFRESH_INTERVAL &&
      now >= this.cache.at
    )
      return this.cache.entries;
    const all = this.sanitized();
    const count = Math.min(MAX_ADDRS_IN_MESSAGE, Math.ceil(all.length / ADDR_RESPONSE_LIMIT_DENOMINATOR));
    const entries = all.slice(0, count);
    this.cache = entries.length === 0 ? undefined : { at: now, entries };
    return entries;
  }

  /**
   * Up to `limit` outbound-usable peers that answered us within 3 h, most recent first (for the disk
   * cache). Only our own observations count, so gossip cannot put an address in the cache.
   */
  recentlyLive(limit: number): BookAddress[] {
    const now = this.clock.now();
    const live: { addr: string; at: number }[] = [];
    for (const { socket, meta, peer } of this.entries()) {
      if (meta?.lastResponse === undefined || meta.isInbound || meta.misbehaviorScore > 0) continue;
      if (now - meta.lastResponse > MAX_PEER_ACTIVE_FOR_GOSSIP) continue;
      if (this.policy.isBanned(socket.ip) || !isValidForOutbound(socket, this.policy.network)) continue;
      live.push({ addr: peer.id, at: meta.lastResponse });
    }
    live.sort((a, b) => b.at - a.at);
    return live.slice(0, Math.max(0, limit)).map((l) => l.addr);
  }
}
