// How a node's cost grows with its peer count, on both wires: a full node (scaling-hub.ts, in a forked
// child) holds 10, then 100, then 1,000 connected peers (bare connections in this process,
// scaling-leaves.ts, all from 127.0.0.1 with the node's per-IP and inbound limits raised), and at each
// count we measure (memory and idle delay in a first pass without traffic, the rest in a second)
// - memory per peer: the node's heapUsed and RSS after a full GC, minus the same with no peer, over N;
// - broadcast deliveries per second: 1 KiB messages broadcast through the router back to back for one
//   phase, counted where the peers receive them (end to end);
// - the node's event-loop delay p99 during that broadcast phase and while idle;
// - CPU per delivered message: the node's CPU over the phase divided by the deliveries (and the
//   peers' CPU, this process, beside it).
// The run writes bench/results/scaling/scaling.json (BENCH_SCALING_OUT overrides the folder) and one
// log-log SVG per metric there, with the fitted growth (log-log slope) in words; BENCHMARKS.md shows them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { raceAbort } from '../../src/core/abort.ts';
import {
  cpuSeconds,
  memoryPerItemKiB,
  openSide,
  type BenchContext,
  type Side,
  type Suite,
} from '../harness.ts';
import {
  growthInWords,
  writeScalingCharts,
  type ScalingMetric,
  type ScalingPoint,
} from '../support/scaling-plot.ts';
import type { BroadcastPhase, IdleSample, ScalingWire } from './scaling-hub.ts';
import { Leaves } from './scaling-leaves.ts';

const SUITE = 'peerwire-scaling';
const HUB = new URL('./scaling-hub.ts', import.meta.url);
/** Peer counts measured: the 10, 100 and 1,000 (fds: 2 per peer, well under `ulimit -n`). */
const PEER_COUNTS = [10, 100, 1000] as const;
const QUICK_PEER_COUNTS = [10, 100] as const;
const WIRES: readonly ScalingWire[] = ['cometbft', 'zcash'];
/** Peers connected, used and closed before the empty baseline is read. */
const WARM_PEERS = 10;
/** Idle event-loop sampling per count (ms). */
const IDLE_MS = 1000;
/** Deadline for the peers to receive a phase's broadcasts after it ends (ms): generous, the box is shared. */
const DRAIN_TIMEOUT_MS = 120_000;
/** Pause after connecting, so handshake garbage and timers settle before memory is read (ms). */
const SETTLE_MS = 500;
/** Where the JSON and plots go: BENCH_SCALING_OUT (a folder), else bench/results/scaling/ (committed). */
function outDir(): string {
  const dir = process.env.BENCH_SCALING_OUT ?? new URL('../results/scaling/', import.meta.url).pathname;
  return dir.endsWith('/') ? dir : `${dir}/`;
}

interface Row {
  readonly wire: ScalingWire;
  readonly peers: number;
  readonly heapKiBPerPeer: number;
  readonly rssKiBPerPeer: number;
  readonly deliveriesPerSec: number;
  readonly broadcastsPerSec: number;
  readonly eldP99Ms: number;
  readonly eldMaxMs: number;
  readonly idleEldP99Ms: number;
  readonly idleCpuPct: number;
  readonly nodeCpuUsPerDelivery: number;
  readonly peersCpuUsPerDelivery: number;
}

