// Benchmark harness: configuration from the environment, timed runs with warm-up, percentiles and CPU
// accounting. The box peerwire is measured on is shared and noisy, so every suite measures its
// figure and the baseline it is judged against in the same run (see BENCHMARKS.md); these helpers keep
// that measuring uniform. Child-process sides live in side-process.ts, reporting in results.ts, memory
// sampling in memory.ts; this module re-exports them so a suite imports one file.

import { cpus, loadavg } from 'node:os';
import { ErrorCode, PeerwireError } from '../src/core/errors.ts';

export * from './memory.ts';
export * from './results.ts';
export * from './side-process.ts';
export type * from './suite.ts';

/** How long and how often to measure. Every field can be overridden from the environment. */
export interface BenchConfig {
  /** BENCH_QUICK=1: a smoke pass of a few seconds per suite; figures are indicative only. */
  readonly quick: boolean;
  /** BENCH_MS: length of one measured throughput phase (default 2000 ms, quick 300 ms). */
  readonly measureMs: number;
  /** BENCH_WARMUP_MS: untimed phase before measuring, for JIT and socket buffers (default 700, quick 150). */
  readonly warmupMs: number;
  /** BENCH_REPEAT: measured phases per throughput figure; the median is reported (default 3, quick 1). */
  readonly repeat: number;
  /** BENCH_RTT_MS: sampling time of a latency figure (default 2000 ms, quick 300 ms). */
  readonly rttMs: number;
  /**
   * BENCH_RTT_WARMUP: round trips discarded before sampling (default 20,000, quick 200), for every stack
   * alike (ours, raw TCP, js-libp2p's warmupCount). 1,000 (~0.1 s) left V8 still compiling the hot path
   * of a fresh process while sampling: its compiler threads take one of this box's two CPUs for up to a
   * 4 ms time slice, and the other process waits (BENCHMARKS.md, session 12's section).
   */
  readonly rttWarmup: number;
  /** BENCH_DIALS: connections measured by a setup figure (default 200, quick 30). */
  readonly dials: number;
  /**
   * BENCH_CONNS: idle connections held by a memory figure (default 2000, quick 200). Thousands, not
   * hundreds: what V8 keeps committed after a burst of dials (its young generation, ~9 MiB in the dialer)
   * swings between runs by as much as 500 connections hold: at 500 the dialer's RSS per connection read
   * 35 KiB in one run and 0.2 KiB in another, same library code (BENCHMARKS.md, "Memory per connection").
   */
  readonly conns: number;
  /** BENCH_FILTER: only suites whose name matches this regular expression (default: all). */
  readonly filter: RegExp | undefined;
  /** BENCH_LIBP2P=0 skips the js-libp2p comparison (default: run it). */
  readonly libp2p: boolean;
  /** BENCH_OUT: JSON-lines output file (default bench/results/latest.jsonl). */
  readonly outFile: string;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const filter = env.BENCH_FILTER;
  return {
    quick,
    measureMs: envNumber('BENCH_MS', quick ? 300 : 2000),
    warmupMs: envNumber('BENCH_WARMUP_MS', quick ? 150 : 700),
    repeat: Math.round(envNumber('BENCH_REPEAT', quick ? 1 : 3)),
    rttMs: envNumber('BENCH_RTT_MS', quick ? 300 : 2000),
    rttWarmup: Math.round(envNumber('BENCH_RTT_WARMUP', quick ? 200 : 20_000)),
    dials: Math.round(envNumber('BENCH_DIALS', quick ? 30 : 200)),
    conns: Math.round(envNumber('BENCH_CONNS', quick ? 200 : 2000)),
    filter: filter === undefined || filter === '' ? undefined : new RegExp(filter),
    libp2p: env.BENCH_LIBP2P !== '0',
    outFile: env.BENCH_OUT ?? new URL('./results/latest.jsonl', import.meta.url).pathname,
  };
}

/** Facts about the machine recorded beside every run, so a result can be read in context. */
export function machineInfo(): Record<string, string | number> {
  const cpu = cpus();
  const [load1 = 0, load5 = 0] = loadavg();
  return {
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    load1: Number(load1.toFixed(2)),
    load5: Number(load5.toFixed(2)),
  };
}

