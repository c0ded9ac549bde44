// Memory sampling after a full garbage collection, so a figure such as "heap per idle connection"
// counts live objects only. Works with or without --expose-gc (forked sides get the flag; the main
// benchmark process turns it on at run time).

import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * How long both processes sit idle before each sample of a "per idle connection" figure (ms). V8 sizes
 * its young generation by the allocation rate of the last 5 s (the GC tracer's throughput window) and a
 * full collection shrinks it only once that rate has dropped (V8's Heap::ReduceNewSpaceSize). Sampled
 * sooner, the young generation that a burst of dials grew is still committed (measured on the bench box:
 * 16 MiB reserved, ~9 MiB touched in the dialer) and, split over 500 connections, reads as ~18 KiB of
 * RSS per connection that no connection holds. 6 s clears the window with a second to spare.
 */
export const IDLE_SETTLE_MS = 6_000;

/**
 * The earlier sampling point, kept beside the settled one so the figures stay comparable with the
 * runs before it (ms): long enough for closed streams to be reaped, not for V8 to resize.
 */
export const BURST_SETTLE_MS = 500;

/** The sampling point in a memory figure's label: after the idle settle, or right after the dials. */
export function samplingPoint(idle: boolean): string {
  return idle ? `${IDLE_SETTLE_MS / 1000} s idle` : `${BURST_SETTLE_MS} ms after the dials`;
}

let gcFunction: (() => void) | undefined;

/**
 * Full garbage collection. Uses `gc` when the process runs with --expose-gc; otherwise turns the flag
 * on at run time and takes `gc` from a fresh context (V8 installs it there once the flag is set).
 */
export function forceGc(): void {
  if (gcFunction === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') {
      gcFunction = exposed;
    } else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    }
  }
  // Twice: the first pass can leave objects whose finalisers free more on the second.
  gcFunction();
  gcFunction();
}

/** Memory usage after a full GC, so only live objects count. */
export function memoryAfterGc(): NodeJS.MemoryUsage {
  forceGc();
  return process.memoryUsage();
}

/** Per-item growth in KiB of heapUsed and rss between two samples (e.g. per idle connection). */
export function memoryPerItemKiB(
  before: NodeJS.MemoryUsage,
  after: NodeJS.MemoryUsage,
  items: number,
): { readonly heapKiB: number; readonly rssKiB: number } {
  return {
    heapKiB: (after.heapUsed - before.heapUsed) / 1024 / items,
    rssKiB: (after.rss - before.rss) / 1024 / items,
  };
}
