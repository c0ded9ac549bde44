// The lab a scenario works with: the sealed network (network.ts), one peerwire node per host plus the
// eclipse attackers, a probe per namespace to read /status and /metrics, and the delay line. It
// offers the few verbs scenarios need — start, stop, kill, restart nodes; snapshot every node's
// status; wait until a condition over snapshots holds (polling, bounded in time); describe nodes
// (their peers and last log lines) when a scenario fails — and close(), which stops every process it
// started and removes the network.

import { join } from 'node:path';
import type { NodeStatus, Snapshot } from './graph.ts';
import { DelayLine, ProbeAgent } from './helper-process.ts';
import { LabNode, type StartOptions } from './lab-node.ts';
import { LabNetwork } from './network.ts';
import { parsePromText, type Sample } from './prom-text.ts';
import { attackerIps, METRICS_PORT, planHosts, type HostPlan, type Wire } from './topology.ts';

/** Pause between two node starts (ms): a node start costs over a second of CPU on this 2-core box. */
export const START_STAGGER_MS = 300;
/** Default pause between two snapshots while waiting for a condition (ms). */
export const POLL_MS = 2_000;
/** Metrics ports of the attackers (one each, so an attacker's port names it in any listing). */
const ATTACKER_METRICS_BASE = 9200;

export interface LabOptions {
  readonly runId: string;
  readonly folder: string;
  readonly hostCount: number;
  readonly attackerCount: number;
  /** Every helper exits on its own after this long (s): the lab's outer time bound. */
  readonly maxSeconds: number;
  readonly log: (line: string) => void;
  /** Random seed of the delay line's loss pattern. */
  readonly seed: number;
  /** Called once the guard rule is in place (to record it for stale cleanup). */
  readonly onGuard: (pref: number) => void;
}

