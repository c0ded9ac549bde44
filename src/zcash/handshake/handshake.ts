// Zebra's `Handshake` service: everything every Zcash connection of a node shares — the config, our
// services, user agent and relay flag, the inbound service, where address-book and inventory changes
// go, the chain tip (for the minimum peer version and our start height) and the nonce set — built
// once with HandshakeBuilder and handed to the wire. Each connection asks it for a fresh
// VersionNegotiation; the connection does the I/O.

import { realClock, type Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { MAX_USER_AGENT_LENGTH } from '../encoding/constants.ts';
import type { NetworkParams } from '../params/network-params.ts';
import { minimumPeerVersion } from '../params/network-params.ts';
import type { AddressBookUpdater, InventoryCollector } from '../wire/peer-events.ts';
import type { InboundService } from '../wire/requests.ts';
import { type ChainTip, isSyncing, noChainTip } from './chain-tip.ts';
import type { ConnectedAddr } from './connected-addr.ts';
import { HandshakeMetrics } from './handshake-metrics.ts';
import { DEFAULT_TOTAL_CONNECTION_LIMIT, NonceSet, randomNonce, randomNonceFrom } from './nonce-set.ts';
import { VersionNegotiation } from './version-negotiation.ts';

/** Zebra HANDSHAKE_TIMEOUT: 3 s for the whole exchange; a slow or silent peer costs little. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 3_000;
/** Zebra REQUEST_TIMEOUT: 20 s per request and per send; a ping timeout fails the connection. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/**
 * Zebra HEARTBEAT_INTERVAL: 59 s between pings (a prime-ish value that avoids lining up with other
 * periodic tasks); well inside zcashd's 20-minute inactivity timeout.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 59_000;

export interface HostPort {
  readonly ip: string;
  readonly port: number;
}

export interface HandshakeConfig {
  readonly network: NetworkParams;
  /** Our listener, advertised in `addr_from` when no external address is set. Default `[::]:<default port>`. */
  readonly listenAddr?: HostPort;
  /** Our publicly reachable address, advertised instead of the listener. Default: none. */
  readonly externalAddr?: HostPort;
  /** Deadline of the whole handshake, in ms. Default 3000. */
  readonly handshakeTimeoutMs?: number;
  /** Bounds the nonce set (Zebra: the total connection limit). Default 200. */
  readonly totalConnectionLimit?: number;
  /** Per-request and per-send timeout, in ms. Default 20,000. */
  readonly requestTimeoutMs?: number;
  /** Heartbeat interval, in ms (also the heartbeat's own timeout). Default 59,000. */
  readonly heartbeatIntervalMs?: number;
  /** User agent sent on Isolated connections. Default '' (reveals nothing). */
  readonly isolatedUserAgent?: string;
}

export interface ResolvedHandshakeConfig {
  readonly network: NetworkParams;
  readonly listenAddr: HostPort;
  readonly externalAddr: HostPort | undefined;
  readonly handshakeTimeoutMs: number;
  readonly totalConnectionLimit: number;
  readonly requestTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly isolatedUserAgent: string;
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `${what} must be positive, not ${value}`, {
      action: 'transient',
    });
  }
  return value;
}

