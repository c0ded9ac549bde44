// A Zcash-family p2p node: the engine (one PeerManager with Zebra's policy over the persistent peer
// store, the Router) over the Zcash TCP transport, with Zebra's services around it: the address book
// (MetaAddr changes from connections, the `addr` answers), the inbound service (answers `getaddr`),
// the inventory registry, the peer set (request routing over ready peers) and the crawler (asks ready
// peers for addresses when the book runs dry, and every crawl interval). This is what
// `peerwire node --wire zcash`, `peerwire crawl` and the Zcash half of `peerwire testnet` run.
//
// Order matters and is why this is not an EngineNode: our handshake advertises our listen address
// and the address book lists it, so we listen first (through a wire that is bound once the
// handshake exists), then build the book, the handshake, the router and the services.
// `localNetwork: true` is the named local-network profile (several peers per IP, 1 s reconnection
// delay, crawls every second); it is never the default. `labNetwork: true` is the lab profile (netlab:
// many hosts, each on its own private address): the same pacing, but Zebra's one connection per IP
// kept, and only private and loopback addresses ever dialed.

import { randomBytes } from 'node:crypto';
import { realClock, type Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { NodeKey } from '../../core/node-key.ts';
import { formatNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import { FilePeerStore } from '../../engine/peers/file-peer-store.ts';
import { PeerManager } from '../../engine/peers/peer-manager.ts';
import type { PeerStore } from '../../engine/peers/types.ts';
import { ZebraPolicy, zebraLabNetworkProfile, zebraLocalNetworkProfile } from '../policy/zebra-policy.ts';
import { addressGroup } from '../../engine/peers/address-group.ts';
import { bookAddressOf, nodeAddressOf } from '../policy/book-address.ts';
import { lastSeen } from '../policy/meta-addr.ts';
import { AddressBook } from '../services/address-book.ts';
import { Crawler, peerManagerCrawlTarget } from '../services/crawler.ts';
import { InventoryRegistry } from '../services/inventory-registry.ts';
import { PeerSet } from '../services/peer-set.ts';
import {
  LOCAL_NETWORK_ROUTER_OPTIONS,
  NODE_PROCESS_ROUTER_OPTIONS,
  type RouterOptions,
} from '../../engine/router/router-options.ts';
import type { InboundBudgetOptions } from '../../transport/inbound-budget.ts';
import { ZCASH_INBOUND_BUDGET } from '../connection/zcash-budget.ts';
import { Router } from '../../engine/router/router.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { StreamTransport } from '../../transport/stream-transport.ts';
import { TcpCarrier } from '../../transport/tcp-carrier.ts';
import type { Direction, Endpoint, PeerInfo } from '../../transport/types.ts';
import type { ZcashPeerWire } from '../connection/zcash-connection.ts';
import type { InboundPeer } from '../wire/requests.ts';
import { Handshake } from '../handshake/handshake.ts';
import { NODE_NETWORK } from '../wire/net-address.ts';
import type { NetworkParams } from '../params/network-params.ts';
import type { Transaction } from '../chain/transaction.ts';
import { parseZcashAddress } from '../connection/transport.ts';
import { ZcashWire } from '../connection/zcash-wire.ts';
import type { HostPort } from '../../core/host-port.ts';
import { ZcashPeerGauges } from './zcash-peer-gauges.ts';
import { ZcashInboundService } from './zcash-inbound-service.ts';

/** Zebra's peerset_initial_target_size; outbound and inbound limits derive from it (×3, ×5). */
export const ZCASH_DEFAULT_TARGET_SIZE = 25;
/** Our user agent (BIP-14 form). */
export const ZCASH_DEFAULT_USER_AGENT = '/peerwire:0.1.0/';
/**
 * After a failed inbound attempt, its IP waits this long (ms): Zebra's
 * MIN_INBOUND_PEER_FAILED_CONNECTION_INTERVAL (Zebra pauses its whole accept loop; we pace the IP only).
 */
export const ZEBRA_FAILED_INBOUND_INTERVAL_MS = 10;
/** Crawl pacing of the local-network profile (ms): one machine's network forms in seconds. */
export const LOCAL_CRAWL_TIMING = { crawlInterval: 1_000, minCrawlInterval: 250, requestTimeout: 8_000 } as const;
/** Address groups listed in bookSummary(); the rest are summed under `other` (bounds the /status document). */
export const MAX_SUMMARY_GROUPS = 256;
/** Handshake deadline of the local-network profile (ms): two shared slow cores, not a WAN, set the pace. */
const LOCAL_HANDSHAKE_TIMEOUT_MS = 15_000;

export interface ZcashNodeOptions {
  readonly network: NetworkParams;
  /** Where to listen (port 0 picks a free port). Default: not listening (a client, e.g. a crawler). */
  readonly listen?: HostPort | Endpoint;
  /** Start-up peers as `host:port` text, dialed in this order. Default none. */
  readonly peers?: readonly string[];
  /** Start-up peers as addresses (same as `peers`). Default none. */
  readonly initialPeers?: readonly NodeAddress[];
  /** Builds the transport around the wire. Default: TCP (`TcpCarrier`). */
  readonly transport?: (wire: ZcashWire) => StreamTransport;
  /** Outbound connections. Default 75 (Zebra: 3 × initial target size). */
  readonly maxOutbound?: number;
  /** Inbound connections. Default 125 (Zebra: 5 × initial target size). */
  readonly maxInbound?: number;
  /** Run the crawler. Default true. */
  readonly crawler?: boolean;
  /** Same as `crawler` (kept for callers that say `crawl`). */
  readonly crawl?: boolean;
  /** Crawl interval, ms. Default 61 s (1 s in the local-network profile). */
  readonly crawlIntervalMs?: number;
  /** Least time between two crawls, ms. Default 31 s (250 ms in the local-network profile). */
  readonly minCrawlIntervalMs?: number;
  /** The local-network profile (see the file comment). Default false. */
  readonly localNetwork?: boolean;
  /** The lab profile (see the file comment); not together with localNetwork. Default false. */
  readonly labNetwork?: boolean;
  /** Connections per IP, both directions (Zebra `max_connections_per_ip`). Default 1 (unlimited in the local-network profile). */
  readonly maxConnectionsPerIp?: number;
  /**
   * Per-peer inbound budget; false = none. Default ZCASH_INBOUND_BUDGET (zcash-budget.ts); none in the
   * local-network and lab profiles, whose demo traffic floods on purpose.
   */
  readonly inboundBudget?: InboundBudgetOptions | false;
  /** Pending-handshake and overload limits of the router (router-options.ts); defaults as there. */
  readonly admission?: Partial<
    Pick<RouterOptions, 'maxPendingHandshakes' | 'maxPendingHandshakesPerIp' | 'overloadThreshold' | 'refusalHoldMs'>
  >;
  readonly userAgent?: string;
  /** The peer store file; default: in memory. */
  readonly storePath?: string;
  /** Called with each transaction a peer pushes. */
  readonly onTransaction?: (tx: Transaction, peer: InboundPeer) => void;
  readonly clock?: Clock;
  /**
   * One source for every random choice (peer-manager jitter, book shuffles, peer-set picks, nonces):
   * a simulation passes a seeded one. Default: Math.random and node:crypto.
   */
  readonly random?: Random;
  /** The router's key (Zcash peers never see it). Default: a fresh key. */
  readonly key?: NodeKey;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/**
 * A Zcash wire that forwards to the real one once the handshake exists: we must listen (to know the
 * address the handshake advertises) before the handshake can be built.
 */
class DeferredZcashWire extends ZcashWire {
  target: ZcashWire | undefined;
  constructor(network: NetworkParams) {
    super({ config: { network } });
  }
  override connect(link: ByteLink, direction: Direction): ReturnType<ZcashWire['connect']> {
    if (this.target === undefined) {
      throw new PeerwireError(ErrorCode.Closed, 'zcash node is not assembled yet', { action: 'transient' });
    }
    return this.target.connect(link, direction);
  }
}

/** The Zcash handshake facts of a connected peer (PeerInfo.wire). */
export function zcashPeerWire(info: PeerInfo | undefined): ZcashPeerWire | undefined {
  const wire = info?.wire as ZcashPeerWire | undefined;
  return wire?.client === undefined ? undefined : wire;
}

export class ZcashNode {
  readonly network: NetworkParams;
  readonly router: Router;
  readonly peerManager: PeerManager;
  readonly policy: ZebraPolicy;
  readonly addressBook: AddressBook;
  readonly peerSet: PeerSet;
  readonly registry: InventoryRegistry;
  readonly crawler: Crawler | undefined;
  /** Our listener as a book address (`ip:port`); undefined when not listening. */
  readonly listenAddress: string | undefined;
  /** Our listener; undefined when not listening. */
  readonly listenEndpoint: Endpoint | undefined;
  /** The address other nodes dial us at (`host:port`); undefined when not listening. */
  readonly address: string | undefined;
  private readonly selfId: NodeId;
  private readonly clock: Clock;
  private readonly transport: StreamTransport;
  private readonly store: PeerStore | undefined;
  private readonly unsubscribe: () => void;
  private started = false;
  private stopped = false;

  private constructor(parts: {
    network: NetworkParams;
    router: Router;
    peerManager: PeerManager;
    policy: ZebraPolicy;
    addressBook: AddressBook;
    peerSet: PeerSet;
    registry: InventoryRegistry;
    crawler: Crawler | undefined;
    listenAddress: string | undefined;
    listenEndpoint: Endpoint | undefined;
    selfId: NodeId;
    clock: Clock;
    transport: StreamTransport;
    store: PeerStore | undefined;
    peerGauges: ZcashPeerGauges;
  }) {
    this.network = parts.network;
    this.router = parts.router;
    this.peerManager = parts.peerManager;
    this.policy = parts.policy;
    this.addressBook = parts.addressBook;
    this.peerSet = parts.peerSet;
    this.registry = parts.registry;
    this.crawler = parts.crawler;
    this.listenAddress = parts.listenAddress;
    this.listenEndpoint = parts.listenEndpoint;
    this.selfId = parts.selfId;
    this.clock = parts.clock;
    const ep = parts.listenEndpoint;
    this.address = ep === undefined ? undefined : formatNodeAddress({ protocol: ep.protocol, host: ep.host, port: ep.port });
    this.transport = parts.transport;
    this.store = parts.store;
    // Ready peers join the peer set (their client routes requests); gone peers leave it and the registry.
    this.unsubscribe = this.router.subscribe((update) => {
      parts.peerGauges.update(this.router);
      if (update.status === 'up') {
        const wire = zcashPeerWire(update.info);
        if (wire !== undefined) this.peerSet.add(update.id, wire.client);
      } else {
        this.peerSet.remove(update.id);
        this.registry.removePeer(update.id);
      }
    });
  }

  /** The peer manager's self id: our listen address, or a random client name when not listening. */
  get id(): NodeId {
    return this.selfId;
  }

  static async create(options: ZcashNodeOptions): Promise<ZcashNode> {
    const clock = options.clock ?? realClock;
    const random = options.random === undefined ? {} : { random: options.random };
    const logger = options.logger ?? silentLogger;
    const metrics = options.metrics ?? noopMetrics;
    const local = options.localNetwork === true;
    const lab = options.labNetwork === true;
    const fastPaced = local || lab;
    const wire = new DeferredZcashWire(options.network);
    const transport =
      options.transport?.(wire) ?? new StreamTransport({ carrier: new TcpCarrier({ logger, metrics }), wire, logger, metrics });
    let store: PeerStore | undefined;
    try {
      const endpoint =
        options.listen === undefined
          ? undefined
          : await transport.listen({ protocol: 'tcp', ...options.listen });
      const listenAddress = endpoint === undefined ? undefined : (bookAddressOf(endpoint.host, endpoint.port) ?? `${endpoint.host}:${endpoint.port}`);
      const selfId = listenAddress ?? `client-${randomBytes(8).toString('hex')}`;
      const nodeLogger = logger.child({ node: selfId });
      const policy = new ZebraPolicy({
        network: options.network,
        ...(local ? zebraLocalNetworkProfile : {}),
        ...(lab ? zebraLabNetworkProfile : {}),
        ...(options.maxOutbound === undefined ? {} : { maxOutbound: options.maxOutbound }),
        ...(options.maxInbound === undefined ? {} : { maxInbound: options.maxInbound }),
        ...(options.maxConnectionsPerIp === undefined ? {} : { maxConnectionsPerIp: options.maxConnectionsPerIp }),
      });
      store = options.storePath === undefined ? undefined : new FilePeerStore({ path: options.storePath, clock, logger: nodeLogger, metrics });
      const peerManager = new PeerManager({
        selfId,
        clock,
        policy,
        ...random,
        ...(store === undefined ? {} : { store }),
        logger: nodeLogger,
        metrics,
      });
      await peerManager.start();
      const addressBook = new AddressBook({
        peerManager,
        policy,
        clock,
        ...random,
        ...(listenAddress === undefined ? {} : { localListener: listenAddress }),
        logger: nodeLogger,
        metrics,
      });
      addressBook.start();
      const registry = new InventoryRegistry({ clock, metrics });
      registry.start();
      const builder = Handshake.builder();
      if (options.random !== undefined) builder.withRandom(options.random);
      const handshake = builder
        .withConfig({
          network: options.network,
          ...(endpoint === undefined ? {} : { listenAddr: { ip: endpoint.host, port: endpoint.port } }),
          ...(fastPaced ? { handshakeTimeoutMs: LOCAL_HANDSHAKE_TIMEOUT_MS } : {}),
        })
        .withUserAgent(options.userAgent ?? ZCASH_DEFAULT_USER_AGENT)
        .withAdvertisedServices(NODE_NETWORK)
        .wantTransactions(true)
        .withAddressBookUpdater(addressBook.connectionUpdater())
        .withInventoryCollector(registry)
        .withInboundService(
          new ZcashInboundService({
            addressBook,
            freshAddrAnswers: fastPaced,
            ...(options.onTransaction === undefined ? {} : { onTransaction: options.onTransaction }) }),
        )
        .withClock(clock)
        .withLogger(nodeLogger)
        .withMetrics(metrics)
        .finish();
      wire.target = new ZcashWire({
        handshake,
        inboundBudget: options.inboundBudget ?? (fastPaced ? false : ZCASH_INBOUND_BUDGET),
      });
      let crawler: Crawler | undefined;
      const peerSet = new PeerSet({
        clock,
        ...random,
        registry,
        networkKind: options.network.kind,
        onDemand: () => crawler?.demand(),
        logger: nodeLogger,
        metrics,
      });
      if (options.crawler ?? options.crawl ?? true) {
        crawler = new Crawler({
          clock,
          source: peerSet,
          sink: addressBook,
          target: peerManagerCrawlTarget(peerManager),
          ...(fastPaced ? LOCAL_CRAWL_TIMING : {}),
          ...(options.crawlIntervalMs === undefined ? {} : { crawlInterval: options.crawlIntervalMs }),
          ...(options.minCrawlIntervalMs === undefined ? {} : { minCrawlInterval: options.minCrawlIntervalMs }),
          logger: nodeLogger,
          metrics,
        });
      }
      const router = new Router({
        key: options.key ?? NodeKey.generate(),
        info: {
          protocolVersion: String(options.network.protocolVersion),
          network: options.network.name,
          userAgent: options.userAgent ?? ZCASH_DEFAULT_USER_AGENT,
          ...(listenAddress === undefined ? {} : { listenAddress }),
        },
        peerManager,
        transports: [transport],
        options: {
          ...(fastPaced
            ? { handshakeTimeoutMs: 2 * LOCAL_HANDSHAKE_TIMEOUT_MS, dialTimeoutMs: LOCAL_HANDSHAKE_TIMEOUT_MS }
            : {}),
          minAcceptIntervalPerIpMs: ZEBRA_FAILED_INBOUND_INTERVAL_MS,
          // A node process watches its own load; the local testnet runs many nodes on one event loop.
          ...(local ? LOCAL_NETWORK_ROUTER_OPTIONS : NODE_PROCESS_ROUTER_OPTIONS),
          maxConnectionsPerIp: policy.options.maxConnectionsPerIp,
          ...options.admission,
        },
        clock,
        logger: nodeLogger,
        metrics,
      });
      const node = new ZcashNode({
        network: options.network,
        router,
        peerManager,
        policy,
        addressBook,
        peerSet,
        registry,
        crawler,
        listenAddress,
        listenEndpoint: endpoint,
        selfId,
        clock,
        transport,
        store,
        peerGauges: new ZcashPeerGauges(metrics),
      });
      const initial = [
        ...(options.initialPeers ?? []).map((a) => bookAddressOf(a.host, a.port) ?? formatNodeAddress(a)),
        ...(options.peers ?? []).map((text) => {
          const endpoint = parseZcashAddress(text);
          return bookAddressOf(endpoint.host, endpoint.port) ?? text;
        }),
      ];
      addressBook.addInitial(initial);
      return node;
    } catch (error) {
      await transport.close().catch(() => undefined);
      await store?.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * What /status shows of the address book: entries per address group (IPv4 /16, IPv6 /32, private
   * and loopback ranges grouped the same way) and the newest last-seen time of any entry, by this
   * node's clock: a value ahead of `clock` means a peer's timestamp got into the book unchecked.
   */
  bookSummary(): { clock: number; latestSeen: number | undefined; groups: Record<string, number> } {
    const counts = new Map<string, number>();
    let latestSeen: number | undefined;
    for (const peer of this.peerManager.peers()) {
      const address = nodeAddressOf(peer.id);
      if (address === undefined) continue;
      const group = addressGroup(address, { loopbackRoutable: true, privateRoutable: true });
      counts.set(group, (counts.get(group) ?? 0) + 1);
      const meta = this.policy.meta(peer);
      const seen = meta === undefined ? undefined : lastSeen(meta);
      if (seen !== undefined && (latestSeen === undefined || seen > latestSeen)) latestSeen = seen;
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const groups: Record<string, number> = Object.fromEntries(ranked.slice(0, MAX_SUMMARY_GROUPS));
    const rest = ranked.slice(MAX_SUMMARY_GROUPS).reduce((sum, [, n]) => sum + n, 0);
    if (rest > 0) groups.other = rest;
    return { clock: this.clock.now(), latestSeen, groups };
  }

  /** Starts the router's loops and the crawler. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.router.start();
    this.crawler?.start();
  }

  /** Stops the crawler, the router (and the transport), then persists the book; leaves nothing behind. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    await this.crawler?.stop();
    await this.router.stop();
    await this.transport.close().catch(() => undefined);
    this.registry.stop();
    this.addressBook.stop();
    await this.peerManager.stop();
    await this.store?.close();
  }
}