async function waitPeers(
  side: Side,
  target: number,
  how: 'at least' | 'at most' = 'at least',
): Promise<void> {
  const end = performance.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const peers = await side.call<number>('peers');
    if (how === 'at least' ? peers >= target : peers <= target) return;
    if (performance.now() > end) throw new Error(`node counts ${peers} of ${target} peers`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One broadcast phase of `ms`; returns its node-side figures and the end-to-end deliveries/s. */
async function phase(side: Side, leaves: Leaves, ms: number) {
  const base = leaves.delivered.count;
  const peersCpu0 = cpuSeconds();
  const t0 = performance.now();
  const r = await side.call<BroadcastPhase>('broadcast', { ms });
  if (r.peersAtStart !== leaves.count || r.peersAtEnd !== leaves.count)
    throw new Error(
      `peers changed during the phase: ${r.peersAtStart} -> ${r.peersAtEnd} of ${leaves.count}`,
    );
  const expected = r.broadcasts * leaves.count;
  await raceAbort(leaves.delivered.waitFor(base + expected), AbortSignal.timeout(DRAIN_TIMEOUT_MS));
  const seconds = (performance.now() - t0) / 1000;
  return { r, expected, seconds, peersCpuS: cpuSeconds() - peersCpu0 };
}

/** Memory and idle figures at each count, peers added without any broadcast in between. */
interface Held {
  readonly heapKiB: number;
  readonly rssKiB: number;
  readonly idle: IdleSample;
}

/**
 * Two passes over the counts, so broadcast traffic never inflates a memory figure (a broadcast phase
 * grows V8's young generation and the socket buffers, which RSS keeps long after): first peers are
 * added up to each count and the idle node's memory and loop delay read; then, with fresh peers, the
 * broadcast phases run at each count.
 */
async function measureWire(ctx: BenchContext, wire: ScalingWire, counts: readonly number[]): Promise<Row[]> {
  const side = await openSide(HUB, { procs: 2 });
  const held = new Map<number, Held>();
  const rows: Row[] = [];
  let leaves: Leaves | undefined;
  try {
    const port = await side.call<number>('start', { wire, maxPeers: Math.max(...counts) });
    // A few peers come and go first, so what the first connection allocates once for all (compiled
    // code, caches, pools) is in the empty baseline rather than charged to the first 10 peers.
    const warm = new Leaves(wire, port);
    try {
      await warm.grow(WARM_PEERS);
      await waitPeers(side, WARM_PEERS);
      await phase(side, warm, ctx.config.warmupMs);
    } finally {
      await warm.close();
    }
    await waitPeers(side, 0, 'at most');
    const empty = await side.memory();
    leaves = new Leaves(wire, port);
    for (const n of counts) {
      ctx.log(`${SUITE}: ${wire}, connecting ${n} idle peers`);
      await leaves.grow(n);
      await waitPeers(side, n);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const mem = memoryPerItemKiB(empty, await side.memory(), n);
      const idle = await side.call<IdleSample>('idle', { ms: IDLE_MS });
      held.set(n, { heapKiB: mem.heapKiB, rssKiB: mem.rssKiB, idle });
    }
    await leaves.close();
    await waitPeers(side, 0, 'at most');
    leaves = new Leaves(wire, port);
    for (const n of counts) {
      ctx.log(`${SUITE}: ${wire}, broadcasting to ${n} peers`);
      await leaves.grow(n);
      await waitPeers(side, n);
      await phase(side, leaves, ctx.config.warmupMs);
      const { r, expected, seconds, peersCpuS } = await phase(side, leaves, ctx.config.measureMs);
      const h = held.get(n)!;
      rows.push({
        wire,
        peers: n,
        heapKiBPerPeer: h.heapKiB,
        rssKiBPerPeer: h.rssKiB,
        deliveriesPerSec: expected / seconds,
        broadcastsPerSec: r.broadcasts / seconds,
        eldP99Ms: r.eldP99Ms,
        eldMaxMs: r.eldMaxMs,
        idleEldP99Ms: h.idle.eldP99Ms,
        idleCpuPct: (h.idle.cpuS * 100_000) / IDLE_MS,
        nodeCpuUsPerDelivery: (r.cpuS * 1e6) / expected,
        peersCpuUsPerDelivery: (peersCpuS * 1e6) / expected,
      });
      ctx.log(`${SUITE}: ${wire} ${n} peers: ${JSON.stringify(rows[rows.length - 1])}`);
    }
  } finally {
    await leaves?.close();
    await side.close();
  }
  return rows;
}

const METRICS: readonly (readonly [keyof Row, string, string, 'higher' | 'lower'])[] = [
  ['heapKiBPerPeer', 'Node heap per connected peer', 'KiB/peer', 'lower'],
  ['rssKiBPerPeer', 'Node RSS per connected peer', 'KiB/peer', 'lower'],
  ['deliveriesPerSec', 'Broadcast deliveries per second (1 KiB)', 'msg/s', 'higher'],
  ['eldP99Ms', 'Node event-loop delay p99 while broadcasting', 'ms', 'lower'],
  ['idleEldP99Ms', 'Node event-loop delay p99, idle peers', 'ms', 'lower'],
  ['nodeCpuUsPerDelivery', 'Node CPU per delivered message', 'CPU-us/msg', 'lower'],
];

function report(ctx: BenchContext, rows: readonly Row[]): void {
  const metrics: ScalingMetric[] = [];
  const growth: Record<string, Record<string, string>> = {};
  for (const [key, title, unit, better] of METRICS) {
    const series: Record<string, ScalingPoint[]> = {};
    for (const row of rows) (series[row.wire] ??= []).push({ peers: row.peers, value: row[key] as number });
    metrics.push({ id: key, title, unit, series });
    growth[key] = {};
    for (const [wire, points] of Object.entries(series)) {
      growth[key][wire] = growthInWords(points);
      for (const p of points) {
        const row = rows.find((r) => r.wire === wire && r.peers === p.peers)!;
        ctx.results.add(SUITE, {
          id: `peerwire.scale.${wire}.${p.peers}.${key}`,
          label: `${wire}: ${title.toLowerCase()}, ${p.peers} peers`,
          value: p.value,
          unit,
          better,
          details: {
            growth: growth[key][wire],
            peersCpuUsPerDelivery: row.peersCpuUsPerDelivery,
            eldMaxMs: row.eldMaxMs,
          },
        });
      }
    }
  }
  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}scaling.json`,
    `${JSON.stringify({ at: new Date().toISOString(), quick: ctx.config.quick, rows, growth, metrics }, null, 1)}\n`,
  );
  const files = writeScalingCharts(dir, metrics);
  ctx.log(`${SUITE}: wrote ${dir}scaling.json and ${files.join(', ')}`);
  for (const [key, byWire] of Object.entries(growth)) ctx.log(`${SUITE}: ${key}: ${JSON.stringify(byWire)}`);
}

export const scalingSuite: Suite = {
  name: SUITE,
  description: 'cost per peer at 10, 100 and 1,000 connected peers, CometBFT and Zcash nodes',
  async run(ctx) {
    const counts = ctx.config.quick ? QUICK_PEER_COUNTS : PEER_COUNTS;
    const rows: Row[] = [];
    for (const wire of WIRES) {
      try {
        rows.push(...(await measureWire(ctx, wire, counts)));
      } catch (err) {
        ctx.results.skip(`${SUITE}.${wire}`, err instanceof Error ? err.message : String(err));
      }
    }
    if (rows.length > 0) report(ctx, rows);
  },
};
