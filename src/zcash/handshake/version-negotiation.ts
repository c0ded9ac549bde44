// Zebra's version negotiation (docs/protocols/zcash.md §3.1) as a sans-I/O state machine: it builds our `version`, then
// takes every message the peer sends during the handshake and says what to send and when it is done.
// No sockets, no timers: the connection feeds it decoded messages and applies the deadline.
//
//   start        → our version (the connection sends it at once when dialing, after the dialer's first
//                 message when accepting; both orders interoperate)
//   awaiting-version: anything but `version` is ignored (an early `verack` too, as Zebra does);
//                 on `version`: services consistency (info log only), self-connection, minimum
//                 version, required services while syncing — then reply `verack`
//   awaiting-verack: anything but `verack` is ignored; on `verack`: done.
// Ignoring is bounded by the codec's 1 KiB pre-handshake body limit and the handshake deadline.

import type { Logger } from '../../core/logger.ts';
import type { OutboundMessage, VersionMessage, ZcashMessage } from '../wire/messages.ts';
import { NODE_NETWORK, type NetAddress, truncateServices } from '../wire/net-address.ts';
import type { NetworkParams } from '../params/network-params.ts';
import { type ConnectedAddr, transientAddr } from './connected-addr.ts';
import type { HandshakeMetrics } from './handshake-metrics.ts';
import type { NonceSet } from './nonce-set.ts';
import { missingServices, obsoleteVersion, selfConnection } from './peer-errors.ts';
import { isIP } from 'node:net';

/**
 * Our version timestamp is rounded down to 5 minutes: it hides our exact clock skew, yet stays
 * inside zcashd's 10-minute TIMEDATA_WARNING_THRESHOLD (zcashd only uses it for a statistic).
 */
export const VERSION_TIMESTAMP_ROUNDING_SECONDS = 300;

export function roundedVersionTimestamp(nowMs: number): number {
  const seconds = Math.floor(nowMs / 1000);
  return (
    seconds -
    (((seconds % VERSION_TIMESTAMP_ROUNDING_SECONDS) + VERSION_TIMESTAMP_ROUNDING_SECONDS) %
      VERSION_TIMESTAMP_ROUNDING_SECONDS)
  );
}

export interface NegotiationParams {
  readonly connectedAddr: ConnectedAddr;
  readonly network: NetworkParams;
  /** Our advertised listener address (`addr_from`): external address if configured, else listen. */
  readonly ourAddress: { readonly ip: string; readonly port: number };
  readonly userAgent: string;
  /** User agent on Isolated connections (default ''): the same for everyone, so it says nothing. */
  readonly isolatedUserAgent: string;
  readonly services: bigint;
  readonly relay: boolean;
  readonly nonce: bigint;
  readonly nonces: NonceSet;
  /** Our best tip height, or undefined (start_height 0). */
  readonly tipHeight: number | undefined;
  /** MinimumPeerVersion for the tip at this handshake. */
  readonly minimumVersion: number;
  /** True when our tip is more than 1000 blocks behind the estimated network tip. */
  readonly syncing: boolean;
  readonly nowMs: number;
  readonly logger: Logger;
  readonly metrics: HandshakeMetrics;
}

export interface NegotiationResult {
  readonly remote: VersionMessage;
  /** min(our version, theirs). */
  readonly negotiatedVersion: number;
  /** The remote's services with unknown bits dropped (Zebra's receipt rule). */
  readonly remoteServices: bigint;
}

export interface NegotiationStep {
  /** A message to send now (our `verack`). */
  readonly reply?: OutboundMessage;
  /** Set once the handshake succeeded. */
  readonly result?: NegotiationResult;
}

type State = 'awaiting-version' | 'awaiting-verack' | 'done';

const UNSPECIFIED_V4 = '0.0.0.0';

function versionAddress(endpoint: { host: string; port: number } | undefined): { ip: string; port: number } {
  if (endpoint === undefined || isIP(endpoint.host) === 0) return { ip: UNSPECIFIED_V4, port: 0 };
  return { ip: endpoint.host, port: endpoint.port };
}

export class VersionNegotiation {
  readonly ourVersion: VersionMessage;
  private readonly params: NegotiationParams;
  private state: State = 'awaiting-version';
  private remote: VersionMessage | undefined;
  private negotiated = 0;
  /** Messages ignored while waiting (for tests and logs). */
  ignored = 0;

