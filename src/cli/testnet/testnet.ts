// `peerwire testnet`: an embedded local network on 127.0.0.1, N nodes per wire, in this one process.
// Node 0 of each wire is the seed; every other node is told only the seed's address and finds the rest
// through PEX (CometBFT) or `getaddr`/`addr` crawling (Zcash), using the local-network profile. Each
// node aims for min(N − 1, 4) peers, originates demo messages at a fixed rate and floods what it
// learns; probes measure round trips. When the duration ends, origination stops and the run waits (at
// most `settleMs`) until every message reached every node of its wire; the run succeeds only if every
// node reached its target peer count at some point and all traffic arrived.
//
// One process, not several: all nodes share one event loop on two slow cores without paying for N
// Node.js runtimes (~40 MB and ~0.3 s of start-up each), the statistics are plain shared counters,
// and stopping is one call — while every node still has its own key, sockets, router, peer manager
// and peer store, and talks to the others only over real TCP connections.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { CometbftMember } from './cometbft-member.ts';
import type { MemberContext, TestnetMember, TestnetWire } from './member.ts';
import { TrafficStats } from './traffic-stats.ts';
import { ZcashMember } from './zcash-member.ts';
import { testnetWebView } from '../web/testnet-web-view.ts';
import type { WebView } from '../web/web-view.ts';

/** A node's peer target: min(N − 1, 4), enough for a connected mesh without every pair connected. */
export function targetPeers(nodes: number): number {
  return Math.min(nodes - 1, 4);
}

export const TESTNET_DEFAULTS = {
  nodes: 8,
  durationMs: 30_000,
  /** Demo messages each node originates per second. */
  rate: 2,
  /** Padding of each demo message (bytes). */
  payloadBytes: 128,
  /** Longest wait after the duration for traffic and peer targets (ms): generous for a loaded machine. */
  settleMs: 30_000,
  /** Status snapshots and probes this often (ms). */
  tickMs: 1_000,
} as const;

/** Sampling interval of the event-loop delay figure (ms): Node's default, cheap enough to leave on. */
const LOOP_DELAY_RESOLUTION_MS = 10;

/** Most nodes per wire: ports, file handles and two cores bound a one-process network. */
export const MAX_TESTNET_NODES = 64;

