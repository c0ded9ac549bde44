// `npm run attack`: the attack probes at full size against a victim node in its own process, both
// wires, printed as the table of issue 9: probe | what real nodes do | peerwire figure. All traffic is
// on loopback (attackers bound to 127.x.y.z); every probe is bounded in time. Under the 1,000-socket
// attacks the honest newcomer is measured twice: the probes' raw client, then real nodes. The same probes, smaller,
// run in the test suite (test/attack/attack.test.ts).

import { loadavg } from 'node:os';
import { parseNodeAddress } from '../src/core/node-address.ts';
import { localNetworkProfile, TendermintPolicy } from '../src/engine/peers/tendermint-policy.ts';
import { ZebraPolicy, zebraLocalNetworkProfile } from '../src/zcash/policy/zebra-policy.ts';
import { NEVER_PUBLIC, PUBLIC_SAMPLES } from '../test/helpers/address-samples.ts';
import {
  connectMany,
  percentile,
  pingFlood,
  slowloris,
  startVictim,
  type Wire,
} from '../test/attack/probes.ts';

const WIRES: readonly Wire[] = ['cometbft', 'zcash'];
/** Real honest nodes (test/attack/joiner.ts) that join one after another under each 1,000-socket attack. */
const NODE_TRIES = 10;
const rows: [string, string, string][] = [];
const fmt = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'not in');
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The machine's 1-minute load average now (other work on the machine competes with the victim). */
const load = (): string => `load ${loadavg()[0]!.toFixed(1)}`;

for (const wire of WIRES) {
  const victim = await startVictim(wire);
  try {
    const loadBefore = load();
    const r = await slowloris(victim, { wire, sockets: 64, sourceIps: 16, tries: 20, tryTimeoutMs: 20_000, reopenDelayMs: 50 });
    rows.push([
      `${wire}: 64 silent sockets from 16 IPs, each reopened 50 ms after its drop`,
      'Go CometBFT full node: honest peer in after 2.0 s (64 IPs × 1: 5.1 s)',
      `honest peer in: p50 ${fmt(percentile(r.joinMs, 50))}, p99 ${fmt(percentile(r.joinMs, 99))} (20 tries); connected peer ${r.earlyPeerStayed ? 'stayed' : 'DROPPED'}; ${r.attackConnections} attack connections; fds ${r.before.fds} → peak ${r.peak.fds} → ${r.after.fds}; ${loadBefore} → ${load()}`,
    ]);
  } finally {
    await victim.stop();
  }
}

for (const wire of WIRES) {
  for (const layout of ['one-subnet', 'many-subnets'] as const) {
    const victim = await startVictim(wire);
    try {
      const loadBefore = load();
      const r = await slowloris(victim, { wire, sockets: 1_000, sourceIps: 250, tries: 20, tryTimeoutMs: 20_000, layout, nodeTries: NODE_TRIES });
      rows.push([
        `${wire}: 1,000 silent sockets from 250 IPs (${layout === 'one-subnet' ? 'one /16' : 'each its own /16'}), reopened as fast as dropped`,
        'Go CometBFT full node: honest peer not in within 20 s; Zebra: 125 inbound slots fill',
        `honest peer in: p50 ${fmt(percentile(r.joinMs, 50))}, p99 ${fmt(percentile(r.joinMs, 99))} (20 tries); honest \`peerwire node\` in: p50 ${fmt(percentile(r.nodeJoinMs, 50))}, max ${fmt(Math.max(...r.nodeJoinMs))} (${NODE_TRIES} nodes, start to handshake, kept 200 ms); connected peer ${r.earlyPeerStayed ? 'stayed' : 'DROPPED'}; ${r.attackConnections} attack connections (victim: ${r.refused} refused before the handshake, ${r.evicted} pending evicted); fds ${r.before.fds} → peak ${r.peak.fds} → ${r.after.fds}; RSS ${mib(r.before.rssBytes)} → peak ${mib(r.peak.rssBytes)}; retained heap ${mib(r.retainedHeap.before)} → ${mib(r.retainedHeap.after)}; ${loadBefore} → ${load()}`,
      ]);
    } finally {
      await victim.stop();
    }
  }
}

