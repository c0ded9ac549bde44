// Handshake counters with bounded label sets. Zebra labels its handshake metrics with the remote IP
// and the raw user agent; both are remote-controlled and unbounded, so here the remote IP never
// appears, the user agent is folded into a fixed list of known software families (anything else is
// `other`), and the remote version is bucketed to the protocol versions of the upgrade table (plus
// Bitcoin's, for tests against Bitcoin-family peers), anything else `other`.

import type { Counter, Metrics } from '../../core/metrics.ts';
import { CURRENT_NETWORK_PROTOCOL_VERSION, ZCASH_UPGRADE_TABLE } from '../params/network-upgrades.ts';

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

  constructor(metrics: Metrics) {
    this.handshakes = metrics.counter({
      name: 'p2p_zcash_handshakes_total',
      help: 'Zcash handshakes that reached the remote version message, by result, remote version and agent family.',
      labelNames: ['result', 'remote_version', 'user_agent'],
    });
    this.failures = metrics.counter({
      name: 'p2p_zcash_handshake_failures_total',
      help: 'Zcash handshakes that failed, by result.',
      labelNames: ['result'],
    });
  }

  /** A handshake that got the remote's version: counted with the remote's bucketed facts. */
  versioned(result: HandshakeResult, remoteVersion: number, userAgent: string): void {
    this.handshakes.inc({
      result,
      remote_version: versionLabel(remoteVersion),
      user_agent: userAgentLabel(userAgent),
    });
  }

  failed(result: HandshakeResult): void {
    this.failures.inc({ result });
  }
}