export interface TestnetOptions {
  readonly wires: readonly TestnetWire[];
  readonly nodes?: number;
  readonly durationMs?: number;
  readonly rate?: number;
  readonly payloadBytes?: number;
  readonly settleMs?: number;
  readonly tickMs?: number;
  /** Called after every tick and once at the end. */
  readonly onSnapshot?: (snapshot: TestnetSnapshot) => void;
  /** Called after every tick with the web view (graph, charts, drill-down) while nodes run. */
  readonly onView?: (view: WebView) => void;
  /** Aborting ends the run early (it then fails). */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export interface WireSnapshot {
  readonly wire: TestnetWire;
  readonly target: number;
  /** Distinct peers of each node now. */
  readonly peers: readonly number[];
  /** Whether each node has reached its target at some point. */
  readonly reached: readonly boolean[];
  /** Messages originated on this wire so far. */
  readonly originated: number;
  /** Messages held per node (a node is complete when it holds all originated ones). */
  readonly held: readonly number[];
}

export interface TestnetSnapshot {
  readonly phase: 'starting' | 'running' | 'settling' | 'done';
  readonly elapsedMs: number;
  readonly wires: readonly WireSnapshot[];
  readonly handshakes: number;
  readonly disconnects: number;
  /** Demo messages received per second over the last tick. */
  readonly messagesPerSecond: number;
  /** Demo bytes received per second over the last tick. */
  readonly bytesPerSecond: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
  /**
   * Round trips of the demo's application probe (CometBFT: a probe message on the demo channel and
   * its echo; Zcash: a ping request and its pong), each through the router's per-peer queue, the
   * connection, and the far node's receive loop, behind whatever gossip is queued there. Each node
   * probes at its own moment between two originations (see the run loop).
   */
  readonly rttP50Ms: number | undefined;
  readonly rttP99Ms: number | undefined;
  readonly rttSamples: number;
  /**
   * p99 of the event loop's delay since the start (ms), the same span as the RTT percentiles. Every node of the testnet shares this one
   * loop, so a probe waits for the other nodes' work too: an RTT near this figure is the loop, not the
   * network stack.
   */
  readonly loopDelayP99Ms: number | undefined;
  readonly errors: number;
  readonly lastError: string | undefined;
}

export interface TestnetResult {
  readonly ok: boolean;
  /** Why the run failed, one line each (empty on success). */
  readonly failures: readonly string[];
  readonly snapshot: TestnetSnapshot;
}

interface WireRun {
  readonly wire: TestnetWire;
  readonly target: number;
  readonly members: TestnetMember[];
  readonly reached: boolean[];
  originated: number;
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * When node `index` of `members` probes in the round that starts at `roundStart` (an origination
 * instant), `gapMs` being the time between two originations: one node at a time, spread over the middle
 * half of the gap, so no probe leaves within a quarter gap of a flood's start.
 */
export function probeTime(roundStart: number, index: number, members: number, gapMs: number): number {
  return roundStart + gapMs / 4 + (index * gapMs) / 2 / members;
}

export async function runTestnet(options: TestnetOptions): Promise<TestnetResult> {
  const nodes = options.nodes ?? TESTNET_DEFAULTS.nodes;
  const durationMs = options.durationMs ?? TESTNET_DEFAULTS.durationMs;
  const rate = options.rate ?? TESTNET_DEFAULTS.rate;
  const payloadBytes = options.payloadBytes ?? TESTNET_DEFAULTS.payloadBytes;
  const settleMs = options.settleMs ?? TESTNET_DEFAULTS.settleMs;
  const tickMs = options.tickMs ?? TESTNET_DEFAULTS.tickMs;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetrics;
  const signal = options.signal;
  const stats = new TrafficStats();
  const runs: WireRun[] = options.wires.map((wire) => ({ wire, target: targetPeers(nodes), members: [], reached: [], originated: 0 }));
  const startedAt = performance.now();
  let last = { at: startedAt, messages: 0, bytes: 0 };
  let phase: TestnetSnapshot['phase'] = 'starting';
  // Sampled every LOOP_DELAY_RESOLUTION_MS by a timer of its own; disabled in the finally below.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();

  const snapshot = (): TestnetSnapshot => {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - last.at) / 1000);
    const snap: TestnetSnapshot = {
      phase,
      elapsedMs: now - startedAt,
      wires: runs.map((run) => {
        const peers = run.members.map((m) => m.distinctPeers());
        peers.forEach((p, i) => {
          if (p >= run.target) run.reached[i] = true;
        });
        return {
          wire: run.wire,
          target: run.target,
          peers,
          reached: run.members.map((_m, i) => run.reached[i] === true),
          originated: run.originated,
          held: run.members.map((m) => m.seen.size),
        };
      }),
      handshakes: stats.handshakes,
      disconnects: stats.disconnects,
      messagesPerSecond: (stats.messagesReceived - last.messages) / seconds,
      bytesPerSecond: (stats.bytesReceived - last.bytes) / seconds,
      messagesReceived: stats.messagesReceived,
      bytesReceived: stats.bytesReceived,
      rttP50Ms: stats.rttPercentile(50),
      rttP99Ms: stats.rttPercentile(99),
      rttSamples: stats.rttSamples,
      loopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : undefined,
      errors: stats.errors,
      lastError: stats.latestError,
    };
    last = { at: now, messages: stats.messagesReceived, bytes: stats.bytesReceived };
    return snap;
  };

  const complete = (snap: TestnetSnapshot): boolean =>
    snap.wires.every((w) => w.reached.every(Boolean) && w.held.every((h) => h >= w.originated));