function resolveConfig(config: HandshakeConfig): ResolvedHandshakeConfig {
  return {
    network: config.network,
    listenAddr: config.listenAddr ?? { ip: '::', port: config.network.defaultPort },
    externalAddr: config.externalAddr,
    handshakeTimeoutMs: positive(
      config.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      'handshakeTimeoutMs',
    ),
    totalConnectionLimit: positive(
      config.totalConnectionLimit ?? DEFAULT_TOTAL_CONNECTION_LIMIT,
      'totalConnectionLimit',
    ),
    requestTimeoutMs: positive(config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs'),
    heartbeatIntervalMs: positive(
      config.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      'heartbeatIntervalMs',
    ),
    isolatedUserAgent: config.isolatedUserAgent ?? '',
  };
}

const dropChanges = { send: (): void => undefined };

export interface HandshakeParts {
  readonly config: ResolvedHandshakeConfig;
  readonly userAgent: string;
  readonly services: bigint;
  readonly relay: boolean;
  readonly inboundService: InboundService | undefined;
  readonly addressBookUpdater: AddressBookUpdater;
  readonly inventoryCollector: InventoryCollector;
  readonly chainTip: ChainTip;
  readonly nonces: NonceSet;
  readonly clock: Clock;
  /** Undefined: nonces and shuffles come from node:crypto. */
  readonly random: Random | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export class Handshake {
  readonly config: ResolvedHandshakeConfig;
  readonly userAgent: string;
  readonly services: bigint;
  readonly relay: boolean;
  /** Undefined: unsolicited requests go to the router's channels instead (see ZcashConnection). */
  readonly inboundService: InboundService | undefined;
  readonly addressBookUpdater: AddressBookUpdater;
  readonly inventoryCollector: InventoryCollector;
  readonly chainTip: ChainTip;
  readonly nonces: NonceSet;
  readonly clock: Clock;
  /** Seeded source for nonces and address shuffles (simulations); undefined: node:crypto. */
  readonly random: Random | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly handshakeMetrics: HandshakeMetrics;

  constructor(parts: HandshakeParts) {
    this.config = parts.config;
    this.userAgent = parts.userAgent;
    this.services = parts.services;
    this.relay = parts.relay;
    this.inboundService = parts.inboundService;
    this.addressBookUpdater = parts.addressBookUpdater;
    this.inventoryCollector = parts.inventoryCollector;
    this.chainTip = parts.chainTip;
    this.nonces = parts.nonces;
    this.clock = parts.clock;
    this.random = parts.random;
    this.logger = parts.logger;
    this.metrics = parts.metrics;
    this.handshakeMetrics = new HandshakeMetrics(parts.metrics);
  }

  static builder(): HandshakeBuilder {
    return new HandshakeBuilder();
  }

  get network(): NetworkParams {
    return this.config.network;
  }

  /** The minimum remote version now: re-read from the chain tip at every handshake. */
  minimumPeerVersion(): number {
    return minimumPeerVersion(this.config.network, this.chainTip.bestTipHeight());
  }

  /** A fresh random 64-bit nonce (handshakes, heartbeat pings), from the injected source if any. */
  nonce(): bigint {
    return this.random === undefined ? randomNonce() : randomNonceFrom(this.random);
  }

  /** A fresh negotiation for one connection: inserts a new nonce (may throw ERR_ZCASH_DUPLICATE_NONCE). */
  negotiation(
    connectedAddr: ConnectedAddr,
    logger: Logger,
    nonce: bigint = this.nonce(),
  ): VersionNegotiation {
    const isolated = connectedAddr.kind === 'isolated';
    return new VersionNegotiation({
      connectedAddr,
      network: this.config.network,
      ourAddress: this.config.externalAddr ?? this.config.listenAddr,
      userAgent: this.userAgent,
      isolatedUserAgent: this.config.isolatedUserAgent,
      services: this.services,
      relay: this.relay,
      nonce,
      nonces: this.nonces,
      tipHeight: isolated ? undefined : this.chainTip.bestTipHeight(),
      minimumVersion: this.minimumPeerVersion(),
      syncing: isSyncing(this.chainTip),
      nowMs: this.clock.now(),
      logger,
      metrics: this.handshakeMetrics,
    });
  }
}

/** Builds a Handshake. Only the config is mandatory; every other part has a documented default. */
export class HandshakeBuilder {
  private config: HandshakeConfig | undefined;
  private userAgent = '';
  private services = 0n;
  private relay = false;
  private inboundService: InboundService | undefined;
  private addressBookUpdater: AddressBookUpdater = dropChanges;
  private inventoryCollector: InventoryCollector = dropChanges;
  private chainTip: ChainTip = noChainTip;
  private nonces: NonceSet | undefined;
  private clock: Clock = realClock;
  private random: Random | undefined;
  private logger: Logger = silentLogger;
  private metrics: Metrics = noopMetrics;

  /** Mandatory. */
  withConfig(config: HandshakeConfig): this {
    this.config = config;
    return this;
  }

  /** Answers peers' requests. Default: none (unsolicited requests are delivered to the router's channels). */
  withInboundService(service: InboundService): this {
    this.inboundService = service;
    return this;
  }

  /** Receives MetaAddrChange events. Default: dropped. */
  withAddressBookUpdater(updater: AddressBookUpdater): this {
    this.addressBookUpdater = updater;
    return this;
  }

  /** Receives inventory advertisements and `notfound`s. Default: dropped. */
  withInventoryCollector(collector: InventoryCollector): this {
    this.inventoryCollector = collector;
    return this;
  }

  /** Services we advertise. Default 0 (a client): zebrad passes NODE_NETWORK. */
  withAdvertisedServices(services: bigint): this {
    this.services = services;
    return this;
  }

  /** BIP-14 user agent (≤ 256 bytes). Default ''. */
  withUserAgent(userAgent: string): this {
    if (Buffer.byteLength(userAgent, 'utf8') > MAX_USER_AGENT_LENGTH) {
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `user agent longer than ${MAX_USER_AGENT_LENGTH} bytes`,
        {
          action: 'transient',
        },
      );
    }
    this.userAgent = userAgent;
    return this;
  }

  /** The BIP-37 relay flag in our version. Default false (zebrad: true). */
  wantTransactions(relay: boolean): this {
    this.relay = relay;
    return this;
  }

  /** Our chain tip. Default: no tip (start height 0, minimum versions at height 0). */
  withLatestChainTip(tip: ChainTip): this {
    this.chainTip = tip;
    return this;
  }

  /** A nonce set to share with another Handshake. Default: a new set bounded by the connection limit. */
  withNonceSet(nonces: NonceSet): this {
    this.nonces = nonces;
    return this;
  }

  /** Default: the real clock. */
  withClock(clock: Clock): this {
    this.clock = clock;
    return this;
  }

  /** A seeded source for nonces and shuffles, for simulations. Default: node:crypto. */
  withRandom(random: Random): this {
    this.random = random;
    return this;
  }

  /** Default: silent. */
  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /** Default: no metrics. */
  withMetrics(metrics: Metrics): this {
    this.metrics = metrics;
    return this;
  }

  finish(): Handshake {
    if (this.config === undefined) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'handshake builder: config not set', {
        action: 'transient',
      });
    }
    const config = resolveConfig(this.config);
    return new Handshake({
      config,
      userAgent: this.userAgent,
      services: this.services,
      relay: this.relay,
      inboundService: this.inboundService,
      addressBookUpdater: this.addressBookUpdater,
      inventoryCollector: this.inventoryCollector,
      chainTip: this.chainTip,
      nonces: this.nonces ?? new NonceSet(config.totalConnectionLimit),
      clock: this.clock,
      random: this.random,
      logger: this.logger.child({ component: 'zcash-handshake' }),
      metrics: this.metrics,
    });
  }
}
