// A CometBFT p2p node: the engine (PeerManager with the Tendermint policy, Router, persistent peer
// store) over the CometBFT TCP transport (SecretConnection + NodeInfo + MConnection), with CometBFT's
// PEX reactor on channel 0x00. This is what `peerwire node --wire cometbft`, `peerwire observe` and the
// CometBFT half of `peerwire testnet` run; services (observers, demo traffic) open their channels on
// the returned EngineNode before start().
//
// Two profiles: the default is CometBFT's own rules and limits (what a real chain's peers expect);
// `localNetwork: true` is the named local-network profile for test networks on one machine (several
// peers per IP, loopback routable, short redial backoff, PEX asking every second instead of every
// 30 s). A Go CometBFT peer would ban a node asking that often, so the profile is never the default.
// `labNetwork: true` is the lab profile (netlab: many hosts, each on its own private address): the
// local profile's pacing and deadlines, but the real per-/16 and per-IP rules over private addresses,
// and only private and loopback addresses ever dialed.

import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { CometbftP2pMetrics } from './cometbft-p2p-metrics.ts';
import type { NodeAddress } from '../../core/node-address.ts';
import type { NodeKey } from '../../core/node-key.ts';
import { FilePeerStore } from '../../engine/peers/file-peer-store.ts';
import { labNetworkProfile, localNetworkProfile, TendermintPolicy } from '../../engine/peers/tendermint-policy.ts';
import {
  LOCAL_NETWORK_ROUTER_OPTIONS,
  NODE_PROCESS_ROUTER_OPTIONS,
  type RouterOptions,
} from '../../engine/router/router-options.ts';
import { DEFAULT_RATE_BYTES_PER_SECOND } from '../wire/mconnection/rate-limiter.ts';
import { COMETBFT_INBOUND_BUDGET } from '../wire/cometbft-budget.ts';
import type { InboundBudgetOptions } from '../../transport/inbound-budget.ts';
import { COMETBFT_PEX_RULES, pexCodec } from '../pex/index.ts';
import { cometbftTcpTransport } from '../wire/transport.ts';
import { cometbftWire, type CometbftWireOptions } from '../wire/cometbft-wire.ts';
import type { Random, RandomBytes } from '../../core/random.ts';
import type { PeerStore } from '../../engine/peers/types.ts';
import type { AddressExchangeOptions } from '../../engine/services/address-exchange.ts';
import type { Carrier } from '../../transport/carrier.ts';
import { StreamTransport } from '../../transport/stream-transport.ts';
import { EngineNode } from '../../engine/node/engine-node.ts';
import type { HostPort } from '../../core/host-port.ts';

/** CometBFT's max_num_outbound_peers default. */
export const COMETBFT_DEFAULT_MAX_OUTBOUND = 10;
/** CometBFT's max_num_inbound_peers default. */
export const COMETBFT_DEFAULT_MAX_INBOUND = 40;
/**
 * Router handshake deadline (ms): CometBFT allows 3 s for the SecretConnection and 3 s more for
 * NodeInfo (router-options.ts says this wire passes 6000).
 */
export const COMETBFT_HANDSHAKE_TIMEOUT_MS = 6_000;

/**
 * PEX pacing of the local-network profile (ms): ask a peer at most every second and tolerate requests
 * 250 ms apart, so a dozen nodes on one machine find each other in seconds. Only for networks made
 * entirely of peerwire nodes running this profile.
 */
export const LOCAL_PEX_TIMING = { requestIntervalMs: 1_000, minInboundRequestIntervalMs: 250, crawlIntervalMs: 500 } as const;
/**
 * Handshake deadlines of the local-network profile (ms): generous, because a local testnet shares two
 * slow cores with everything else on the machine, and a deadline there only measures the scheduler.
 */
const LOCAL_WIRE_DEADLINE_MS = 15_000;

