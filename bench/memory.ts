// Memory sampling after a full garbage collection, so a figure such as "heap per idle connection"
// counts live objects only. Works with or without --expose-gc (forked sides get the flag; the main
// benchmark process turns it on at run time).

import v8 from 'node:v8';
import vm from 'node:vm';

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