for (const wire of WIRES) {
  const victim = await startVictim(wire);
  try {
    const loadBefore = load();
    const r = await pingFlood(victim, wire, 15_000, 100);
    rows.push([
      `${wire}: one peer flooding pings at full speed (15 s)`,
      wire === 'cometbft' ? 'CometBFT: recv_rate 5,120,000 B/s' : 'Zebra: no per-peer budget',
      `victim CPU ${(r.cpuShare * 100).toFixed(1)} % of a core; honest ping RTT p99 ${r.floodRttP99Ms.toFixed(1)} ms vs ${r.idleRttP99Ms.toFixed(1)} ms idle (${(r.floodRttP99Ms / r.idleRttP99Ms).toFixed(2)}×) (both while the flooder was connected); flooder ${r.flooderDropped ? 'disconnected' : 'still connected (read slowly)'}; victim metrics: ${r.floodDisconnects} ERR_PEER_FLOOD disconnect(s), ${r.bans} ban(s); ${loadBefore} → ${load()}`,
    ]);
  } finally {
    await victim.stop();
  }
}

for (const [wire, maxInbound, real] of [
  ['cometbft', undefined, 'CometBFT max_num_inbound_peers 40'],
  ['zcash', undefined, 'Zebra: 125 inbound'],
  ['zcash', 200, 'Zebra with a larger limit: as configured'],
] as const) {
  const victim = await startVictim(wire, maxInbound);
  try {
    const offered = (maxInbound ?? (wire === 'cometbft' ? 40 : 125)) + 10;
    const sameIp = await connectMany(wire, victim.port, 3, 200, true);
    for (const p of sameIp) p.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const connected = await connectMany(wire, victim.port, offered, 100);
    rows.push([
      `${wire}: 3 honest peers from one IP, then ${offered} from distinct IPs${maxInbound === undefined ? '' : ` (--max-inbound ${maxInbound})`}`,
      `${real}; one connection per IP`,
      `${sameIp.length} of 3 from one IP kept; ${connected.length} inbound kept`,
    ]);
    for (const p of connected) p.close();
  } finally {
    await victim.stop();
  }
}

// Address hygiene: what each wire's policy lets into the address book (and so the dial queue) from
// gossip, under the real-network profile and under the local-network one.
{
  const source = 'cd'.repeat(20);
  const id = 'ab'.repeat(20);
  const gossiped = { kind: 'new-gossiped', services: 1n, untrustedLastSeen: 0 };
  const tendermint = (policy: TendermintPolicy, list: readonly string[]): number =>
    list.filter((text) => policy.admitAddress(parseNodeAddress(`${id}@${text}`), source)).length;
  const zebra = (policy: ZebraPolicy, list: readonly string[]): number =>
    list.filter((text) => policy.admitAddress(parseNodeAddress(text), undefined, gossiped)).length;
  const unroutable = NEVER_PUBLIC.length;
  const publicCount = PUBLIC_SAMPLES.length;
  rows.push([
    `addresses learned from peers: ${unroutable} unroutable (one per reserved range, RFC 5737 documentation included) and ${publicCount} public`,
    "CometBFT's strict address book and Bitcoin Core skip unroutable ranges",
    `cometbft: ${tendermint(new TendermintPolicy(), NEVER_PUBLIC)} of ${unroutable} unroutable kept on a real network; ${tendermint(new TendermintPolicy(localNetworkProfile), PUBLIC_SAMPLES)} of ${publicCount} public kept under the local-network profile. zcash: ${zebra(new ZebraPolicy(), NEVER_PUBLIC)} of ${unroutable}; ${zebra(new ZebraPolicy(zebraLocalNetworkProfile), PUBLIC_SAMPLES)} of ${publicCount}`,
  ]);
}

process.stdout.write('| probe | what real nodes do | peerwire figure |\n|---|---|---|\n');
for (const [probe, real, figure] of rows) process.stdout.write(`| ${probe} | ${real} | ${figure} |\n`);
