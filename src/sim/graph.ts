// Graph measures of a connection snapshot: the nodes are simulated hosts, an edge is a live
// connection (either direction). Connected components by union-find; the diameter of the largest
// component by breadth-first search from every node (exact; O(V·E), ~10⁷ steps at 1,000 nodes
// with 10 peers each) or from a bounded sample of sources when larger (a lower bound, reported so).

import { randomBelow, type Random } from '../core/random.ts';

/** Above this many nodes the diameter is estimated from sampled sources. */
const EXACT_DIAMETER_MAX_NODES = 2_000;
/** Sources sampled for the estimate. */
const DIAMETER_SAMPLES = 64;

export interface GraphMeasures {
  /** Nodes in the largest component, as a fraction of all nodes given. */
  readonly largestComponentFraction: number;
  readonly components: number;
  /** Longest shortest path in the largest component (hops). */
  readonly diameter: number;
  readonly diameterExact: boolean;
}

/** `adjacency[i]`: neighbours of node i (indices into the same array); edges are treated as undirected. */
export function measureGraph(adjacency: readonly (readonly number[])[], random: Random): GraphMeasures {
  const n = adjacency.length;
  if (n === 0) return { largestComponentFraction: 0, components: 0, diameter: 0, diameterExact: true };
  const undirected: number[][] = adjacency.map(() => []);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    for (const j of adjacency[i]!) {
      if (j === i || j < 0 || j >= n) continue;
      undirected[i]!.push(j);
      undirected[j]!.push(i);
      const a = find(i);
      const b = find(j);
      if (a !== b) parent[a] = b;
    }
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(find(i), (sizes.get(find(i)) ?? 0) + 1);
  let largestRoot = 0;
  let largest = 0;
  for (const [root, size] of sizes) {
    if (size > largest || (size === largest && root < largestRoot)) {
      largest = size;
      largestRoot = root;
    }
  }
  const members: number[] = [];
  for (let i = 0; i < n; i++) if (find(i) === largestRoot) members.push(i);
  const exact = members.length <= EXACT_DIAMETER_MAX_NODES;
  const sources = exact
    ? members
    : Array.from({ length: DIAMETER_SAMPLES }, () => members[randomBelow(random, members.length)]!);
  const dist = new Int32Array(n);
  const queue = new Int32Array(n);
  let diameter = 0;
  for (const source of sources) {
    dist.fill(-1);
    dist[source] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = source;
    while (head < tail) {
      const v = queue[head++]!;
      const d = dist[v]!;
      if (d > diameter) diameter = d;
      for (const w of undirected[v]!) {
        if (dist[w] === -1) {
          dist[w] = d + 1;
          queue[tail++] = w;
        }
      }
    }
  }
  return { largestComponentFraction: largest / n, components: sizes.size, diameter, diameterExact: exact };
}

/** Quantiles of a list of numbers (nearest rank); the list is sorted in place. */
export function quantiles(values: number[], qs: readonly number[]): number[] {
  if (values.length === 0) return qs.map(() => 0);
  values.sort((a, b) => a - b);
  return qs.map((q) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!);
}
