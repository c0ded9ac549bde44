// The bench's young-generation count (bench/young-allocation.ts): it finds the bytes a known stretch
// of allocation made, across the scavenges it caused, and next to nothing for work that allocates nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { YoungAllocation } from '../../bench/young-allocation.ts';

test('counts what a loop allocates young across its scavenges, and little for a loop that allocates nothing', () => {
  const count = new YoungAllocation();
  // 200,000 arrays of 64 doubles (~530 bytes each with their header): ~100 MB, many scavenges.
  count.start();
  let keep: number[][] = [];
  for (let i = 0; i < 200_000; i++) {
    keep.push(new Array<number>(64).fill(i + 0.5));
    if (keep.length > 50) keep = [];
  }
  const allocated = count.stop();
  assert.ok(allocated > 200_000 * 512 && allocated < 200_000 * 1024, `counted ${allocated} bytes`);

  // Small integers only: no heap number is made even before the loop is optimized.
  const out = new Int32Array(1024);
  count.start();
  for (let i = 0; i < 1_000_000; i++) out[i & 1023] = i;
  const idle = count.stop();
  assert.ok(idle < 64 * 1024, `a loop that allocates nothing: counted ${idle} bytes`);
  assert.equal(count.stop(), 0, 'stop without start counts nothing');
});
