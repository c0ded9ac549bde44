// The web view of one running node (`peerwire node --web`): the node in the middle, the peers it is
// connected to around it, its receive throughput (message bytes per second since the previous view,
// from each peer's byte count) and the round-trip percentiles across its peers (the wire's own
// keep-alive measure), and its drill-down. Remote peers are labelled by what they call themselves.

import type { PeerManager } from '../../engine/peers/peer-manager.ts';
import type { Router } from '../../engine/router/router.ts';
import type { TestnetWire } from '../testnet/member.ts';
import { nodeDetail } from './node-detail.ts';
import { MAX_WEB_NODES, percentile, type WebEdge, type WebNode, type WebView } from './web-view.ts';

export interface NodeWebSource {
  readonly wire: TestnetWire;
  readonly id: string;
  readonly network: string;
  readonly listen: string | undefined;
  readonly router: Router;
  readonly peerManager: PeerManager;
}

/** Longest remote label shown (user agents and monikers are remote text). */
const MAX_LABEL = 32;

export class NodeWebView {
  private readonly source: NodeWebSource;
  /** Bytes received per peer at the previous view (only peers connected then: bounded by the limits). */
  private previous = new Map<string, number>();
  private previousAt: number | undefined;

  constructor(source: NodeWebSource) {
    this.source = source;
  }

  next(now = Date.now()): WebView {
    const { router, wire } = this.source;
    const detail = nodeDetail(this.source.id, this.source.listen, router, this.source.peerManager, now);
    const selfKey = `self:${this.source.id}`;
    const nodes: WebNode[] = [{ key: selfKey, label: `this node (${wire} ${this.source.network})`.slice(0, 64), wire, local: true }];
    const edges: WebEdge[] = [];
    let received = 0;
    const current = new Map<string, number>();
    for (const peer of detail.peers.slice(0, MAX_WEB_NODES - 1)) {
      const name = router.peerInfo(peer.id)?.userAgent ?? '';
      nodes.push({ key: peer.id, label: `${peer.id.slice(0, 12)} ${name}`.slice(0, MAX_LABEL), wire, local: false });
      edges.push({ from: selfKey, to: peer.id, wire });
      received += Math.max(0, peer.bytesIn - (this.previous.get(peer.id) ?? 0));
      current.set(peer.id, peer.bytesIn);
    }
    const seconds = this.previousAt === undefined ? undefined : Math.max(0.001, (now - this.previousAt) / 1000);
    this.previous = current;
    this.previousAt = now;
    const rtts = detail.peers.flatMap((p) => (p.rttMs === undefined ? [] : [p.rttMs]));
    return {
      title: `peerwire node ${this.source.id.slice(0, 16)} (${wire} ${this.source.network})`,
      at: now,
      phase: 'running',
      nodes,
      edges,
      bytesPerSecond: seconds === undefined ? 0 : received / seconds,
      // Per-peer message counts are not kept; the chart plots bytes.
      messagesPerSecond: 0,
      rttP50Ms: percentile(rtts, 50),
      rttP99Ms: percentile(rtts, 99),
      details: { [selfKey]: detail },
    };
  }
}