export interface WaitResult {
  readonly ok: boolean;
  readonly elapsedMs: number;
  readonly snapshot: Snapshot;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class Lab {
  readonly network: LabNetwork;
  readonly hosts: readonly HostPlan[];
  readonly nodes = new Map<string, LabNode>();
  readonly attackers: LabNode[] = [];
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  private readonly agents = new Map<string, ProbeAgent>();
  private readonly options: LabOptions;
  private delay: DelayLine | undefined;
  private readonly aborter = new AbortController();

  private constructor(network: LabNetwork, options: LabOptions) {
    this.network = network;
    this.hosts = network.hosts;
    this.options = options;
    this.log = options.log;
    this.signal = this.aborter.signal;
    for (const host of this.hosts) {
      this.nodes.set(
        host.name,
        new LabNode({
          name: host.name,
          ns: network.hostNamespace(host),
          wire: host.wire,
          ip: host.ip,
          port: host.port,
          metricsPort: METRICS_PORT,
          home: join(options.folder, host.name),
          logPath: join(options.folder, `${host.name}.log`),
        }),
      );
    }
  }

  static async create(options: LabOptions): Promise<Lab> {
    const network = await LabNetwork.create({ runId: options.runId, hosts: planHosts(options.hostCount), attackerIps: attackerIps(options.attackerCount) }, options.onGuard);
    const lab = new Lab(network, options);
    try {
      for (const ns of network.namespaces()) lab.agents.set(ns, await ProbeAgent.start(ns, options.maxSeconds));
    } catch (error) {
      await lab.close();
      throw error;
    }
    return lab;
  }

  /** Aborts waits in progress (SIGINT): scenarios return early and the lab closes. */
  abort(): void {
    this.aborter.abort();
  }

  node(host: HostPlan | string): LabNode {
    const node = this.nodes.get(typeof host === 'string' ? host : host.name);
    if (node === undefined) throw new Error(`no host ${typeof host === 'string' ? host : host.name}`);
    return node;
  }

  hostsOf(wire: Wire): HostPlan[] {
    return this.hosts.filter((h) => h.wire === wire);
  }

  /** Hosts whose node process runs. */
  liveHosts(): HostPlan[] {
    return this.hosts.filter((h) => this.node(h).running);
  }

  async fetch(node: LabNode, path: string): Promise<string | undefined> {
    const agent = this.agents.get(node.spec.ns);
    if (agent === undefined || !node.running) return undefined;
    const answer = await agent.fetch(node.spec.metricsPort, path);
    return answer.status === 200 ? answer.body : undefined;
  }

  async status(node: LabNode): Promise<NodeStatus | undefined> {
    const body = await this.fetch(node, '/status');
    if (body === undefined) return undefined;
    try {
      return JSON.parse(body) as NodeStatus;
    } catch {
      return undefined;
    }
  }

  async metrics(node: LabNode): Promise<Sample[] | undefined> {
    const body = await this.fetch(node, '/metrics');
    return body === undefined ? undefined : parsePromText(body);
  }

  /** Every host's status, fetched in parallel (one probe per namespace). */
  async snapshot(): Promise<Snapshot> {
    const entries = await Promise.all(this.hosts.map(async (h) => [h.name, await this.status(this.node(h))] as const));
    return { statuses: new Map(entries) };
  }

  /** Every host's metrics (undefined for hosts that are down). */
  async allMetrics(): Promise<Map<string, Sample[] | undefined>> {
    const entries = await Promise.all(this.hosts.map(async (h) => [h.name, await this.metrics(this.node(h))] as const));
    return new Map(entries);
  }

  /** Polls snapshots until `check` holds or `timeoutMs` passes (or the lab is aborted). */
  async waitFor(check: (snapshot: Snapshot) => boolean, timeoutMs: number, pollMs = POLL_MS): Promise<WaitResult> {
    const start = Date.now();
    for (;;) {
      const snapshot = await this.snapshot();
      const elapsedMs = Date.now() - start;
      if (check(snapshot)) return { ok: true, elapsedMs, snapshot };
      if (elapsedMs >= timeoutMs || this.signal.aborted) return { ok: false, elapsedMs, snapshot };
      await sleep(Math.min(pollMs, Math.max(0, timeoutMs - elapsedMs)), this.signal);
    }
  }

  /** Waits until a node answers /status (it has started and listens), up to `timeoutMs`. */
  async waitUp(node: LabNode, timeoutMs = 60_000): Promise<NodeStatus | undefined> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs && !this.signal.aborted && node.running) {
      const status = await this.status(node);
      if (status !== undefined) return status;
      await sleep(250, this.signal);
    }
    return undefined;
  }

  /** The address other nodes use to reach `node`: CometBFT `id@ip:port` (id from /status), Zcash `ip:port`. */
  async addressOf(node: LabNode): Promise<string> {
    if (node.spec.wire === 'zcash') return `${node.spec.ip}:${node.spec.port}`;
    const status = await this.waitUp(node);
    if (status === undefined) throw new Error(`${node.spec.name} did not come up`);
    return `${status.id}@${node.spec.ip}:${node.spec.port}`;
  }

  /** Starts nodes one after another, staggered. */
  async startAll(nodes: readonly LabNode[], options: (node: LabNode) => StartOptions): Promise<void> {
    for (const node of nodes) {
      if (this.signal.aborted) return;
      await node.start(options(node));
      await sleep(START_STAGGER_MS, this.signal);
    }
  }

  /** Creates attacker node handles (one namespace, address and metrics port each). */
  attackerNodes(wire: Wire): LabNode[] {
    const nodes = this.network.attackerIps.map(
      (ip, k) =>
        new LabNode({
          name: `a${String(k).padStart(2, '0')}-${wire}`,
          ns: this.network.attackerNamespace(k),
          wire,
          ip,
          port: wire === 'cometbft' ? this.hostsOf('cometbft')[0]!.port : this.hostsOf('zcash')[0]!.port,
          metricsPort: ATTACKER_METRICS_BASE + k,
          home: join(this.options.folder, `attacker-${wire}-${k}`),
          logPath: join(this.options.folder, `attacker-${wire}-${k}.log`),
        }),
    );
    this.attackers.push(...nodes);
    return nodes;
  }

  /** The delay line, started on first use. */
  async delayLine(): Promise<DelayLine> {
    this.delay ??= await DelayLine.start(this.network.names.router, this.network.names.tun, this.options.maxSeconds, this.options.seed);
    return this.delay;
  }

  /** What a failing scenario prints per node: peers by IP and direction, then the last log lines. */
  async describe(nodes: readonly LabNode[], logLines = 8): Promise<string[]> {
    const out: string[] = [];
    for (const node of nodes) {
      const status = node.running ? await this.status(node) : undefined;
      const peers = status === undefined ? (node.running ? 'no /status answer' : 'down') : status.peers.map((p) => `${p.remote ?? '?'}(${p.direction === 'outbound' ? 'out' : 'in'})`).join(' ') || 'none';
      out.push(`${node.spec.name} ${node.spec.wire} ${node.spec.ip}: peers ${peers}`);
      for (const line of await node.logTail(logLines)) out.push(`    ${line.length > 300 ? `${line.slice(0, 297)}...` : line}`);
    }
    return out;
  }

  /** Stops every node (SIGKILL: the run is over), the helpers, and removes the network. */
  async close(): Promise<void> {
    const all = [...this.nodes.values(), ...this.attackers];
    await Promise.all(all.map((n) => n.kill()));
    await this.delay?.close();
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    await this.network.shapeOff().catch(() => undefined);
    await this.network.destroy();
  }
}
