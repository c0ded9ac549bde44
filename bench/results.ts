// Results collector: every suite reports figures here; at the end the collector prints one table and
// writes one JSON line per figure. A figure can name baselines measured in the same run (physical
// limits, js-libp2p); the collector puts the ratio beside the figure and checks an optional target
// ratio, because on this shared, noisy box only same-run ratios mean anything.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Whether a larger value is better (throughput) or a smaller one (latency, CPU, memory). */
export type Better = 'higher' | 'lower';

/** A baseline to show the figure against, by the baseline figure's id. */
export interface Comparison {
  readonly to: string;
  /**
   * Optional target ratio value / baseline in the "better" direction: for higher-is-better figures the
   * ratio must be >= target, for lower-is-better ones <= target (e.g. RTT p99 <= 0.4x js-libp2p).
   */
  readonly target?: number;
}

export interface Figure {
  /** Stable dotted id ("tcp.msgs.1k.each"); comparisons and later runs refer to it. */
  readonly id: string;
  /** What was measured, for humans. */
  readonly label: string;
  readonly value: number;
  /** Unit of `value`: "msg/s", "MB/s", "us", "ms", "KiB/conn", "CPU-ms/conn", ... */
  readonly unit: string;
  readonly better: Better;
  /** min..max over the repeats when the value is a median of several runs. */
  readonly range?: readonly [number, number];
  /** Optional absolute target in the "better" direction (e.g. setup p50 <= 2 ms). */
  readonly limit?: number;
  readonly compare?: readonly Comparison[];
  /** Secondary numbers kept in the JSON output (CPU per side, sample counts, ...). */
  readonly details?: Readonly<Record<string, number | string | boolean | null>>;
}

export interface ResolvedComparison {
  readonly to: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
  readonly target: number | null;
  readonly ok: boolean | null;
}

interface Entry {
  readonly suite: string;
  readonly figure: Figure;
}

export interface Skip {
  readonly suite: string;
  readonly reason: string;
}

/** Human formatting: 3 significant digits, k / M suffixes for large values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)} k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

function meets(better: Better, value: number, bound: number): boolean {
  return better === 'higher' ? value >= bound : value <= bound;
}

export class ResultsCollector {
  private readonly entries: Entry[] = [];
  private readonly skips: Skip[] = [];
  private readonly byId = new Map<string, Figure>();
  private readonly startedAt = new Date();

  constructor(private readonly meta: Readonly<Record<string, string | number | boolean>>) {}

  add(suite: string, figure: Figure): void {
    if (this.byId.has(figure.id)) {
      // Ids must be unique within a run; a later figure with the same id replaces the earlier one.
      const i = this.entries.findIndex((e) => e.figure.id === figure.id);
      this.entries.splice(i, 1);
    }
    this.entries.push({ suite, figure });
    this.byId.set(figure.id, figure);
  }

  /**
   * Figures measured elsewhere in this run (an earlier suite's process), known to `get` and to the
   * comparisons but not reported again by this collector.
   */
  know(figures: readonly Figure[]): void {
    for (const f of figures) if (!this.byId.has(f.id)) this.byId.set(f.id, f);
  }

  /** This collector's own figures and skips, in order: what a suite's process hands back (run-all.ts). */
  reported(): { figures: { suite: string; figure: Figure }[]; skips: Skip[] } {
    return { figures: this.entries.map((e) => ({ ...e })), skips: [...this.skips] };
  }

  /** Adds what a suite's process reported (already printed there as it ran). */
  merge(reported: { figures: readonly { suite: string; figure: Figure }[]; skips: readonly Skip[] }): void {
    for (const { suite, figure } of reported.figures) this.add(suite, figure);
    this.skips.push(...reported.skips);
  }

  /** Every figure so far (for the next suite's process: see know). */
  figures(): Figure[] {
    return this.entries.map((e) => e.figure);
  }

  /** Records that a suite (or part of one) did not run, and why; printed and written like a figure. */
  skip(suite: string, reason: string): void {
    this.skips.push({ suite, reason });
    console.log(`  [skip] ${suite}: ${reason}`);
  }

  get(id: string): Figure | undefined {
    return this.byId.get(id);
  }

  get figureCount(): number {
    return this.entries.length;
  }

  resolve(figure: Figure): ResolvedComparison[] {
    return (figure.compare ?? []).map((c) => {
      const base = this.byId.get(c.to);
      const baseline = base?.value ?? null;
      const ratio = baseline === null || baseline === 0 ? null : figure.value / baseline;
      const target = c.target ?? null;
      const ok = ratio === null || target === null ? null : meets(figure.better, ratio, target);
      return { to: c.to, baseline, ratio, target, ok };
    });
  }

  /** The summary table, grouped by suite in the order suites reported. */
  table(): string {
    const lines: string[] = [];
    const idWidth = Math.max(8, ...this.entries.map((e) => e.figure.id.length));
    let suite = '';
    for (const { suite: s, figure } of this.entries) {
      if (s !== suite) {
        suite = s;
        lines.push('', `== ${s}`);
      }
      const range =
        figure.range && figure.range[0] !== figure.range[1]
          ? ` (${formatNumber(figure.range[0])}..${formatNumber(figure.range[1])})`
          : '';
      const value = `${formatNumber(figure.value)} ${figure.unit}${range}`;
      const parts = [`  ${figure.id.padEnd(idWidth)}  ${value.padEnd(34)}  ${figure.label}`];
      if (figure.limit !== undefined) {
        const ok = meets(figure.better, figure.value, figure.limit);
        parts.push(
          `      limit ${figure.better === 'higher' ? '>=' : '<='} ${figure.limit}: ${ok ? 'ok' : 'MISS'}`,
        );
      }
      for (const c of this.resolve(figure)) {
        if (c.ratio === null) {
          parts.push(`      vs ${c.to}: baseline not measured in this run`);
          continue;
        }
        const target =
          c.target === null
            ? ''
            : `  target ${figure.better === 'higher' ? '>=' : '<='} ${c.target}x: ${c.ok === true ? 'ok' : 'MISS'}`;
        parts.push(`      vs ${c.to}: ${c.ratio.toFixed(c.ratio < 0.1 ? 3 : 2)}x${target}`);
      }
      lines.push(...parts);
    }
    if (this.skips.length > 0) {
      lines.push('', '== skipped');
      for (const s of this.skips) lines.push(`  ${s.suite}: ${s.reason}`);
    }
    return lines.join('\n');
  }

  /** One JSON object per figure (and per skip), each carrying the run's metadata. */
  jsonLines(): string[] {
    const run = { runAt: this.startedAt.toISOString(), ...this.meta };
    const out = this.entries.map(({ suite, figure }) =>
      JSON.stringify({
        ...run,
        suite,
        ...figure,
        comparisons: this.resolve(figure),
      }),
    );
    for (const s of this.skips) out.push(JSON.stringify({ ...run, suite: s.suite, skipped: s.reason }));
    return out;
  }

  async writeJsonl(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, this.jsonLines().join('\n') + '\n');
  }
}
