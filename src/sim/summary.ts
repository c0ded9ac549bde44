// The summary of a run, as `peerwire sim --json` prints it and the scale tests check it: the run's
// identity (wire, model, seed, nodes, scenario — enough to replay it), the event log hash, the
// samples over time, discovery times, the final in-degree distribution, message and byte counts per
// kind from the shared counters, the properties, and the speed (the only field that differs between
// two runs of one seed, kept apart under `speed`).

import { quantiles } from './graph.ts';
import type { EventLog } from './event-log.ts';
import type { Observer, Sample } from './observer.ts';
import type { ScenarioName, ScenarioPlan } from './scenarios.ts';
import type { SimScheduler } from './scheduler.ts';
import type { SimMetrics } from './sim-metrics.ts';
import type { SimNetwork } from './sim-network.ts';
import type { WireModel, WireName } from './sim-node.ts';

/** The graph "connects" when at least this share of the up honest nodes is in one component. */
export const CONNECTED_FRACTION = 0.99;

export interface SimProperties {
  /** Final sample: ≥ 99% of up honest nodes in the largest component. */
  readonly graphConnects: boolean;
  /** No sample saw an honest node over its connection limits. */
  readonly limitsRespected: boolean;
  /** No sample saw an honest node over its outbound per-group limit. */
  readonly groupDiversityHolds: boolean;
  /** No sample saw an honest node whose outbound peers were all attackers. */
  readonly noEclipse: boolean;
  /** The run ended within its timer budget and stopped leaving no timer behind. */
  readonly cleanRun: boolean;
}

export interface SimSummary {
  readonly wire: WireName;
  readonly wireModel: WireModel;
  readonly nodes: number;
  readonly attackers: number;
  readonly seed: number;
  readonly virtualHours: number;
  readonly scenario: ScenarioName;
  readonly replay: string;
  readonly eventLogHash: string;
  readonly events: number;
  readonly timersFired: number;
  readonly linksOpened: number;
  readonly lostWrites: number;
  readonly plannedEvents: number;
  readonly samples: readonly Sample[];
  /** Per threshold N: honest nodes that knew N addresses, and the median and p90 time (s) to get there. */
  readonly discovery: Record<string, { readonly reached: number; readonly medianSeconds: number; readonly p90Seconds: number }>;
  /** Final in-degree (inbound peers) of honest nodes: value → number of nodes. */
  readonly inDegreeHistogram: Record<string, number>;
  /** Messages and bytes per kind (channel or command), from the nodes' own counters. */
  readonly messagesByKind: Record<string, Record<string, number>>;
  readonly counters: Record<string, Record<string, number>>;
  readonly properties: SimProperties;
  readonly speed: { readonly wallSeconds: number; readonly virtualSeconds: number; readonly speedup: number };
}

export interface SummaryInput {
  readonly options: {
    readonly wire: WireName;
    readonly wireModel: WireModel;
    readonly nodes: number;
    readonly seed: number;
    readonly virtualHours: number;
    readonly scenario: ScenarioName;
    readonly loss?: number;
  };
  readonly plan: ScenarioPlan;
  readonly observer: Observer;
  readonly metrics: SimMetrics;
  readonly network: SimNetwork;
  readonly log: EventLog;
  readonly scheduler: SimScheduler;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly exhausted: boolean;
  readonly stoppedCleanly: boolean;
}

/** The one-line command that replays a run. */
export function replayCommand(o: SummaryInput['options']): string {
  return (
    `peerwire sim --wire ${o.wire} --nodes ${o.nodes} --seed ${o.seed} --virtual-hours ${o.virtualHours}` +
    ` --scenario ${o.scenario}${o.wireModel === 'fast' ? ' --wire-model fast' : ''}${o.loss ? ` --loss ${o.loss}` : ''}`
  );
}

/** Counters whose name says they count messages or bytes, keyed by their labels. */
function messageCounters(counters: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, values] of Object.entries(counters)) {
    if (/message|bytes/.test(name)) out[name] = values;
  }
  return out;
}

export function summarize(input: SummaryInput): SimSummary {
  const { options, observer, metrics } = input;
  const samples = observer.samples;
  const final = samples[samples.length - 1];
  const discovery: SimSummary['discovery'] = {};
  for (const [threshold, times] of observer.discovered) {
    const values = [...times.values()];
    const [median, p90] = quantiles(values, [0.5, 0.9]);
    discovery[String(threshold)] = { reached: values.length, medianSeconds: median!, p90Seconds: p90! };
  }
  const inDegreeHistogram: Record<string, number> = {};
  for (const d of [...observer.inDegrees].sort((a, b) => a - b)) inDegreeHistogram[String(d)] = (inDegreeHistogram[String(d)] ?? 0) + 1;
  const counters = metrics.snapshot();
  const properties: SimProperties = {
    graphConnects: final !== undefined && final.largestComponentFraction >= CONNECTED_FRACTION,
    limitsRespected: samples.every((s) => s.limitViolations === 0),
    groupDiversityHolds: samples.every((s) => s.groupViolations === 0),
    noEclipse: samples.every((s) => s.eclipsed === 0),
    cleanRun: !input.exhausted && input.stoppedCleanly,
  };
  const virtualSeconds = input.virtualMs / 1000;
  const wallSeconds = input.wallMs / 1000;
  return {
    wire: options.wire,
    wireModel: options.wireModel,
    nodes: options.nodes,
    attackers: input.plan.behaviours.length - input.plan.honest,
    seed: options.seed,
    virtualHours: options.virtualHours,
    scenario: options.scenario,
    replay: replayCommand(options),
    eventLogHash: input.log.digest(),
    events: input.log.count,
    timersFired: input.scheduler.fired,
    linksOpened: input.network.linksOpened,
    lostWrites: input.network.lostWrites,
    plannedEvents: input.plan.events.length,
    samples,
    discovery,
    inDegreeHistogram,
    messagesByKind: messageCounters(counters),
    counters,
    properties,
    speed: {
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      virtualSeconds,
      speedup: Math.round((virtualSeconds / Math.max(wallSeconds, 0.001)) * 10) / 10,
    },
  };
}
