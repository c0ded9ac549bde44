// One simulation run: builds the hosts (addresses, regions, bandwidths), the identities and the
// scenario's plan from the seed; starts the nodes over the first minute; lets the scheduler run the
// virtual hours, applying the plan's events and sampling the observer; stops every node; and
// returns the summary. Everything that decides the run is drawn from the seed, in a fixed order, on
// one thread: two runs of one seed (in one process or two) produce the same event log hash.

import { loadFrameAead } from '../cometbft/wire/secret-connection/frame-aead.ts';
import { fnv1a, SeededRandom } from '../core/random.ts';
import { attackerAddresses, honestAddresses } from './addresses.ts';
import { EventKind, EventLog } from './event-log.ts';
import { Observer, type NodeView } from './observer.ts';
import { LinkModel } from './region-model.ts';
import { acrossPartition, planScenario, SEED_NODES, type PlannedEvent, type ScenarioName } from './scenarios.ts';
import { SimScheduler } from './scheduler.ts';
import { SimMetrics } from './sim-metrics.ts';
import { SimNetwork, type SimHost } from './sim-network.ts';
import { drawKey, type KnownHost, type SimContext, type SimNode, type SimNodeSpec, type WireModel, type WireName } from './sim-node.ts';
import { summarize, type SimSummary } from './summary.ts';
import { buildNode } from './wire-nodes.ts';

export interface SimOptions {
  readonly wire: WireName;
  readonly wireModel?: WireModel;
  /** Honest nodes (attackers of the scenario come on top). */
  readonly nodes: number;
  readonly seed: number;
  readonly virtualHours: number;
  readonly scenario?: ScenarioName;
  /** Loss per write unit on every link. Default 0. */
  readonly loss?: number;
  /** Progress callback, once per sample (wall-clock reporting is the caller's). */
  readonly onSample?: (tSeconds: number, durationSeconds: number, nodes: readonly (SimNode | undefined)[]) => void;
}

/** Nodes start spread over this first minute (a network does not boot in one instant). */
const START_SPREAD_MS = 60_000;
/** Samples every 10 s during the first two minutes (formation), then ~150 samples over the run. */
const EARLY_SAMPLE_MS = 10_000;
const EARLY_PHASE_MS = 120_000;
const LATE_SAMPLES = 150;
/** Virtual time granted to the final stop (graceful closes, lingers) before the run is declared hung. */
const STOP_GRACE_MS = 120_000;
/** Upper bound on timers per virtual second per node: a runaway loop ends the run instead of hanging it. */
const TIMER_BUDGET_PER_NODE_SECOND = 2_000;

/** Addresses a DNS seeder hands a starting Zcash node: a sample of honest nodes booted before it. */
const DNS_SEEDER_ANSWER = 8;

function dnsSeederAnswer(node: number, bootAt: readonly number[], random: () => number): number[] {
  const earlier: number[] = [];
  for (let j = SEED_NODES; j < bootAt.length; j++) if (j !== node && bootAt[j]! < bootAt[node]!) earlier.push(j);
  const out: number[] = [];
  for (let k = 0; k < DNS_SEEDER_ANSWER && earlier.length > 0; k++) {
    const pick = Math.floor(random() * earlier.length);
    out.push(earlier[pick]!);
    earlier.splice(pick, 1);
  }
  return out;
}

function sampleTimes(durationMs: number): number[] {
  const late = Math.max(60_000, Math.round(durationMs / LATE_SAMPLES / 1000) * 1000);
  const times: number[] = [];
  for (let t = EARLY_SAMPLE_MS; t <= Math.min(EARLY_PHASE_MS, durationMs); t += EARLY_SAMPLE_MS) times.push(t);
  for (let t = EARLY_PHASE_MS + late; t <= durationMs; t += late) times.push(t);
  if (times[times.length - 1] !== durationMs) times.push(durationMs);
  return times;
}

