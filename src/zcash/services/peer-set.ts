// Zebra's peer set (peer_set/set.rs; docs/protocols/zcash.md §5, §6): routes internal requests over the ready peers.
// - a single-item BlocksByHash / TransactionsById goes, by power of two choices, to a ready peer that
//   advertised the item; else to a ready peer that did not report it missing; else it fails at once
//   with ERR_ZCASH_NOT_FOUND_REGISTRY, without sending anything;
// - AdvertiseTransactionIds, AdvertiseBlock and PushTransaction go to ⌈ready/3⌉ random ready peers
//   (every ready peer on Regtest), AdvertiseBlockToAll to every ready peer;
// - everything else (Peers, Ping, FindBlocks, FindHeaders, multi-item downloads, mempool ids) goes to
//   the less loaded of two random ready peers (load: peak EWMA of round trips, peak-ewma.ts);
// - with no ready peer the request fails with ERR_ZCASH_NO_READY_PEERS and the crawler is asked for
//   more peers (a demand signal).
// The set of ready peers is fed by the node (add on a ready Zcash connection, remove on disconnect);
// removal also forgets the peer's inventory marks. No sockets here: a peer is its PeerClient.

import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Counter, type Gauge, type Metrics } from '../../core/metrics.ts';
import { bookAddressOf } from '../policy/book-address.ts';
import type { NetworkKind } from '../params/network-params.ts';
import type { CrawledAddr } from './crawler.ts';
import { noReadyPeersError, notFoundRegistryError } from './errors.ts';
import type { InventoryRegistry } from './inventory-registry.ts';
import { EWMA_DECAY_TIME, EWMA_DEFAULT_RTT, PeakEwma } from './peak-ewma.ts';
import {
  connectionRequest,
  singleInventoryItem,
  type PeerClient,
  type ZcashRequest,
  type ZcashResponse,
} from './requests.ts';

export interface PeerSetOptions {
  readonly clock: Clock;
  /** Where single-item downloads look for advertisers. Default none (plain P2C). */
  readonly registry?: InventoryRegistry;
  /** Regtest broadcasts to every ready peer. Default 'mainnet'. */
  readonly networkKind?: NetworkKind;
  /** Called when a request finds no ready peer (wire it to Crawler.demand). */
  readonly onDemand?: () => void;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Load of a new peer, ms. Default 21 s. */
  readonly defaultRtt?: number;
  /** Load decay time, ms. Default 200 s. */
  readonly decayTime?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

interface ReadyPeer {
  readonly id: string;
  readonly client: PeerClient;
  readonly load: PeakEwma;
}

/** The routing decision for a request (exposed for tests and logs). */
export type Route =
  | { readonly kind: 'one'; readonly peer: string }
  | { readonly kind: 'many'; readonly peers: readonly string[] };

export class PeerSet {
  private readonly clock: Clock;
  private readonly registry: InventoryRegistry | undefined;
  private readonly regtest: boolean;
  private readonly onDemand: () => void;
  private readonly random: () => number;
  private readonly defaultRtt: number;
  private readonly decayTime: number;
  private readonly logger: Logger;
  private readonly ready = new Map<string, ReadyPeer>();
  private readonly routed: Counter;
  private readonly failures: Counter;
  /** zebrad's `pool.num_ready` (peer_set/set.rs), as its exporter writes it. */
  private readonly readyGauge: Gauge;

  constructor(options: PeerSetOptions) {
    this.clock = options.clock;
    this.registry = options.registry;
    this.regtest = options.networkKind === 'regtest';
    this.onDemand = options.onDemand ?? (() => undefined);
    this.random = options.random ?? Math.random;
    this.defaultRtt = options.defaultRtt ?? EWMA_DEFAULT_RTT;
    this.decayTime = options.decayTime ?? EWMA_DECAY_TIME;
    this.logger = (options.logger ?? silentLogger).child({ component: 'zcash-peer-set' });
    const metrics = options.metrics ?? noopMetrics;
    this.routed = metrics.counter({
      name: 'peerwire_zcash_peer_set_requests_total',
      help: 'Requests routed by the Zcash peer set, by request kind and route',
      labelNames: ['kind', 'route'],
    });
    this.failures = metrics.counter({
      name: 'peerwire_zcash_peer_set_failures_total',
      help: 'Requests the Zcash peer set could not route or that failed, by reason',
      labelNames: ['reason'],
    });
    this.readyGauge = metrics.gauge({ name: 'pool_num_ready', help: 'Peers ready for requests in the Zcash peer set.' });
  }