export interface CometbftNodeOptions {
  /** The chain ID (NodeInfo.network); peers on another chain refuse us. Required. */
  readonly chainId: string;
  /** Node identity (see node-key-file.ts to load `node_key.json`). Default: a fresh key. */
  readonly key?: NodeKey;
  /** Where to listen. Port 0 picks a free port. */
  readonly listen: HostPort;
  /** Always-redialed peers (`persistent_peers`). Default none. */
  readonly persistentPeers?: readonly NodeAddress[];
  /** Seed nodes: added to the peer store to learn addresses from. Default none. */
  readonly seeds?: readonly NodeAddress[];
  /** Seed mode: answer PEX requests, then hang up (CometBFT seed nodes). Default false. */
  readonly seedMode?: boolean;
  /** Run the PEX reactor. Default true. */
  readonly pex?: boolean;
  /** Outbound connections. Default 10 (CometBFT). */
  readonly maxOutbound?: number;
  /** Inbound connections. Default 40 (CometBFT). */
  readonly maxInbound?: number;
  /** PEX keeps asking while fewer peers than this are connected. Default maxOutbound. */
  readonly targetPeers?: number;
  /** The local-network profile (see the file comment). Default false. */
  readonly localNetwork?: boolean;
  /** The lab profile (see the file comment); not together with localNetwork. Default false. */
  readonly labNetwork?: boolean;
  /** Several peers from one IP (CometBFT `allow_duplicate_ip`). Default false (true in the local-network profile). */
  readonly allowDuplicateIp?: boolean;
  /** Send rate per peer, bytes/s (CometBFT `send_rate`). Default 5,120,000. */
  readonly sendRate?: number;
  /** Receive rate per peer, bytes/s (CometBFT `recv_rate`): reading pauses above it. Default 5,120,000. */
  readonly recvRate?: number;
  /**
   * Per-peer inbound packet budget. Default COMETBFT_INBOUND_BUDGET (cometbft-budget.ts); none in the
   * local-network and lab profiles, whose demo traffic floods on purpose.
   */
  readonly inboundBudget?: InboundBudgetOptions;
  /** Pending-handshake and overload limits of the router (router-options.ts); defaults as there. */
  readonly admission?: Partial<
    Pick<RouterOptions, 'maxPendingHandshakes' | 'maxPendingHandshakesPerIp' | 'overloadThreshold' | 'guestTimeoutMs' | 'refusalHoldMs'>
  >;
  /** Mean interval of the outbound rotation (ms; 0 turns it off). Default TENDERMINT_DEFAULTS'. */
  readonly outboundRotationInterval?: number;
  /** Newcomers let in as guests while inbound is full (0: refuse them). Default TENDERMINT_DEFAULTS'. */
  readonly maxInboundGuests?: number;
  /** Time source. Default the real clock. */
  readonly clock?: Clock;
  /** NodeInfo moniker. Default "peerwire". */
  readonly moniker?: string;
  /** The peer store file (`<home>/peers.dat`); default: in memory (nothing persists). */
  readonly storePath?: string;
  /** The peer store object (instead of `storePath`); the node owns and closes it. Default: in memory. */
  readonly store?: PeerStore;
  /** Carries the wire's bytes. Default: TCP. A simulation passes its in-memory `tcp` carrier. */
  readonly carrier?: Carrier;
  /** Every random choice of the node (jitter, PEX picks). Default: Math.random. */
  readonly random?: Random;
  /** SIMULATION ONLY: ephemeral X25519 keys (see CometbftConnectionOptions). Default: node:crypto. */
  readonly ephemeralKeys?: RandomBytes;
  /**
   * SIMULATION ONLY: PEX pacing overrides, to model misbehaving peers (a node asking every 100 ms).
   * Default: CometBFT's rules.
   */
  readonly pexOverrides?: Partial<Omit<AddressExchangeOptions, 'codec'>>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** Builds (and starts listening) a CometBFT node; open service channels, then call start(). */
export async function createCometbftNode(options: CometbftNodeOptions): Promise<EngineNode> {
  const local = options.localNetwork === true;
  const lab = options.labNetwork === true;
  const fastPaced = local || lab;
  const allowDuplicateIp = options.allowDuplicateIp ?? local;
  const maxOutgoing = options.maxOutbound ?? COMETBFT_DEFAULT_MAX_OUTBOUND;
  const maxIncoming = options.maxInbound ?? COMETBFT_DEFAULT_MAX_INBOUND;
  const wire: CometbftWireOptions = {
    chainId: options.chainId,
    moniker: options.moniker ?? 'peerwire',
    ...(fastPaced ? { handshakeTimeoutMs: LOCAL_WIRE_DEADLINE_MS, nodeInfoTimeoutMs: LOCAL_WIRE_DEADLINE_MS } : {}),
    sendRate: options.sendRate ?? DEFAULT_RATE_BYTES_PER_SECOND,
    recvRate: options.recvRate ?? DEFAULT_RATE_BYTES_PER_SECOND,
    ...(options.inboundBudget !== undefined || !fastPaced
      ? { inboundBudget: options.inboundBudget ?? COMETBFT_INBOUND_BUDGET }
      : {}),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.ephemeralKeys === undefined ? {} : { ephemeralKeys: options.ephemeralKeys }),
  };
  const observability = {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const transport =
    options.carrier === undefined
      ? cometbftTcpTransport({ wire, ...observability })
      : new StreamTransport({ carrier: options.carrier, wire: cometbftWire({ ...wire, ...observability }), ...observability });
  const store =
    options.store ?? (options.storePath === undefined
      ? undefined
      : new FilePeerStore({
          path: options.storePath,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
          ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
        }));
  const pex = options.pex ?? true;
  return EngineNode.create({
    ...(options.key === undefined ? {} : { key: options.key }),
    transports: [transport],
    listen: [{ protocol: 'tcp', host: options.listen.host, port: options.listen.port }],
    network: options.chainId,
    protocolVersion: '8',
    userAgent: options.moniker ?? 'peerwire',
    policy: new TendermintPolicy({
      ...(local ? localNetworkProfile : {}),
      ...(lab ? labNetworkProfile : {}),
      maxOutgoing,
      maxIncoming,
      maxConnected: maxOutgoing + maxIncoming,
      ...(options.outboundRotationInterval === undefined ? {} : { outboundRotationInterval: options.outboundRotationInterval }),
      ...(options.maxInboundGuests === undefined ? {} : { maxInboundGuests: options.maxInboundGuests }),
    }),
    ...(store === undefined ? {} : { store }),
    persistentPeers: options.persistentPeers ?? [],
    bootstrap: options.seeds ?? [],
    router: {
      ...(fastPaced
        ? { handshakeTimeoutMs: 2 * LOCAL_WIRE_DEADLINE_MS, dialTimeoutMs: LOCAL_WIRE_DEADLINE_MS }
        : { handshakeTimeoutMs: COMETBFT_HANDSHAKE_TIMEOUT_MS }),
      // A node process watches its own load; the local testnet runs many nodes on one event loop.
      ...(local ? LOCAL_NETWORK_ROUTER_OPTIONS : NODE_PROCESS_ROUTER_OPTIONS),
      maxConnectionsPerIp: allowDuplicateIp ? Number.POSITIVE_INFINITY : 1,
      ...options.admission,
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    addressExchange: pex
      ? {
          ...COMETBFT_PEX_RULES,
          ...(fastPaced ? LOCAL_PEX_TIMING : {}),
          seedMode: options.seedMode ?? false,
          targetPeers: options.targetPeers ?? maxOutgoing,
          ...options.pexOverrides,
          codec: pexCodec,
        }
      : false,
    ...(options.random === undefined ? {} : { random: options.random }),
    ...observability,
    ...(options.metrics === undefined ? {} : { traffic: new CometbftP2pMetrics(options.metrics, options.chainId) }),
  });
}
