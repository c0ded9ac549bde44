// The web view of a running testnet: one graph node per testnet node (`cometbft-0` is the CometBFT
// seed), an edge per connected pair (a Zcash pair holding a connection each way is drawn once), the
// run's throughput and round-trip percentiles, and each node's drill-down.

import type { TestnetMember } from '../testnet/member.ts';
import type { TestnetSnapshot } from '../testnet/testnet.ts';
import { MAX_WEB_NODES, uniqueEdges, type WebEdge, type WebNode, type WebNodeDetail, type WebView } from './web-view.ts';

export function memberKey(member: Pick<TestnetMember, 'wire' | 'index'>): string {
  return `${member.wire}-${member.index}`;
}

export function testnetWebView(snapshot: TestnetSnapshot, members: readonly TestnetMember[], now = Date.now()): WebView {
  const shown = members.slice(0, MAX_WEB_NODES);
  const keyOf = new Map<string, string>();
  for (const m of shown) keyOf.set(`${m.wire}|${m.identity}`, memberKey(m));
  const nodes: WebNode[] = [];
  const edges: WebEdge[] = [];
  const details: Record<string, WebNodeDetail> = {};
  for (const m of shown) {
    const key = memberKey(m);
    nodes.push({ key, label: `${m.wire} ${m.index}${m.index === 0 ? ' (seed)' : ''}`, wire: m.wire, local: true });
    for (const peer of m.peerIdentities()) {
      const to = keyOf.get(`${m.wire}|${peer}`);
      if (to !== undefined) edges.push({ from: key, to, wire: m.wire });
    }
    details[key] = m.detail();
  }
  return {
    title: `peerwire testnet: ${[...new Set(shown.map((m) => m.wire))].join(' + ')}`,
    at: now,
    phase: snapshot.phase,
    nodes,
    edges: uniqueEdges(edges),
    bytesPerSecond: snapshot.bytesPerSecond,
    messagesPerSecond: snapshot.messagesPerSecond,
    rttP50Ms: snapshot.rttP50Ms,
    rttP99Ms: snapshot.rttP99Ms,
    details,
  };
}
