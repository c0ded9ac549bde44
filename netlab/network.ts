// The lab's network: one router namespace and one namespace per host and per eclipse attacker
// address, each linked to the router by a veth pair created directly inside the two
// namespaces, so no lab link ever exists in the root namespace. Hosts carry one /32 address and a
// route to the lab range (10.192.0.0/10) via the router; the router holds a /32 route per host and
// forwards between them. Nothing has a default route, and the root namespace gets a `prohibit` rule
// for the lab range (the guard), so neither side can reach the other even by mistake: the machine's
// own default route would otherwise send a stray packet for 10.x to the real network.
//
// Faults are routing rules in the router namespace: a partition is a set of `blackhole` rules (packets
// silently dropped, as an nftables drop would; nftables is not installed on this machine kind, policy
// routing is in every kernel), and latency/loss is a rule per host link that sends forwarded packets
// through the TUN delay line (shaper.ts). Removing the rules heals.

import { ATTACKER_GROUP, LAB_SUPERNET, labNames, ROUTER_GATEWAY, type HostPlan } from './topology.ts';
import { ip, ipBatch } from './shell.ts';

/** Routing table of the router namespace that sends packets into the delay line. */
export const SHAPED_TABLE = 100;
/** Rule priority of partition blackholes: before the shaping rules, so a partitioned packet never queues. */
const PARTITION_PREF = 100;
/** Rule priority of the attacker fence (eclipse scenario). */
const FENCE_PREF = 110;
/** Rule priority of the shaping rules (after the blackholes, before the main table at 32766). */
const SHAPE_PREF = 200;
/** Guard rule priorities in the root namespace: searched upward from here for a free one. */
export const GUARD_PREF_BASE = 900;
/** Guard priorities tried before giving up (one per concurrent lab run). */
const GUARD_PREF_TRIES = 50;

export interface LabNetworkOptions {
  readonly runId: string;
  readonly hosts: readonly HostPlan[];
  /**
   * Attacker addresses (all in the attacker /16), one namespace each: with several addresses in one
   * namespace, a connection between two of them never leaves it and the kernel gives it the
   * destination's own address as source, so the attackers would not look like distinct hosts.
   */
  readonly attackerIps: readonly string[];
}

export class LabNetwork {
  readonly runId: string;
  readonly names: ReturnType<typeof labNames>;
  readonly hosts: readonly HostPlan[];
  readonly attackerIps: readonly string[];
  /** Root-namespace rule priority of this run's guard; undefined until installed. */
  guardPref: number | undefined;
  private readonly created: string[] = [];
  private partitionRules: string[] = [];
  private fenceRules: string[] = [];
  private shaped = false;

  private constructor(options: LabNetworkOptions) {
    this.runId = options.runId;
    this.names = labNames(options.runId);
    this.hosts = options.hosts;
    this.attackerIps = options.attackerIps;
  }

  /** Builds the whole network; on failure removes what it made and rethrows. */
  static async create(options: LabNetworkOptions, onGuard: (pref: number) => void): Promise<LabNetwork> {
    const network = new LabNetwork(options);
    try {
      network.guardPref = await installGuard();
      onGuard(network.guardPref);
      await network.build();
      return network;
    } catch (error) {
      await network.destroy();
      throw error;
    }
  }

  /** Every namespace of the run: the router, the hosts, the attackers (when there are any). */
  namespaces(): string[] {
    return [...this.created];
  }

  hostNamespace(host: HostPlan): string {
    return this.names.host(host.index);
  }

  /** Every lab address: hosts, attackers and the router's gateway. */
  addresses(): string[] {
    return [...this.hosts.map((h) => h.ip), ...this.attackerIps, ROUTER_GATEWAY];
  }

