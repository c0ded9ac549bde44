// What the simulation measures, sampled at points of virtual time: peers per node, the largest
// connected component and its diameter, in-degrees, how many addresses nodes know, and the
// invariants the scale properties check (limits, outbound group diversity, eclipse). Honest nodes
// are the subject: attackers count as peers of honest nodes but are not measured themselves.
// "Outbound" and "inbound" mean the PeerManager's slots (whom the node chose, whom it let in), not
// the current connection's direction: after a simultaneous dial both ways the surviving connection
// may run the other way while the peer keeps its slot (engine/peers/connection-table.ts); counting
// directions reported a 1,000-node real-wire run over its inbound limit when it was not.

import type { Random } from '../core/random.ts';
import { slash16 } from './addresses.ts';
import { measureGraph, quantiles } from './graph.ts';
import type { SimNode, SimNodeLimits } from './sim-node.ts';

export interface Sample {
  /** Virtual seconds since the start. */
  readonly t: number;
  /** Honest nodes up. */
  readonly up: number;
  readonly peers: { readonly mean: number; readonly min: number; readonly p10: number; readonly p50: number; readonly p90: number; readonly max: number };
  readonly outboundMean: number;
  readonly largestComponentFraction: number;
  readonly components: number;
  readonly diameter: number;
  readonly maxInDegree: number;
  readonly knownMean: number;
  /** Honest nodes over a connection limit at this sample (a slot's limit or the total, + upgrade slots). */
  readonly limitViolations: number;
  /** Honest nodes with more outbound peers in one address group than allowed. */
  readonly groupViolations: number;
  /** Most outbound peers any honest node has in one /16. */
  readonly maxOutboundPerSlash16: number;
  /** Share of honest nodes' outbound connections that go to attackers. */
  readonly attackerOutboundShare: number;
  /** Share of honest nodes' inbound connections that come from attackers. */
  readonly attackerInboundShare: number;
  /** Honest nodes whose outbound peers are all attackers (at least one). */
  readonly eclipsed: number;
}

export interface NodeView {
  readonly index: number;
  readonly honest: boolean;
  readonly node: SimNode | undefined;
}

/** Address-count thresholds for "time to discover N peers". */
export function discoveryThresholds(nodes: number): number[] {
  return [8, 32, 128, 512, 2048].filter((n) => n < nodes);
}

export class Observer {
  readonly samples: Sample[] = [];
  /** Per threshold, per honest node: first sample time (s) at which it knew that many addresses. */
  readonly discovered = new Map<number, Map<number, number>>();
  private readonly thresholds: number[];
  private readonly indexOfIp: Map<string, number>;
  private readonly attackers: Set<number>;
  private lastInDegrees: number[] = [];

  constructor(ipOf: readonly string[], honest: number, private readonly random: Random) {
    this.indexOfIp = new Map(ipOf.map((ip, i) => [ip, i]));
    this.attackers = new Set(ipOf.map((_, i) => i).filter((i) => i >= honest));
    this.thresholds = discoveryThresholds(honest);
    for (const n of this.thresholds) this.discovered.set(n, new Map());
  }

  /** Honest nodes' inbound counts at the last sample. */
  get inDegrees(): readonly number[] {
    return this.lastInDegrees;
  }

  sample(tSeconds: number, views: readonly NodeView[]): Sample {
    const honest = views.filter((v) => v.honest && v.node !== undefined);
    const position = new Map<number, number>(honest.map((v, i) => [v.index, i]));
    const adjacency: number[][] = honest.map(() => []);
    const peerCounts: number[] = [];
    const inDegrees: number[] = [];
    let outboundTotal = 0;
    let knownTotal = 0;
    let limitViolations = 0;
    let groupViolations = 0;
    let maxPerSlash16 = 0;
    let toAttackers = 0;
    let fromAttackers = 0;
    let inboundTotal = 0;
    let eclipsed = 0;
    for (let i = 0; i < honest.length; i++) {
      const view = honest[i]!;
      const node = view.node!;
      const peers = node.peers();
      let outbound = 0;
      let inbound = 0;
      let outToAttackers = 0;
      const perGroup = new Map<string, number>();
      const perSlash16 = new Map<string, number>();
      for (const peer of peers) {
        const index = this.indexOfIp.get(peer.ip);
        const attacker = index !== undefined && this.attackers.has(index);
        if (peer.slot === 'outbound') {
          outbound++;
          if (attacker) outToAttackers++;
          const group = node.limits.groupBy === 'ip' ? peer.ip : slash16(peer.ip);
          perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
          const s16 = slash16(peer.ip);
          perSlash16.set(s16, (perSlash16.get(s16) ?? 0) + 1);
        } else {
          inbound++;
          if (attacker) fromAttackers++;
        }
        const j = index === undefined ? undefined : position.get(index);
        if (j !== undefined) adjacency[i]!.push(j);
      }
      const l = node.limits;
      if (overLimit(l, outbound, inbound)) limitViolations++;
      if ([...perGroup.values()].some((c) => c > l.maxOutboundPerGroup)) groupViolations++;
      for (const c of perSlash16.values()) maxPerSlash16 = Math.max(maxPerSlash16, c);
      if (outbound > 0 && outToAttackers === outbound) eclipsed++;
      toAttackers += outToAttackers;
      outboundTotal += outbound;
      inboundTotal += inbound;
      peerCounts.push(peers.length);
      inDegrees.push(inbound);
      const known = node.known();
      knownTotal += known;
      for (const n of this.thresholds) {
        const seen = this.discovered.get(n)!;
        if (known >= n && !seen.has(view.index)) seen.set(view.index, tSeconds);
      }
    }
    this.lastInDegrees = inDegrees;
    const graph = measureGraph(adjacency, this.random);
    const [min, p10, p50, p90, max] = quantiles([...peerCounts], [0, 0.1, 0.5, 0.9, 1]);
    const n = Math.max(1, honest.length);
    const sample: Sample = {
      t: tSeconds,
      up: honest.length,
      peers: { mean: round(peerCounts.reduce((s, x) => s + x, 0) / n), min: min!, p10: p10!, p50: p50!, p90: p90!, max: max! },
      outboundMean: round(outboundTotal / n),
      largestComponentFraction: round(graph.largestComponentFraction),
      components: graph.components,
      diameter: graph.diameter,
      maxInDegree: inDegrees.reduce((m, x) => Math.max(m, x), 0),
      knownMean: round(knownTotal / n),
      limitViolations,
      groupViolations,
      maxOutboundPerSlash16: maxPerSlash16,
      attackerOutboundShare: round(outboundTotal === 0 ? 0 : toAttackers / outboundTotal),
      attackerInboundShare: round(inboundTotal === 0 ? 0 : fromAttackers / inboundTotal),
      eclipsed,
    };
    this.samples.push(sample);
    return sample;
  }
}

/** Is a node with these slot counts over its limits? Each may be exceeded by the upgrade slots only. */
export function overLimit(l: SimNodeLimits, outbound: number, inbound: number): boolean {
  return (
    outbound > l.maxOutbound + l.maxUpgrade ||
    inbound > l.maxInbound + l.maxUpgrade ||
    outbound + inbound > l.maxConnected + l.maxUpgrade
  );
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
