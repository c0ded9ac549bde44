// Overload shedding for inbound connections (Zebra's overload protection). When the node is busier
// than it can keep up with, every new connection adds handshake crypto and message work it cannot
// afford; refusing some of them at accept, before any crypto, lets the node recover instead of
// slowing every peer down. The load is sampled at most once per interval (Zebra's
// OVERLOAD_PROTECTION_INTERVAL, 1 s) from an injected probe — by default the event loop's utilisation,
// the share of time Node.js spent running code rather than waiting, which is exactly "work the node
// must do" on a single-threaded runtime. Above `threshold`, a new inbound connection is dropped with a
// probability rising linearly from Zebra's MIN_OVERLOAD_DROP_PROBABILITY (0.05) at the threshold to its
// MAX_OVERLOAD_DROP_PROBABILITY (0.95) at full load, so some connections always get through and an
// honest peer keeps retrying into a node that is recovering. No timers: sampling happens lazily on
// accept, so nothing is left to stop.

import { performance } from 'node:perf_hooks';
import type { Clock } from '../../core/clock.ts';

/** Zebra's OVERLOAD_PROTECTION_INTERVAL: how often the load is re-sampled (ms). */
export const OVERLOAD_PROTECTION_INTERVAL_MS = 1_000;
/** Zebra's MIN_OVERLOAD_DROP_PROBABILITY: the drop chance just above the threshold. */
export const MIN_OVERLOAD_DROP_PROBABILITY = 0.05;
/** Zebra's MAX_OVERLOAD_DROP_PROBABILITY: the drop chance at full load; never 1, so recovery is possible. */
export const MAX_OVERLOAD_DROP_PROBABILITY = 0.95;

export interface OverloadShedderOptions {
  /** Load in [0, 1] from which new inbound connections are shed; 1 or more disables shedding. */
  readonly threshold: number;
  /** Returns the load over the time since its previous call, in [0, 1]. */
  readonly probe?: (() => number) | undefined;
  readonly clock: Clock;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: (() => number) | undefined;
}

/** A probe of the event loop's utilisation since the previous call (perf_hooks). */
export function eventLoopLoadProbe(): () => number {
  let previous = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(current, previous);
    previous = current;
    return delta.utilization;
  };
}

export class OverloadShedder {
  private readonly threshold: number;
  private readonly probe: () => number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private sampledAt = Number.NEGATIVE_INFINITY;
  private load = 0;

  constructor(options: OverloadShedderOptions) {
    this.threshold = options.threshold;
    this.probe = options.probe ?? eventLoopLoadProbe();
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
  }

  /** The last sampled load, in [0, 1]. */
  get currentLoad(): number {
    return this.load;
  }

  /** The chance that a connection arriving now is dropped. */
  dropProbability(): number {
    const now = this.clock.now();
    if (this.sampledAt === Number.NEGATIVE_INFINITY) {
      // The first call only starts the first interval: what came before (start-up) is not load.
      this.sampledAt = now;
      this.probe();
    } else if (now - this.sampledAt >= OVERLOAD_PROTECTION_INTERVAL_MS) {
      this.sampledAt = now;
      this.load = Math.min(1, Math.max(0, this.probe()));
    }
    if (this.threshold >= 1 || this.load < this.threshold) return 0;
    const over = (this.load - this.threshold) / (1 - this.threshold);
    return MIN_OVERLOAD_DROP_PROBABILITY + (MAX_OVERLOAD_DROP_PROBABILITY - MIN_OVERLOAD_DROP_PROBABILITY) * over;
  }

  /** Decides whether to drop a connection arriving now. */
  shouldShed(): boolean {
    const p = this.dropProbability();
    return p > 0 && this.random() < p;
  }
}
