// One node's drill-down for the web view and the `status` tables: its peers (direction, address, how
// long connected, bytes each way, queued bytes, the wire's round trip), its channels with their inbound
// queue depths, and the peer store's counts — read from the router and the peer manager.

import type { PeerManager } from '../../engine/peers/peer-manager.ts';
import type { Router } from '../../engine/router/router.ts';
import type { WebNodeDetail } from './web-view.ts';

export function nodeDetail(id: string, listen: string | undefined, router: Router, peerManager: PeerManager, now = Date.now()): WebNodeDetail {
  return {
    id,
    listen,
    peers: router.peerStatus().map((p) => ({
      id: p.id,
      direction: p.direction,
      address: p.remote,
      connectedForSeconds: Math.max(0, Math.round((now - p.connectedAt) / 1000)),
      bytesIn: p.bytesReceived,
      bytesOut: p.bytesSent,
      queuedBytes: p.queuedBytes,
      rttMs: p.rttMs,
    })),
    channels: router.channelStatus(),
    peerStore: { ...peerManager.stats() },
  };
}
