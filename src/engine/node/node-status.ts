// The /status document of a running node: who it is, its peers (direction, remote address, queued
// messages and bytes, what they call themselves), its channels and their inbound queue depths, and
// the peer store's counts. Built from the router's and the peer manager's views on each request.

import type { PeerManager } from '../peers/peer-manager.ts';
import type { Router } from '../router/router.ts';

export interface NodeStatusSource {
  readonly wire: 'cometbft' | 'zcash';
  readonly id: string;
  readonly network: string;
  readonly listen: string | undefined;
  readonly router: Router;
  readonly peerManager: PeerManager;
  readonly startedAt: number;
  /** Wire-specific extras (address book size, ready peers...). */
  readonly extra?: () => Record<string, unknown>;
}

export function nodeStatus(source: NodeStatusSource): Record<string, unknown> {
  const router = source.router;
  return {
    wire: source.wire,
    id: source.id,
    network: source.network,
    listen: source.listen,
    uptimeSeconds: Math.round((Date.now() - source.startedAt) / 1000),
    peers: router.peerStatus().map((p) => {
      const info = router.peerInfo(p.id);
      return { ...p, name: info?.userAgent, version: info?.protocolVersion, listenAddress: info?.listenAddress };
    }),
    channels: router.channelStatus(),
    peerStore: source.peerManager.stats(),
    ...source.extra?.(),
  };
}
