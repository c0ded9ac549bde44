// The quiet-refusal hold: how long each refused socket is kept (between half the hold and all of it),
// and the bound on sockets held at once, which frees up as the holds expire on the clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { RefusalHold } from '../../../src/engine/router/refusal-hold.ts';

test('refusal hold: each hold lies between half the hold time and all of it', () => {
  const draws = [0, 0.5, 0.999];
  let i = 0;
  const hold = new RefusalHold(1_000, 10, new ManualClock(), () => draws[i++ % draws.length]!);
  assert.deepEqual([hold.next(), hold.next(), hold.next()], [500, 750, 1_000]);
  assert.equal(hold.held, 3);
});

test('refusal hold: at most `max` holds within one hold time; past it a refusal closes at once', async () => {
  const clock = new ManualClock();
  const hold = new RefusalHold(1_000, 3, clock, () => 1);
  assert.ok(hold.next() > 0);
  await clock.advance(400);
  assert.ok(hold.next() > 0);
  assert.ok(hold.next() > 0);
  assert.equal(hold.next(), 0, 'bound reached: close now');
  assert.equal(hold.held, 3);
  // The first hold has surely ended 1 s after it started: one place frees, not the later two.
  await clock.advance(600);
  assert.equal(hold.held, 2);
  assert.ok(hold.next() > 0);
  assert.equal(hold.next(), 0);
  // Every hold over: the full bound is available again (the ring wraps around).
  await clock.advance(1_000);
  assert.equal(hold.held, 0);
  for (let n = 0; n < 3; n++) assert.ok(hold.next() > 0);
  assert.equal(hold.next(), 0);
});

test('refusal hold: a hold time or a bound of 0 turns holding off', () => {
  assert.equal(new RefusalHold(0, 10, new ManualClock()).next(), 0);
  assert.equal(new RefusalHold(1_000, 0, new ManualClock()).next(), 0);
});
