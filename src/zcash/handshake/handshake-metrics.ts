// Handshake counters with bounded label sets. Zebra labels its handshake metrics with the remote IP
// and the raw user agent; both are remote-controlled and unbounded, so here the remote IP never
// appears, the user agent is folded into a fixed list of known software families (anything else is
// `other`), and the remote version is bucketed to the protocol versions of the upgrade table (plus
// Bitcoin's, for tests against Bitcoin-family peers), anything else `other`.

import type { Counter, Metrics } from '../../core/metrics.ts';
import { CURRENT_NETWORK_PROTOCOL_VERSION, ZCASH_UPGRADE_TABLE } from '../params/network-upgrades.ts';
import { ZcashPeerErrorCode } from './peer-errors.ts';

/** User-agent families we label by name: BIP-14 prefix → label. Order matters (first match wins). */
const KNOWN_AGENTS: readonly (readonly [prefix: string, label: string])[] = [
  ['/Zebra:', 'zebra'],
  ['/MagicBean:', 'zcashd'],
  ['/bcoin:', 'bcoin'],
  ['/Satoshi:', 'bitcoin-core'],
  ['/btcwire:', 'btcd'],
  ['/bitcore', 'bitcore'],
  ['/peerwire:', 'peerwire'],
];

/** The label of a remote user agent: a known family, `empty`, or `other`. */
export function userAgentLabel(userAgent: string): string {
  if (userAgent === '') return 'empty';
  for (const [prefix, label] of KNOWN_AGENTS) if (userAgent.startsWith(prefix)) return label;
  return 'other';
}

/** Bitcoin versions seen from Bitcoin-family peers (bcoin 70015, Bitcoin Core 70016). */
const BITCOIN_VERSIONS = [70001, 70015, 70016];

const KNOWN_VERSIONS: ReadonlySet<number> = new Set<number>([
  CURRENT_NETWORK_PROTOCOL_VERSION,
  ...BITCOIN_VERSIONS,
  ...ZCASH_UPGRADE_TABLE.flatMap((row) => [row.minPeerMainnet, row.minPeerTestnet, row.minPeerRegtest]),
]);

/** The label of a remote protocol version: the number if it is a known protocol version, else `other`. */
export function versionLabel(version: number): string {
  return KNOWN_VERSIONS.has(version) ? String(version) : 'other';
}

/** Outcomes of a handshake, the `result` label. */
export type HandshakeResult =
  'connected' | 'obsolete' | 'self' | 'duplicate-nonce' | 'missing-services' | 'timeout' | 'closed' | 'error';

export class HandshakeMetrics {
  private readonly handshakes: Counter;
  private readonly failures: Counter;
  private readonly connected: Counter;
  private readonly obsolete: Counter;

  constructor(metrics: Metrics) {
    this.handshakes = metrics.counter({
      name: 'peerwire_zcash_handshakes_total',
      help: 'Zcash handshakes that reached the remote version message, by result, remote version and agent family.',
      labelNames: ['result', 'remote_version', 'user_agent'],
    });
    // zebrad's own two (handshake.rs `zcash.net.peers.connected` / `.obsolete`), without `remote_ip`.
    this.connected = metrics.counter({
      name: 'zcash_net_peers_connected',
      help: 'Handshakes that negotiated a version, by remote version, negotiated version, minimum version and agent family.',
      labelNames: ['remote_version', 'negotiated_version', 'min_version', 'user_agent'],
    });
    this.obsolete = metrics.counter({
      name: 'zcash_net_peers_obsolete',
      help: 'Peers refused for an obsolete protocol version, by remote version, minimum version and agent family.',
      labelNames: ['remote_version', 'min_version', 'user_agent'],
    });
    this.failures = metrics.counter({
      name: 'peerwire_zcash_handshake_failures_total',
      help: 'Zcash handshakes that failed, by result.',
      labelNames: ['result'],
    });
  }

  /**
   * A handshake that got the remote's version: counted with the remote's bucketed facts. `minVersion`
   * is the minimum we accept now; `negotiated` the version both sides speak (for `connected`).
   */
  versioned(result: HandshakeResult, remoteVersion: number, userAgent: string, minVersion: number, negotiated?: number): void {
    const remote_version = versionLabel(remoteVersion);
    const user_agent = userAgentLabel(userAgent);
    const min_version = versionLabel(minVersion);
    this.handshakes.inc({ result, remote_version, user_agent });
    if (result === 'connected') {
      this.connected.inc({ remote_version, negotiated_version: versionLabel(negotiated ?? remoteVersion), min_version, user_agent });
    } else if (result === 'obsolete') {
      this.obsolete.inc({ remote_version, min_version, user_agent });
    }
  }

  failed(result: HandshakeResult): void {
    this.failures.inc({ result });
  }
}

/** The failure label of a handshake that ended with an error of `code`. */
export function handshakeFailureOf(code: string): 'obsolete' | 'self' | 'missing-services' | 'error' {
  switch (code) {
    case ZcashPeerErrorCode.ObsoleteVersion:
      return 'obsolete';
    case ZcashPeerErrorCode.SelfConnection:
      return 'self';
    case ZcashPeerErrorCode.MissingServices:
      return 'missing-services';
    default:
      return 'error';
  }
}