export async function runSimulation(options: SimOptions): Promise<SimSummary> {
  // The first CometBFT handshake of a process waits for the frame AEAD's WebAssembly to load, in real
  // time and out of step with the simulated clock; loaded first, one seed runs alike in any process.
  await loadFrameAead();
  const wallStart = performance.now();
  const scenario = options.scenario ?? 'baseline';
  const model: WireModel = options.wireModel ?? 'real';
  const durationMs = Math.round(options.virtualHours * 3_600_000);
  const root = new SeededRandom(options.seed);
  const log = new EventLog();
  const scheduler = new SimScheduler(log);
  const startAt = scheduler.now();
  const linkModel = new LinkModel({ loss: options.loss ?? 0 });
  const network = new SimNetwork(scheduler, linkModel, root.fork('links').next, log);
  const metrics = new SimMetrics();
  const plan = planScenario(scenario, options.nodes, durationMs, options.seed, options.wire);
  const total = plan.behaviours.length;

  const placement = root.fork('placement');
  const ips = [...honestAddresses(plan.honest, placement.next), ...attackerAddresses(total - plan.honest)];
  const hosts: SimHost[] = ips.map((ip, index) => ({ index, ip, ...linkModel.place(placement.next) }));
  const keys = root.fork('keys');
  const identities = hosts.map(() => drawKey(keys));
  const known = (i: number): KnownHost => ({ host: hosts[i]!, id: identities[i]!.id });
  const seeds = Array.from({ length: Math.min(SEED_NODES, plan.honest) }, (_, i) => known(i));
  const attackers = hosts.slice(plan.honest).map((h) => known(h.index));
  // Boot: every node starts at a seeded moment of the first minute; seeds first, at time 0.
  const boot = root.fork('boot');
  const bootAt = hosts.map((_, i) => (i < seeds.length ? 0 : Math.floor(boot.next() * START_SPREAD_MS)));
  const seeder = root.fork('dns-seeder');
  const specs: SimNodeSpec[] = hosts.map((host, i) => {
    const behaviour = plan.behaviours[i]!;
    const bootstrap = [...seeds];
    // Zcash nodes start from DNS seeders, which answer with a sample of nodes already up; CometBFT
    // nodes start from seed nodes in seed mode (their own bootstrap, see SEED_NODES).
    if (options.wire === 'zcash') bootstrap.push(...dnsSeederAnswer(i, bootAt, seeder.next).map(known));
    if (behaviour.knowsAttackers === true) bootstrap.push(...attackers);
    return {
      host,
      behaviour: i < seeds.length && options.wire === 'cometbft' && !plan.fullSeeds ? { ...behaviour, seedMode: true } : behaviour,
      key: identities[i]!,
      bootstrap,
      seed: fnv1a(`${options.seed}:node:${i}`),
    };
  });

  const ctx: SimContext = { network, metrics, wire: options.wire, model, stores: new Map() };
  const nodes: (SimNode | undefined)[] = new Array<SimNode | undefined>(total).fill(undefined);
  const generations = new Array<number>(total).fill(0);
  const unsubscribers = new Map<number, () => void>();
  const busy = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    busy.add(work);
    void work.finally(() => busy.delete(work));
  };

  const startNode = async (i: number): Promise<void> => {
    if (nodes[i] !== undefined) return;
    network.setDown(hosts[i]!, false);
    const node = await buildNode(ctx, specs[i]!, generations[i]!++);
    nodes[i] = node;
    unsubscribers.set(
      i,
      node.router.subscribe((u) => {
        log.record(u.status === 'up' ? EventKind.PeerUp : EventKind.PeerDown, i, fnv1a(u.id), scheduler.now());
      }),
    );
    log.record(EventKind.NodeStart, i, generations[i], scheduler.now());
    node.start();
  };
  const stopNode = async (i: number, crash: boolean): Promise<void> => {
    const node = nodes[i];
    if (node === undefined) return;
    nodes[i] = undefined;
    unsubscribers.get(i)?.();
    log.record(EventKind.NodeStop, i, crash ? 1 : 0, scheduler.now());
    if (crash) {
      network.setDown(hosts[i]!, true);
      await node.crash();
    } else {
      await node.stop();
    }
  };
  const apply = (event: PlannedEvent): void => {
    switch (event.kind) {
      case 'down':
        track(stopNode(event.node, event.crash));
        break;
      case 'up':
        track(startNode(event.node));
        break;
      case 'partition':
        network.partition((a, b) => acrossPartition(a.region, b.region));
        break;
      case 'heal':
        network.partition(undefined);
        break;
    }
  };

  for (let i = 0; i < total; i++) scheduler.setTimer(bootAt[i]!, () => track(startNode(i)));
  for (const event of plan.events) scheduler.setTimer(event.atMs, () => apply(event));

  const observer = new Observer(ips, plan.honest, root.fork('observer').next);
  // Measured: honest nodes other than the seeds (seeds are infrastructure; CometBFT's hang up on purpose).
  const views = (): NodeView[] =>
    nodes.map((node, index) => ({ index, honest: index >= SEED_NODES && index < plan.honest, node }));
  const budgetPerMs = (TIMER_BUDGET_PER_NODE_SECOND * total) / 1000;
  let exhausted = false;
  let last = 0;
  for (const t of sampleTimes(durationMs)) {
    const ok = await scheduler.runUntil(startAt + t, Math.ceil((t - last) * budgetPerMs));
    last = t;
    if (!ok) {
      exhausted = true;
      break;
    }
    const sample = observer.sample(t / 1000, views());
    log.record(EventKind.Sample, t, sample.largestComponentFraction, sample.peers.mean);
    options.onSample?.(t / 1000, durationMs / 1000, nodes);
  }
  const virtualEnd = scheduler.now();

  // Stop everything, letting virtual time run for graceful closes; then nothing may be left scheduled.
  await Promise.allSettled([...busy]);
  const stopping = Promise.allSettled(nodes.map((_, i) => stopNode(i, false)));
  let stopped = false;
  void stopping.then(() => {
    stopped = true;
  });
  for (let waited = 0; !stopped && waited < STOP_GRACE_MS; waited += 1_000) {
    await scheduler.runUntil(scheduler.now() + 1_000);
  }
  await scheduler.runUntil(scheduler.now());

  return summarize({
    options: { ...options, scenario, wireModel: model },
    plan,
    observer,
    metrics,
    network,
    log,
    scheduler,
    virtualMs: virtualEnd - startAt,
    wallMs: performance.now() - wallStart,
    exhausted,
    stoppedCleanly: stopped && scheduler.pending === 0,
  });
}
