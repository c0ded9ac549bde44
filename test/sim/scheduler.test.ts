// The simulation scheduler: timers fire in (due time, creation order) whatever order they were set
// in, cancelled timers never fire, continuations of a fired timer run before the next timer, the
// timer budget stops a runaway loop, and the event log digest depends on the exact order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventLog } from '../../src/sim/event-log.ts';
import { SimScheduler } from '../../src/sim/scheduler.ts';

const runs = Number(process.env.FC_RUNS ?? 50);

test('timers fire in due-time order, ties in creation order, each at its time; cancelled ones never', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ ms: fc.integer({ min: 0, max: 1000 }), cancel: fc.boolean() }), {
        maxLength: 200,
        size: 'max',
      }),
      async (plan) => {
        const scheduler = new SimScheduler(new EventLog(), 0);
        const fired: { seq: number; at: number; now: number }[] = [];
        plan.forEach(({ ms, cancel }, seq) => {
          const timer = scheduler.setTimer(ms, () => fired.push({ seq, at: ms, now: scheduler.now() }));
          if (cancel) timer.cancel();
        });
        assert.equal(await scheduler.runUntil(1000), true);
        const expected = plan
          .map((p, seq) => ({ seq, at: p.ms, cancel: p.cancel }))
          .filter((p) => !p.cancel)
          .sort((a, b) => a.at - b.at || a.seq - b.seq);
        assert.deepEqual(fired.map((f) => f.seq), expected.map((e) => e.seq));
        for (const f of fired) assert.equal(f.now, f.at);
        assert.equal(scheduler.pending, 0);
        assert.equal(scheduler.now(), 1000);
      },
    ),
    { numRuns: runs },
  );
});

test('a sleeping task wakes at its time and its continuation runs before the next timer', async () => {
  const scheduler = new SimScheduler(new EventLog(), 0);
  const order: string[] = [];
  const task = (async () => {
    await scheduler.sleep(10);
    order.push(`woke@${scheduler.now()}`);
    await Promise.resolve();
    await new Promise<void>((r) => process.nextTick(r));
    order.push('after-continuations');
  })();
  scheduler.setTimer(10, () => order.push('second-timer@10'));
  await scheduler.runUntil(20);
  await task;
  assert.deepEqual(order, ['woke@10', 'after-continuations', 'second-timer@10']);
});

test('the timer budget ends a runaway loop instead of hanging, and keeps the unfired timer', async () => {
  const scheduler = new SimScheduler(new EventLog(), 0);
  let count = 0;
  const spin = (): void => {
    count++;
    scheduler.setTimer(0, spin);
  };
  scheduler.setTimer(0, spin);
  assert.equal(await scheduler.runUntil(1000, 500), false);
  assert.equal(count, 500);
  assert.equal(scheduler.pending, 1);
  assert.equal(scheduler.now(), 0, 'time stopped where the budget ran out');
});

test('many cancelled timers are compacted away (memory stays bounded under churn)', async () => {
  const scheduler = new SimScheduler(new EventLog(), 0);
  for (let i = 0; i < 120_000; i++) scheduler.setTimer(1_000 + i, () => undefined).cancel();
  let fired = 0;
  scheduler.setTimer(5, () => fired++);
  assert.equal(scheduler.pending, 1);
  await scheduler.runUntil(200_000);
  assert.equal(fired, 1);
  assert.equal(scheduler.fired, 1);
});

test('the event log digest is a function of the order of records', () => {
  const digest = (records: number[][]): string => {
    const log = new EventLog();
    for (const r of records) log.record(r[0]!, r[1], r[2], r[3]);
    return log.digest();
  };
  const a = [[1, 10, 2, 0], [1, 10, 3, 0]];
  assert.equal(digest(a), digest(a.map((r) => [...r])));
  assert.notEqual(digest(a), digest([a[1]!, a[0]!]));
  // Past one 4096-number block, still exact.
  const many = Array.from({ length: 5000 }, (_, i) => [1, i, i % 7, 0]);
  const swapped = many.map((r) => [...r]);
  [swapped[4000], swapped[4001]] = [swapped[4001]!, swapped[4000]!];
  assert.notEqual(digest(many), digest(swapped));
});
