// The shape every router loop has, Tendermint v0.35's hardest lesson made into code: a loop never dies
// on an error. An iteration that throws is reported, and the loop sleeps (doubling from `minRetryMs`
// up to `maxRetryMs` while failures repeat) and goes on; only the stop signal, or an iteration that
// returns `'stop'` (its source is gone for good, such as a closed transport), ends it.

import type { Clock } from '../../core/clock.ts';

export interface ResilientLoopOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly minRetryMs: number;
  readonly maxRetryMs: number;
  /** Called for every failed iteration (log and count it). */
  onFailure(error: unknown, consecutiveFailures: number): void;
}

export async function runResilientLoop(
  iteration: () => Promise<void | 'stop'>,
  options: ResilientLoopOptions,
): Promise<void> {
  const { signal } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      if ((await iteration()) === 'stop') return;
      failures = 0;
    } catch (error) {
      if (signal.aborted) return;
      failures++;
      options.onFailure(error, failures);
      const delay = Math.min(options.maxRetryMs, options.minRetryMs * 2 ** Math.min(failures - 1, 20));
      try {
        await options.clock.sleep(delay, signal);
      } catch {
        return; // stopping
      }
    }
  }
}
