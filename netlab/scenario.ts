// What a scenario is (a short function with its own pass rule and figures) and the checks several
// scenarios share: "formed" (every node holds its target peers and each wire is one connected graph),
// outbound peers per /16, and the keep-alive disconnect count read from node logs.

import { components, degree, edges, peerIps, type Snapshot } from './graph.ts';
import type { Lab } from './lab.ts';
import type { LabNode } from './lab-node.ts';
import { groupOf, type HostPlan, type Wire } from './topology.ts';

export type Figures = Record<string, number | string | boolean>;

export interface ScenarioOutcome {
  readonly passed: boolean;
  readonly figures: Figures;
  /** What the scenario saw when it failed: per-node peers, last log lines, the broken rule. */
  readonly saw: readonly string[];
}

export interface ScenarioContext {
  readonly quick: boolean;
}

export interface Scenario {
  readonly id: number;
  readonly name: string;
  /** The pass rule in one sentence (printed in the table and the report). */
  readonly rule: (context: ScenarioContext) => string;
  readonly run: (lab: Lab, context: ScenarioContext) => Promise<ScenarioOutcome>;
}

/**
 * Peers every node should hold once formed: 3, or every other node of its wire in a smaller lab. Three
 * keeps a random graph of this size connected with margin, and CometBFT's one-outbound-per-/16 rule
 * still lets a node reach it (hosts span at least three /16s, and inbound peers count too).
 */
export const TARGET_PEERS = 3;

export function targetPeers(wireHosts: number): number {
  return Math.max(1, Math.min(TARGET_PEERS, wireHosts - 1));
}

/** Why `hosts` are not formed yet (empty when they are): per wire, one component and target degrees. */
export function formationGaps(lab: Lab, hosts: readonly HostPlan[], snapshot: Snapshot): string[] {
  const gaps: string[] = [];
  for (const wire of ['cometbft', 'zcash'] as const) {
    const ofWire = hosts.filter((h) => h.wire === wire);
    if (ofWire.length === 0) continue;
    const edgeSet = edges(ofWire, snapshot);
    const parts = components(ofWire, edgeSet);
    if (parts.length > 1) gaps.push(`${wire}: ${parts.length} components ${parts.map((p) => `[${p.join(' ')}]`).join(' ')}`);
    const target = targetPeers(lab.hostsOf(wire).filter((h) => hosts.includes(h)).length);
    for (const host of ofWire) {
      if (snapshot.statuses.get(host.name) === undefined) gaps.push(`${host.name}: no status`);
      else if (degree(host, ofWire, edgeSet) < target) gaps.push(`${host.name}: ${degree(host, ofWire, edgeSet)}/${target} peers`);
    }
  }
  return gaps;
}

/** Mean and minimum peers (either-end rule) per wire among `hosts`. */
export function degreeFigures(hosts: readonly HostPlan[], snapshot: Snapshot): Figures {
  const figures: Figures = {};
  for (const wire of ['cometbft', 'zcash'] as const) {
    const ofWire = hosts.filter((h) => h.wire === wire);
    if (ofWire.length === 0) continue;
    const edgeSet = edges(ofWire, snapshot);
    const degrees = ofWire.map((h) => degree(h, ofWire, edgeSet));
    figures[`${wire}MeanPeers`] = round(degrees.reduce((a, b) => a + b, 0) / degrees.length, 1);
    figures[`${wire}MinPeers`] = Math.min(...degrees);
  }
  return figures;
}

/** The most outbound peers one node holds inside a single /16 (the eclipse rule's measure). */
export function maxOutboundPerGroup(snapshot: Snapshot, host: HostPlan): { max: number; group: string | undefined } {
  const counts = new Map<string, number>();
  for (const peer of peerIps(snapshot.statuses.get(host.name))) {
    if (peer.direction !== 'outbound') continue;
    const group = groupOf(peer.ip);
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  let max = 0;
  let group: string | undefined;
  for (const [g, n] of counts) if (n > max) [max, group] = [n, g];
  return { max, group };
}

/**
 * Disconnect reasons that mean "the keep-alive gave up on a peer": CometBFT's missing pong, Zcash's
 * unanswered heartbeat ping (a request timeout), and a send that never drained.
 */
export const KEEPALIVE_CODES: ReadonlySet<string> = new Set(['ERR_MCONN_PONG_TIMEOUT', 'ERR_ZCASH_REQUEST_TIMEOUT', 'ERR_ZCASH_SEND_TIMEOUT', 'ERR_STALLED', 'ERR_TIMEOUT']);

/** Disconnects a node logged after byte `offset` of its log (LabNode.logSize), by reason code. */
export async function disconnectsSince(node: LabNode, offset: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of await node.logFrom(offset)) {
    if (!line.includes('"peer disconnected"')) continue;
    let entry: { reason?: string; msg?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg !== 'peer disconnected') continue;
    const reason = entry.reason ?? 'none';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return counts;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function seconds(ms: number): number {
  return round(ms / 1000, 1);
}

/** Seeds of the lab: the first host of each wire. */
export function seedOf(lab: Lab, wire: Wire): HostPlan {
  return lab.hostsOf(wire)[0]!;
}