  /** Inserts our nonce into the shared set (throws ERR_ZCASH_DUPLICATE_NONCE) and builds our version. */
  constructor(params: NegotiationParams) {
    this.params = params;
    params.nonces.insert(params.nonce);
    this.ourVersion = buildOurVersion(params);
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Feeds one message received during the handshake. Throws the typed handshake errors. */
  receive(message: ZcashMessage): NegotiationStep {
    if (this.state === 'awaiting-version') {
      if (message.command !== 'version') {
        this.ignored++;
        this.params.logger.debug({ command: message.command }, 'ignoring non-version message before version');
        return {};
      }
      return this.onVersion(message);
    }
    if (this.state === 'awaiting-verack') {
      if (message.command !== 'verack') {
        this.ignored++;
        this.params.logger.debug({ command: message.command }, 'ignoring non-verack message before verack');
        return {};
      }
      this.state = 'done';
      return {
        result: {
          remote: this.remote!,
          negotiatedVersion: this.negotiated,
          remoteServices: truncateServices(this.remote!.services),
        },
      };
    }
    return {};
  }

  private onVersion(remote: VersionMessage): NegotiationStep {
    const p = this.params;
    const services = truncateServices(remote.services);
    if (truncateServices(remote.addrFrom.services) !== services) {
      p.logger.info(
        { services: remote.services.toString(16), addrFromServices: remote.addrFrom.services.toString(16) },
        'peer with inconsistent version services and version address services',
      );
    }
    // Checked against the whole set: our concurrent handshakes' nonces count too.
    if (p.nonces.has(remote.nonce)) {
      p.metrics.versioned('self', remote.version, remote.userAgent, p.minimumVersion);
      p.logger.info('rejecting self-connection attempt');
      throw selfConnection();
    }
    // Peers on old versions may not know about all network upgrades (forks, slow propagation).
    if (remote.version < p.minimumVersion) {
      p.metrics.versioned('obsolete', remote.version, remote.userAgent, p.minimumVersion);
      p.logger.debug(
        { remoteVersion: remote.version, minimum: p.minimumVersion },
        'disconnecting from peer with obsolete network protocol version',
      );
      throw obsoleteVersion(remote.version, p.minimumVersion);
    }
    const outbound = p.connectedAddr.kind === 'outbound-direct' || p.connectedAddr.kind === 'outbound-proxy';
    if (p.syncing && outbound && (services & NODE_NETWORK) === 0n) {
      p.metrics.versioned('missing-services', remote.version, remote.userAgent, p.minimumVersion);
      throw missingServices(remote.services);
    }
    this.remote = remote;
    this.negotiated = Math.min(this.ourVersion.version, remote.version);
    this.state = 'awaiting-verack';
    p.metrics.versioned('connected', remote.version, remote.userAgent, p.minimumVersion, this.negotiated);
    return { reply: { command: 'verack' } };
  }
}

function buildOurVersion(p: NegotiationParams): VersionMessage {
  const timestamp = roundedVersionTimestamp(p.nowMs);
  if (p.connectedAddr.kind === 'isolated') {
    // Version messages need addresses: the unspecified address and the network's default port,
    // nothing about us (no services, no tip, no relay, a user agent shared by everyone).
    const unspecified: NetAddress = { services: 0n, ip: UNSPECIFIED_V4, port: p.network.defaultPort };
    return {
      command: 'version',
      version: p.network.protocolVersion,
      services: 0n,
      timestamp,
      addrRecv: { ...unspecified, services: NODE_NETWORK },
      addrFrom: unspecified,
      nonce: p.nonce,
      userAgent: p.isolatedUserAgent,
      startHeight: 0,
      relay: false,
    };
  }
  const theirs = versionAddress(transientAddr(p.connectedAddr));
  return {
    command: 'version',
    version: p.network.protocolVersion,
    services: p.services,
    timestamp,
    addrRecv: { services: NODE_NETWORK, ip: theirs.ip, port: theirs.port },
    addrFrom: { services: p.services, ip: p.ourAddress.ip, port: p.ourAddress.port },
    nonce: p.nonce,
    userAgent: p.userAgent,
    startHeight: p.tipHeight ?? 0,
    relay: p.relay,
  };
}
