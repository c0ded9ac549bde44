// The scenarios `peerwire sim --scenario NAME` runs: who is honest, who attacks and how, and what
// happens to the network over time. Each is a plan built from the seed before the run starts, so the
// same seed replays the same churn times, the same partition and the same attackers.
//
// - baseline: every node honest and always up; the network forms from four seed nodes.
// - churn: a quarter of the nodes leave and come back (sessions of ~20 min, absences of ~5 min,
//   exponentially distributed); half of them leave gracefully, half crash (links severed without
//   goodbye, host silent while down) and restart with the peer store they had.
// - partition: from one third to two thirds of the run the Americas cannot reach the rest of the
//   world (every link across is cut, new ones hang); then the partition heals.
// - eclipse: 10% extra nodes (at least 20) in ONE /16 that know each other (their PEX answers and
//   address books are full of attacker addresses: address poisoning), keep five times the honest
//   outbound count and accept everyone. The attack fails if no honest node ends up with only attackers as
//   outbound peers, and each honest node keeps at most its per-group limit of attacker outbound peers.
// - flood: 5% extra nodes that ask for addresses ten times a second (CometBFT PEX requests; Zcash
//   getaddr) and redial at once; honest nodes should ban or starve them without losing connectivity.
// - full-seeds (CometBFT): the four bootstrap nodes run as ordinary full nodes, not in seed mode, so
//   once their inbound slots fill, later newcomers depend on full nodes giving them addresses anyway
//   (engine/peers/guests.ts).

import { randomBelow, SeededRandom } from '../core/random.ts';
import type { Behaviour } from './sim-node.ts';

export const SCENARIOS = ['baseline', 'churn', 'partition', 'eclipse', 'flood', 'full-seeds'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Seed nodes every node is told at start (never churned or attacked by plan). */
export const SEED_NODES = 4;

/** Churn: share of honest non-seed nodes that churn, mean session and mean absence (ms). */
const CHURN_SHARE = 0.25;
const CHURN_MEAN_UP_MS = 20 * 60_000;
const CHURN_MEAN_DOWN_MS = 5 * 60_000;

/** Attackers: eclipse 10% (at least 20), flood 5% (at least 5) of the honest count. */
const ECLIPSE_SHARE = 0.1;
const ECLIPSE_MIN = 20;
/** Outbound connections an eclipse attacker keeps: five times an honest CometBFT node's ten. */
const ECLIPSE_ATTACKER_OUTBOUND = 50;
const FLOOD_SHARE = 0.05;
const FLOOD_MIN = 5;
/** A flooder's request pace (ms): 100× faster than CometBFT's 10 s minimum. */
const FLOOD_INTERVAL_MS = 100;

export type PlannedEvent =
  | { readonly atMs: number; readonly kind: 'down'; readonly node: number; readonly crash: boolean }
  | { readonly atMs: number; readonly kind: 'up'; readonly node: number }
  | { readonly atMs: number; readonly kind: 'partition' }
  | { readonly atMs: number; readonly kind: 'heal' };

export interface ScenarioPlan {
  readonly name: ScenarioName;
  /** Honest nodes are indices [0, honest); attackers follow. */
  readonly honest: number;
  readonly behaviours: readonly Behaviour[];
  /** Sorted by time. */
  readonly events: readonly PlannedEvent[];
  /** CometBFT seeds run as ordinary full nodes instead of in seed mode. */
  readonly fullSeeds: boolean;
}

const HONEST: Behaviour = { kind: 'honest' };

function exponential(random: SeededRandom, mean: number): number {
  return -Math.log(1 - random.next()) * mean;
}

/** The plan of `name` for `nodes` honest nodes over `durationMs`. */
export function planScenario(name: ScenarioName, nodes: number, durationMs: number, seed: number, wire: 'cometbft' | 'zcash'): ScenarioPlan {
  const random = new SeededRandom(seed).fork(`scenario:${name}`);
  const behaviours: Behaviour[] = Array.from({ length: nodes }, () => HONEST);
  const events: PlannedEvent[] = [];
  if (name === 'churn') {
    const candidates = nodes - SEED_NODES;
    const churners = Math.floor(candidates * CHURN_SHARE);
    const picked = new Set<number>();
    while (picked.size < churners) picked.add(SEED_NODES + randomBelow(random.next, candidates));
    for (const node of [...picked].sort((a, b) => a - b)) {
      const crash = random.next() < 0.5;
      let t = exponential(random, CHURN_MEAN_UP_MS);
      while (t < durationMs) {
        events.push({ atMs: Math.round(t), kind: 'down', node, crash });
        t += exponential(random, CHURN_MEAN_DOWN_MS);
        if (t >= durationMs) break;
        events.push({ atMs: Math.round(t), kind: 'up', node });
        t += exponential(random, CHURN_MEAN_UP_MS);
      }
    }
  } else if (name === 'partition') {
    events.push({ atMs: Math.round(durationMs / 3), kind: 'partition' });
    events.push({ atMs: Math.round((2 * durationMs) / 3), kind: 'heal' });
  } else if (name === 'eclipse') {
    const count = Math.max(ECLIPSE_MIN, Math.round(nodes * ECLIPSE_SHARE));
    for (let i = 0; i < count; i++) {
      behaviours.push({ kind: 'attacker', maxOutbound: ECLIPSE_ATTACKER_OUTBOUND, maxInbound: nodes, knowsAttackers: true });
    }
  } else if (name === 'flood') {
    const count = Math.max(FLOOD_MIN, Math.round(nodes * FLOOD_SHARE));
    const flooder: Behaviour =
      wire === 'cometbft'
        ? {
            kind: 'attacker',
            maxOutbound: 64,
            pex: { requestIntervalMs: FLOOD_INTERVAL_MS, crawlIntervalMs: FLOOD_INTERVAL_MS, targetPeers: Number.MAX_SAFE_INTEGER },
          }
        : { kind: 'attacker', maxOutbound: 64, crawlIntervalMs: FLOOD_INTERVAL_MS, minCrawlIntervalMs: 0 };
    for (let i = 0; i < count; i++) behaviours.push(flooder);
  }
  events.sort((a, b) => a.atMs - b.atMs || eventOrder(a) - eventOrder(b));
  return { name, honest: nodes, behaviours, events, fullSeeds: name === 'full-seeds' };
}

function eventOrder(e: PlannedEvent): number {
  return e.kind === 'down' || e.kind === 'up' ? e.node : -1;
}

/** The partition: the Americas (regions 0, 1, 4) against the rest. */
export function acrossPartition(regionA: number, regionB: number): boolean {
  const americas = (r: number): boolean => r === 0 || r === 1 || r === 4;
  return americas(regionA) !== americas(regionB);
}
