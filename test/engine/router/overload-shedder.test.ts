// Overload shedding: no drops below the threshold, a drop chance rising from Zebra's 0.05 to 0.95 with
// the load, the load sampled at most once per 1 s interval.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import {
  MAX_OVERLOAD_DROP_PROBABILITY,
  MIN_OVERLOAD_DROP_PROBABILITY,
  OverloadShedder,
} from '../../../src/engine/router/overload-shedder.ts';

test('overload shedder: nothing dropped below the threshold; the chance rises with the load', async () => {
  const clock = new ManualClock();
  let load = 0.5;
  let samples = 0;
  const shedder = new OverloadShedder({ threshold: 0.8, clock, probe: () => (samples++, load), random: () => 0 });
  // The first call starts the first interval: whatever load came before is not counted.
  load = 1;
  assert.equal(shedder.dropProbability(), 0);
  load = 0.5;
  await clock.advance(1_000);
  assert.equal(shedder.dropProbability(), 0);
  assert.equal(shedder.shouldShed(), false);
  load = 0.8;
  await clock.advance(1_000);
  assert.equal(shedder.dropProbability(), MIN_OVERLOAD_DROP_PROBABILITY);
  load = 0.9;
  await clock.advance(1_000);
  const mid = shedder.dropProbability();
  assert.ok(mid > MIN_OVERLOAD_DROP_PROBABILITY && mid < MAX_OVERLOAD_DROP_PROBABILITY);
  load = 1;
  await clock.advance(1_000);
  assert.equal(shedder.dropProbability(), MAX_OVERLOAD_DROP_PROBABILITY);
  assert.equal(shedder.shouldShed(), true);
  // Within one interval the load is not sampled again.
  const before = samples;
  load = 0;
  for (let i = 0; i < 100; i++) shedder.dropProbability();
  assert.equal(samples, before);
  assert.equal(shedder.dropProbability(), MAX_OVERLOAD_DROP_PROBABILITY);
});

test('overload shedder: a drop chance, not a wall: about the computed share of arrivals is dropped', async () => {
  const clock = new ManualClock();
  let seed = 1;
  const random = (): number => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const shedder = new OverloadShedder({ threshold: 0.5, clock, probe: () => 1, random });
  shedder.dropProbability();
  await clock.advance(1_000);
  let dropped = 0;
  for (let i = 0; i < 10_000; i++) if (shedder.shouldShed()) dropped++;
  assert.ok(dropped > 9_000 && dropped < 9_900, `dropped ${dropped}`);
});

test('overload shedder: threshold 1 disables it', () => {
  const shedder = new OverloadShedder({ threshold: 1, clock: new ManualClock(), probe: () => 1 });
  assert.equal(shedder.dropProbability(), 0);
});