  /** A peer became ready (its handshake completed and it is routed). Replaces an earlier client. */
  add(id: string, client: PeerClient): void {
    this.ready.set(id, { id, client, load: new PeakEwma(this.clock, this.defaultRtt, this.decayTime) });
    this.readyGauge.set(this.ready.size);
  }

  /** A peer went away: it gets no more requests and its inventory marks are forgotten. */
  remove(id: string): void {
    this.ready.delete(id);
    this.readyGauge.set(this.ready.size);
    this.registry?.removePeer(id);
  }

  get readyCount(): number {
    return this.ready.size;
  }

  readyIds(): string[] {
    return [...this.ready.keys()];
  }

  /** A ready peer's current load (undefined when not ready). */
  load(id: string): number | undefined {
    return this.ready.get(id)?.load.load();
  }

  /** Which peer(s) `request` would go to now; throws the routing errors of `route`. */
  plan(request: ZcashRequest): Route {
    if (this.ready.size === 0) {
      this.failures.inc({ reason: 'no_ready_peers' });
      this.onDemand();
      throw noReadyPeersError();
    }
    const peers = [...this.ready.values()];
    switch (request.kind) {
      case 'advertise-block-to-all':
        return { kind: 'many', peers: peers.map((p) => p.id) };
      case 'advertise-transaction-ids':
      case 'advertise-block':
      case 'push-transaction': {
        const count = this.regtest ? peers.length : Math.ceil(peers.length / 3);
        return { kind: 'many', peers: this.sample(peers, count).map((p) => p.id) };
      }
      default:
        break;
    }
    const item = singleInventoryItem(request);
    if (item === undefined || this.registry === undefined)
      return { kind: 'one', peer: this.powerOfTwo(peers).id };
    const advertisers = this.registry.advertisingPeers(item).flatMap((id) => this.ready.get(id) ?? []);
    if (advertisers.length > 0) return { kind: 'one', peer: this.powerOfTwo(advertisers).id };
    const missing = new Set(this.registry.missingPeers(item));
    const others = peers.filter((p) => !missing.has(p.id));
    if (others.length > 0) return { kind: 'one', peer: this.powerOfTwo(others).id };
    this.failures.inc({ reason: 'not_found_registry' });
    throw notFoundRegistryError(item);
  }

  /** Routes one request (see the file comment). Broadcasts resolve with `nil` once every send settled. */
  async route(request: ZcashRequest, signal: AbortSignal): Promise<ZcashResponse> {
    const plan = this.plan(request);
    if (plan.kind === 'one') {
      this.routed.inc({ kind: request.kind, route: 'one' });
      return this.call(this.ready.get(plan.peer)!, request, signal);
    }
    this.routed.inc({ kind: request.kind, route: 'broadcast' });
    const results = await Promise.allSettled(
      plan.peers.map((id) => this.call(this.ready.get(id)!, request, signal)),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.logger.debug({ kind: request.kind, failed }, 'broadcast partly failed');
    return { kind: 'nil' };
  }

  /**
   * One `Peers` request for the crawler, its answer as book addresses (entries that are not IP
   * addresses are dropped).
   */
  async requestPeers(signal: AbortSignal): Promise<CrawledAddr[]> {
    const response = await this.route({ kind: 'peers' }, signal);
    if (response.kind !== 'peers') return [];
    const out: CrawledAddr[] = [];
    for (const a of response.addrs) {
      const addr = bookAddressOf(a.ip, a.port);
      if (addr !== undefined) out.push({ addr, services: a.services, lastSeen: a.time });
    }
    return out;
  }

  private async call(peer: ReadyPeer, request: ZcashRequest, signal: AbortSignal): Promise<ZcashResponse> {
    const done = peer.load.begin();
    try {
      return await peer.client.request(connectionRequest(request), signal);
    } catch (error) {
      this.failures.inc({ reason: 'request_failed' });
      throw error;
    } finally {
      done();
    }
  }

  /** Power of two choices: the less loaded of two distinct random peers. */
  private powerOfTwo(peers: readonly ReadyPeer[]): ReadyPeer {
    if (peers.length === 1) return peers[0]!;
    const i = Math.floor(this.random() * peers.length);
    let j = Math.floor(this.random() * (peers.length - 1));
    if (j >= i) j++;
    const a = peers[i]!;
    const b = peers[j]!;
    return b.load.load() < a.load.load() ? b : a;
  }

  /** `count` distinct random peers (partial Fisher–Yates). */
  private sample(peers: readonly ReadyPeer[], count: number): ReadyPeer[] {
    const pool = [...peers];
    const n = Math.min(count, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.random() * (pool.length - i));
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return pool.slice(0, n);
  }
}