  let final: TestnetSnapshot;
  try {
    for (const run of runs) {
      for (let i = 0; i < nodes; i++) {
        const context: MemberContext = { index: i, seed: run.members[0]?.bootstrapAddress, target: run.target, nodes, stats, payloadBytes };
        const member =
          run.wire === 'cometbft' ? await CometbftMember.create(context, logger, metrics) : await ZcashMember.create(context, logger, metrics);
        run.members.push(member);
      }
    }
    for (const run of runs) for (const m of run.members) m.start();
    phase = 'running';
    let seq = 0;
    const originateEveryMs = rate > 0 ? 1000 / rate : Number.POSITIVE_INFINITY;
    let nextOriginate = performance.now();
    let nextTick = performance.now() + tickMs;
    // Every node originates at the same instant, and the flood of that instant takes tens of ms to
    // drain through 16 nodes on one event loop; a probe sent with it would time that drain, and probes
    // of all nodes sent together would time each other, not a round trip. So each node probes once per
    // tick at its own moment, spread over the middle half between two originations (BENCHMARKS.md,
    // "the testnet RTT").
    const members = runs.flatMap((run) => run.members);
    const gap = Number.isFinite(originateEveryMs) ? Math.min(originateEveryMs, tickMs) : tickMs;
    const probeAt = (roundStart: number, index: number): number => probeTime(roundStart, index, members.length, gap);
    let probeRound = nextTick;
    let probeIndex = 0;
    let nextProbe = members.length > 0 ? probeAt(probeRound, 0) : Number.POSITIVE_INFINITY;
    const end = startedAt + durationMs;
    while (performance.now() < end && signal?.aborted !== true) {
      const now = performance.now();
      if (now >= nextOriginate) {
        for (const run of runs) {
          for (const m of run.members) m.originate(seq);
          run.originated += run.members.length;
        }
        seq++;
        nextOriginate += originateEveryMs;
      }
      if (now >= nextProbe) {
        members[probeIndex]!.probe();
        if (++probeIndex === members.length) {
          probeIndex = 0;
          probeRound += tickMs;
        }
        nextProbe = probeAt(probeRound, probeIndex);
      }
      if (now >= nextTick) {
        const snap = snapshot();
        options.onSnapshot?.(snap);
        options.onView?.(testnetWebView(snap, members));
        nextTick += tickMs;
      }
      await sleep(Math.max(1, Math.min(nextOriginate, nextTick, nextProbe, end) - performance.now()), signal);
    }
    phase = 'settling';
    const settleEnd = performance.now() + settleMs;
    for (;;) {
      const snap = snapshot();
      if (complete(snap) || performance.now() >= settleEnd || signal?.aborted === true) break;
      options.onSnapshot?.(snap);
      options.onView?.(testnetWebView(snap, runs.flatMap((run) => run.members)));
      await sleep(Math.min(tickMs, 250), signal);
    }
    phase = 'done';
    final = snapshot();
  } finally {
    loopDelay.disable();
    await Promise.allSettled(runs.flatMap((run) => run.members.map((m) => m.stop())));
  }
  options.onSnapshot?.(final);
  const failures: string[] = [];
  if (signal?.aborted === true) failures.push('interrupted');
  for (const w of final.wires) {
    const short = w.reached.map((r, i) => (r ? -1 : i)).filter((i) => i >= 0);
    if (short.length > 0) failures.push(`${w.wire}: node(s) ${short.join(', ')} never reached ${w.target} peers`);
    const missing = w.held.map((h, i) => (h >= w.originated ? -1 : i)).filter((i) => i >= 0);
    if (missing.length > 0) {
      const lost = missing.reduce((sum, i) => sum + (w.originated - w.held[i]!), 0);
      failures.push(`${w.wire}: ${lost} message deliveries missing at node(s) ${missing.join(', ')}`);
    }
  }
  return { ok: failures.length === 0, failures, snapshot: final };
}
