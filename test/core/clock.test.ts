// The injected clock: ManualClock fires timers in time order (ties in the order set), lets awaiting
// code observe the time it woke at, and cancels sleeps on abort; RealClock sleeps and aborts for real.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, RealClock, flushMicrotasks, realClock } from '../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';

const isCode = (code: string) => (e: unknown) => e instanceof PeerwireError && e.code === code;

test('ManualClock starts at 2024-01-01 by default or at the given time, and moves only when told', async () => {
  assert.equal(new ManualClock().now(), Date.UTC(2024, 0, 1));
  const clock = new ManualClock(1000);
  assert.equal(clock.now(), 1000);
  await clock.advance(250);
  assert.equal(clock.now(), 1250);
  await clock.setTime(1200);
  assert.equal(clock.now(), 1250, 'setTime never moves backwards');
  await clock.setTime(2000);
  assert.equal(clock.now(), 2000);
});

test('ManualClock fires due timers in time order, ties in the order they were set, each at its time', async () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
  clock.setTimer(30, at('c'));
  clock.setTimer(10, at('a1'));
  clock.setTimer(20, at('b'));
  clock.setTimer(10, at('a2'));
  clock.setTimer(-5, at('now'));
  clock.setTimer(100, at('late'));
  assert.equal(clock.pendingTimers, 6);
  await clock.advance(30);
  assert.deepEqual(fired, ['now@0', 'a1@10', 'a2@10', 'b@20', 'c@30']);
  assert.equal(clock.pendingTimers, 1);
  assert.equal(clock.now(), 30);
  await clock.advance(69);
  assert.equal(fired.length, 5, 'the timer at 100 is not due at 99');
  await clock.advance(1);
  assert.equal(fired.at(-1), 'late@100');
  assert.equal(clock.pendingTimers, 0);
});

test('ManualClock: timers set by callbacks fire in the same advance when due; cancelled ones never', async () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  clock.setTimer(10, () => {
    fired.push(clock.now());
    clock.setTimer(10, () => fired.push(clock.now()));
    clock.setTimer(50, () => fired.push(clock.now()));
  });
  const cancelled = clock.setTimer(15, () => fired.push(-1));
  cancelled.cancel();
  cancelled.cancel();
  assert.equal(clock.pendingTimers, 1);
  await clock.advance(30);
  assert.deepEqual(fired, [10, 20]);
  assert.equal(clock.pendingTimers, 1);
});

test('ManualClock sleep resolves at its time and the awaiting code sees that time', async () => {
  const clock = new ManualClock(0);
  const woke: number[] = [];
  const sleeper = async (ms: number): Promise<void> => {
    await clock.sleep(ms);
    woke.push(clock.now());
    await clock.sleep(ms);
    woke.push(clock.now());
  };
  const done = Promise.all([sleeper(10), sleeper(25)]);
  await clock.advance(100);
  await done;
  assert.deepEqual(woke, [10, 20, 25, 50]);
});

test('ManualClock sleep rejects on abort with a typed error and cancels its timer', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  assert.equal(clock.pendingTimers, 1);
  controller.abort();
  await assert.rejects(sleeping, isCode(ErrorCode.Aborted));
  assert.equal(clock.pendingTimers, 0);

  await assert.rejects(clock.sleep(10, controller.signal), isCode(ErrorCode.Aborted), 'already aborted');
  assert.equal(clock.pendingTimers, 0, 'no timer for an already aborted signal');

  const deadline = new AbortController();
  const late = clock.sleep(1000, deadline.signal);
  deadline.abort(new DOMException('deadline', 'TimeoutError'));
  await assert.rejects(late, isCode(ErrorCode.Timeout));

  const reason = new PeerwireError('ERR_CUSTOM', 'stopping');
  const custom = new AbortController();
  const stopped = clock.sleep(1000, custom.signal);
  custom.abort(reason);
  await assert.rejects(stopped, (e: unknown) => e === reason);
});

test('ManualClock sleep that completes removes its abort listener', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const sleeping = clock.sleep(5, controller.signal);
  await clock.advance(5);
  await sleeping;
  controller.abort(); // must not reject anything or throw
  await flushMicrotasks();
  assert.equal(clock.pendingTimers, 0);
});

test('RealClock: now is epoch ms, timers fire and cancel, sleep resolves and aborts', async () => {
  const clock = new RealClock();
  const before = Date.now();
  const now = clock.now();
  assert.ok(now >= before && now <= Date.now());
  assert.ok(realClock instanceof RealClock);

  let cancelledFired = false;
  clock.setTimer(1, () => (cancelledFired = true)).cancel();
  await new Promise<void>((resolve) => clock.setTimer(5, resolve));
  await clock.sleep(2);
  await clock.sleep(-1);
  assert.equal(cancelledFired, false);

  const controller = new AbortController();
  const sleeping = clock.sleep(60_000, controller.signal);
  controller.abort();
  await assert.rejects(sleeping, isCode(ErrorCode.Aborted));
  await assert.rejects(clock.sleep(60_000, AbortSignal.timeout(1)), isCode(ErrorCode.Timeout));
});

test('flushMicrotasks lets queued continuations run', async () => {
  const order: number[] = [];
  void Promise.resolve()
    .then(() => order.push(1))
    .then(() => order.push(2));
  await flushMicrotasks();
  assert.deepEqual(order, [1, 2]);
});