// ---- statistics --------------------------------------------------------------------------------

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  /** Between the median and the tail: shows whether a p99 is a few outliers or a shifted body. */
  readonly p90: number;
  readonly p99: number;
}

/** Nearest-rank percentile of already sorted samples (p in 0..1); NaN for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
  };
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

// ---- timed runs --------------------------------------------------------------------------------

export interface OpsResult {
  /** Operations per second: `inner` / median batch time. */
  readonly opsPerSec: number;
  /** Batch durations in milliseconds. */
  readonly batches: Summary;
}

/**
 * Micro-benchmark: calls `batch` (which performs `inner` operations) for `warmupMs` untimed, then for
 * `timeMs` timed, and reports the median batch rate. Batching amortises the timer read.
 */
export function measureOps(
  batch: () => void,
  options: { readonly inner: number; readonly warmupMs: number; readonly timeMs: number },
): OpsResult {
  const warmEnd = performance.now() + options.warmupMs;
  while (performance.now() < warmEnd) batch();
  const durations: number[] = [];
  const end = performance.now() + options.timeMs;
  // At least 5 batches so a median exists even when one batch outlasts the time budget.
  while (performance.now() < end || durations.length < 5) {
    const t0 = performance.now();
    batch();
    durations.push(performance.now() - t0);
  }
  const batches = summarize(durations);
  return { opsPerSec: (options.inner * 1000) / batches.p50, batches };
}

/** Upper bound on latency samples kept per figure (8 bytes each): bounds memory on a fast box. */
const MAX_LATENCY_SAMPLES = 2_000_000;

/**
 * Latency sampling: `warmup` untimed calls of `once`, then timed calls for `timeMs` (and at least
 * `minSamples`). Returns the samples' summary in microseconds.
 */
export async function measureLatency(
  once: () => Promise<void>,
  options: {
    readonly warmup: number;
    readonly timeMs: number;
    readonly minSamples?: number;
    /** Start one sample at most every this many ms (untimed wait between them); default back to back. */
    readonly spacingMs?: number;
  },
): Promise<Summary> {
  const spacing = options.spacingMs ?? 0;
  for (let i = 0; i < options.warmup; i++) await once();
  const samples: number[] = [];
  const minSamples = options.minSamples ?? 100;
  const end = performance.now() + options.timeMs;
  while ((performance.now() < end || samples.length < minSamples) && samples.length < MAX_LATENCY_SAMPLES) {
    const t0 = performance.now();
    await once();
    const t1 = performance.now();
    samples.push((t1 - t0) * 1000);
    if (spacing > 0 && t1 - t0 < spacing) await new Promise((r) => setTimeout(r, spacing - (t1 - t0)));
  }
  return summarize(samples);
}

/**
 * Runs `phase` `repeat` times and returns every result plus the one with the median `key`, so a
 * figure reports a real run (with its CPU) rather than an average of unrelated runs.
 */
export async function repeatMedian<T>(
  repeat: number,
  phase: (index: number) => Promise<T>,
  key: (result: T) => number,
): Promise<{ readonly median: T; readonly all: readonly T[]; readonly min: number; readonly max: number }> {
  const all: T[] = [];
  for (let i = 0; i < Math.max(1, repeat); i++) all.push(await phase(i));
  const values = all.map(key);
  const mid = median(values);
  const chosen = all[values.indexOf(mid)]!;
  return { median: chosen, all, min: Math.min(...values), max: Math.max(...values) };
}

// ---- CPU and memory ----------------------------------------------------------------------------

/** CPU seconds (user + system) this process has used so far. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds this process uses while `fn` runs, beside `fn`'s result. */
export async function withCpu<T>(
  fn: () => Promise<T>,
): Promise<{ readonly value: T; readonly cpuS: number }> {
  const start = cpuSeconds();
  const value = await fn();
  return { value, cpuS: cpuSeconds() - start };
}

/** Resolves after `ms` milliseconds (settling time between phases, never a correctness wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
