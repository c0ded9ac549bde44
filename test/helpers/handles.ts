// The one way tests check that stop() and close() leave nothing behind: count the process's active
// resources by kind before, and wait (bounded) until no kind is above that baseline again. Suites that
// create long deadlines after the baseline (AbortSignal.timeout of 30 s) leave timers out of the count;
// the others count timers too, so a forgotten timer fails them.

import { waitFor } from './wait.ts';

export interface HandleCountOptions {
  /** Count timers and immediates too. Default true. */
  readonly timers?: boolean;
}

/** Kinds never owned by the code under test: the terminal and pending file-system callbacks. */
const IGNORED = new Set(['TTYWrap', 'FSReqCallback']);
const TIMER_KINDS = new Set(['Timeout', 'Immediate']);

/** Counts of each kind of active resource, for before/after comparisons. */
export function handleCounts(options: HandleCountOptions = {}): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (IGNORED.has(kind) || (options.timers === false && TIMER_KINDS.has(kind))) continue;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** Active timers right now (a component that arms one shows as +1). */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** The kinds above `baseline`, as `kind×extra`. */
export function handlesAbove(baseline: Map<string, number>, options: HandleCountOptions = {}): string[] {
  const extra: string[] = [];
  for (const [kind, count] of handleCounts(options)) {
    const before = baseline.get(kind) ?? 0;
    if (count > before) extra.push(`${kind}×${count - before}`);
  }
  return extra;
}

/** Waits until no kind of resource is above `baseline`; fails listing what is left over. */
export async function waitForHandlesAtMost(
  baseline: Map<string, number>,
  timeoutMs = 10_000,
  options: HandleCountOptions = {},
): Promise<void> {
  await waitFor(
    () => handlesAbove(baseline, options).length === 0,
    'handles to return to baseline',
    timeoutMs,
  ).catch(() => {
    throw new Error(`handles left over: ${handlesAbove(baseline, options).join(', ')}`);
  });
}