  private async build(): Promise<void> {
    const n = this.names;
    await ip(undefined, ['netns', 'add', n.router]);
    this.created.push(n.router);
    const routerLines = ['link set lo up'];
    const links: { ns: string; link: string; ips: readonly string[]; routes: readonly string[] }[] = this.hosts.map((h) => ({
      ns: n.host(h.index),
      link: n.routerLink(h.index),
      ips: [h.ip],
      routes: [`${h.ip}/32`],
    }));
    this.attackerIps.forEach((addr, k) => links.push({ ns: n.attacker(k), link: n.attackerLink(k), ips: [addr], routes: [`${addr}/32`] }));
    for (const link of links) {
      await ip(undefined, ['netns', 'add', link.ns]);
      this.created.push(link.ns);
      // Both ends are born inside their namespaces: the root namespace never holds a lab link.
      await ip(undefined, ['link', 'add', 'eth0', 'netns', link.ns, 'type', 'veth', 'peer', 'name', link.link, 'netns', n.router]);
      await disableIpv6(link.ns);
      await ipBatch(link.ns, [
        'link set lo up',
        ...link.ips.map((addr) => `addr add ${addr}/32 dev eth0`),
        'link set eth0 up',
        `route add ${LAB_SUPERNET} via ${ROUTER_GATEWAY} dev eth0 onlink`,
      ]);
      routerLines.push(`addr add ${ROUTER_GATEWAY}/32 dev ${link.link}`, `link set ${link.link} up`, ...link.routes.map((r) => `route add ${r} dev ${link.link}`));
    }
    await disableIpv6(n.router);
    await ipBatch(n.router, routerLines);
    await ip(undefined, ['netns', 'exec', n.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
  }

  /** The router's end of every link: one per host, one per attacker. */
  routerLinks(): string[] {
    return [...this.hosts.map((h) => this.names.routerLink(h.index)), ...this.attackerIps.map((_a, k) => this.names.attackerLink(k))];
  }

  /** The namespace serving attacker address number `index`. */
  attackerNamespace(index: number): string {
    return this.names.attacker(index);
  }

  /** Drops every packet between the two sides (both directions) until heal(). */
  async partition(sideA: readonly string[], sideB: readonly string[]): Promise<void> {
    await this.heal();
    const rules: string[] = [];
    for (const a of sideA) for (const b of sideB) rules.push(`from ${a} to ${b} blackhole pref ${PARTITION_PREF}`, `from ${b} to ${a} blackhole pref ${PARTITION_PREF}`);
    await ipBatch(this.names.router, rules.map((r) => `rule add ${r}`));
    this.partitionRules = rules;
  }

  async heal(): Promise<void> {
    const rules = this.partitionRules;
    this.partitionRules = [];
    await ipBatch(this.names.router, rules.map((r) => `rule del ${r}`));
  }

  /** The attackers reach only `allowed` (the victims); all other hosts are fenced off both ways. */
  async fenceAttackers(allowed: readonly string[]): Promise<void> {
    await this.unfenceAttackers();
    const net = `${ATTACKER_GROUP}.0.0/16`;
    const rules: string[] = [];
    for (const host of this.hosts) {
      if (allowed.includes(host.ip)) continue;
      rules.push(`from ${net} to ${host.ip} blackhole pref ${FENCE_PREF}`, `from ${host.ip} to ${net} blackhole pref ${FENCE_PREF}`);
    }
    await ipBatch(this.names.router, rules.map((r) => `rule add ${r}`));
    this.fenceRules = rules;
  }

  async unfenceAttackers(): Promise<void> {
    const rules = this.fenceRules;
    this.fenceRules = [];
    await ipBatch(this.names.router, rules.map((r) => `rule del ${r}`));
  }

  /** Sends every forwarded packet through the delay line's TUN device (which must exist). */
  async shapeOn(tun: string): Promise<void> {
    if (this.shaped) return;
    await ipBatch(this.names.router, [`route replace ${LAB_SUPERNET} dev ${tun} table ${SHAPED_TABLE}`, ...this.routerLinks().map((l) => `rule add iif ${l} lookup ${SHAPED_TABLE} pref ${SHAPE_PREF}`)]);
    this.shaped = true;
  }

  async shapeOff(): Promise<void> {
    if (!this.shaped) return;
    this.shaped = false;
    await ipBatch(this.names.router, this.routerLinks().map((l) => `rule del iif ${l} lookup ${SHAPED_TABLE} pref ${SHAPE_PREF}`));
  }

  /** Removes every namespace (their links go with them) and the guard. Processes must be gone first. */
  async destroy(): Promise<void> {
    for (const ns of this.created.reverse()) await deleteNamespace(ns);
    this.created.length = 0;
    if (this.guardPref !== undefined) await removeGuard(this.guardPref);
    this.guardPref = undefined;
  }
}

/** The lab speaks IPv4 only: no IPv6 at all means no IPv6 route to reason about. */
async function disableIpv6(ns: string): Promise<void> {
  await ip(undefined, ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
}

/** Installs the root-namespace guard (`to 10.192.0.0/10 prohibit`) at the first free priority. */
async function installGuard(): Promise<number> {
  for (let pref = GUARD_PREF_BASE; pref < GUARD_PREF_BASE + GUARD_PREF_TRIES; pref++) {
    const taken = await ip(undefined, ['rule', 'show', 'pref', String(pref)]);
    if (taken.stdout.trim() !== '') continue;
    const added = await ip(undefined, ['rule', 'add', 'to', LAB_SUPERNET, 'prohibit', 'pref', String(pref)], { allowFail: true });
    if (added.code === 0) return pref;
  }
  throw new Error(`no free rule priority in ${GUARD_PREF_BASE}..${GUARD_PREF_BASE + GUARD_PREF_TRIES - 1} for the lab guard`);
}

export async function removeGuard(pref: number): Promise<void> {
  await ip(undefined, ['rule', 'del', 'to', LAB_SUPERNET, 'prohibit', 'pref', String(pref)], { allowFail: true });
}

/** Kills what still runs inside a namespace (by pid), then deletes it. */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = await ip(undefined, ['netns', 'pids', ns], { allowFail: true });
  for (const text of pids.stdout.split('\n')) {
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  await ip(undefined, ['netns', 'del', ns], { allowFail: true });
}
