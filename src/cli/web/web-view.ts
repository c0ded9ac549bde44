// The document the live web view draws, built on the server once per tick and sent to every open page
// as one server-sent event: the peer graph (nodes and edges, by wire), the figures the charts plot
// (throughput, round trips) and, per node, the drill-down (peers, channels and their queue depths,
// peer store counts). The same shape serves `peerwire testnet --web` (every node of the run) and
// `peerwire node --web` (this node and the peers it is connected to), so there is one page.

import type { TestnetWire } from '../testnet/member.ts';

export interface WebNode {
  /** Unique in the view (`cometbft-3`, or a peer id for a node's remote peers). */
  readonly key: string;
  readonly label: string;
  readonly wire: TestnetWire;
  /** Ours (drawn filled, has details) or a remote peer seen from a node. */
  readonly local: boolean;
}

export interface WebEdge {
  readonly from: string;
  readonly to: string;
  readonly wire: TestnetWire;
}

/** One peer row of a node's drill-down. */
export interface WebPeerRow {
  readonly id: string;
  readonly direction: string;
  readonly address: string;
  readonly connectedForSeconds: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly queuedBytes: number;
  readonly rttMs: number | undefined;
}

export interface WebNodeDetail {
  readonly id: string;
  readonly listen: string | undefined;
  readonly peers: readonly WebPeerRow[];
  readonly channels: readonly { readonly id: number; readonly queued: number }[];
  readonly peerStore: Readonly<Record<string, number>>;
}

export interface WebView {
  readonly title: string;
  /** When the view was built (ms since the epoch). */
  readonly at: number;
  readonly phase: string;
  readonly nodes: readonly WebNode[];
  readonly edges: readonly WebEdge[];
  /** Message bytes received per second over the last tick, all nodes. */
  readonly bytesPerSecond: number;
  readonly messagesPerSecond: number;
  readonly rttP50Ms: number | undefined;
  readonly rttP99Ms: number | undefined;
  readonly details: Readonly<Record<string, WebNodeDetail>>;
}

/** Where `--web` serves when given no address: loopback, the status port of `peerwire node --metrics`. */
export const DEFAULT_WEB_ADDRESS = '127.0.0.1:26660';

/** Most nodes a view carries: a 64-node testnet of both wires, or a node with many peers. */
export const MAX_WEB_NODES = 256;

/** Keeps each undirected edge once (a pair connected both ways, or seen from both ends). */
export function uniqueEdges(edges: readonly WebEdge[]): WebEdge[] {
  const seen = new Set<string>();
  const out: WebEdge[] = [];
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    const key = `${edge.wire}|${[edge.from, edge.to].sort().join('|')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(edge);
  }
  return out;
}

/** The p-th percentile (0..100) of `values`, undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
