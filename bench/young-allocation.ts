// Bytes a process allocates in V8's young generation over a stretch of work: what drives its scavenges
// and, on a busy link, how often a vote waits out a garbage-collection pause. V8 keeps no running
// total, so it is summed from the young spaces' occupancy: each collection's occupancy before it, less
// what the previous one left, plus the change since the last one (node:v8's GCProfiler reports both
// sides of every collection). Objects allocated straight into the old generation are not counted.

import v8 from 'node:v8';

/** The spaces new objects go to: the semispaces and large objects allocated young. */
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

interface SpaceStatistics {
  readonly spaceName: string;
  readonly spaceUsedSize: number;
}

function youngUsed(spaces: readonly SpaceStatistics[]): number {
  let used = 0;
  for (const space of spaces) if (YOUNG_SPACES.has(space.spaceName)) used += space.spaceUsedSize;
  return used;
}

function youngUsedNow(): number {
  return youngUsed(
    v8.getHeapSpaceStatistics().map((s) => ({ spaceName: s.space_name, spaceUsedSize: s.space_used_size })),
  );
}

/** One measurement: start(), the work, then stop() returns the bytes allocated young in between. */
export class YoungAllocation {
  private profiler: v8.GCProfiler | undefined;
  private startUsed = 0;

  start(): void {
    this.profiler?.stop();
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
    this.startUsed = youngUsedNow();
  }

  stop(): number {
    const profiler = this.profiler;
    if (profiler === undefined) return 0;
    const endUsed = youngUsedNow();
    this.profiler = undefined;
    const stats = profiler.stop() as unknown as {
      statistics: {
        beforeGC: { heapSpaceStatistics: SpaceStatistics[] };
        afterGC: { heapSpaceStatistics: SpaceStatistics[] };
      }[];
    };
    let allocated = 0;
    let after = this.startUsed;
    for (const gc of stats.statistics) {
      allocated += Math.max(0, youngUsed(gc.beforeGC.heapSpaceStatistics) - after);
      after = youngUsed(gc.afterGC.heapSpaceStatistics);
    }
    return allocated + Math.max(0, endUsed - after);
  }
}
