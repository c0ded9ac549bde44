// Router loops never die: a failing iteration is reported and retried with doubling pauses, a success
// resets the pause, and only the stop signal or an iteration's 'stop' ends the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { runResilientLoop } from '../../../src/engine/router/resilient-loop.ts';

test('failures back off by doubling up to the cap, success resets, stop ends the loop', async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const failuresSeen: number[] = [];
  const startedAt: number[] = [];
  let calls = 0;
  const loop = runResilientLoop(
    () => {
      calls++;
      startedAt.push(clock.now());
      if (calls <= 5 || (calls >= 7 && calls <= 8)) return Promise.reject(new Error(`boom ${calls}`));
      if (calls === 9) return Promise.resolve('stop' as const);
      return Promise.resolve();
    },
    {
      signal: controller.signal,
      clock,
      minRetryMs: 10,
      maxRetryMs: 50,
      onFailure: (_e, n) => failuresSeen.push(n),
    },
  );
  await clock.advance(0); // let the first failure schedule its pause
  for (let i = 0; i < 40 && calls < 9; i++) await clock.advance(5);
  await loop;
  assert.equal(calls, 9);
  assert.deepEqual(failuresSeen, [1, 2, 3, 4, 5, 1, 2]);
  const gaps = startedAt.slice(1, 6).map((t, i) => t - startedAt[i]!);
  assert.deepEqual(gaps, [10, 20, 40, 50, 50]);
});

test('aborting the signal ends a loop that is sleeping after a failure', async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const loop = runResilientLoop(() => Promise.reject(new Error('always')), {
    signal: controller.signal,
    clock,
    minRetryMs: 1000,
    maxRetryMs: 1000,
    onFailure: () => undefined,
  });
  await clock.advance(0);
  controller.abort();
  await loop;
  assert.equal(clock.pendingTimers, 0);
});
