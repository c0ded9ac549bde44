// WakeSignal: remembered notifications, timeouts through the injected clock, abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeSignal } from '../../src/core/wake-signal.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { PeerwireError } from '../../src/core/errors.ts';

test('a notify while nobody waits is not lost', async () => {
  const wake = new WakeSignal();
  wake.notify();
  await wake.wait(new AbortController().signal, new ManualClock());
  let woke = false;
  const waiting = wake.wait(new AbortController().signal, new ManualClock()).then(() => (woke = true));
  await Promise.resolve();
  assert.equal(woke, false);
  wake.notify();
  await waiting;
  assert.equal(woke, true);
});

test('wait resolves at its timeout on the injected clock and rejects on abort', async () => {
  const clock = new ManualClock();
  const wake = new WakeSignal();
  let woke = false;
  const waiting = wake.wait(new AbortController().signal, clock, 1000).then(() => (woke = true));
  await clock.advance(999);
  assert.equal(woke, false);
  await clock.advance(1);
  await waiting;
  assert.equal(woke, true);
  assert.equal(clock.pendingTimers, 0);
  const ac = new AbortController();
  const aborted = wake.wait(ac.signal, clock, 5000);
  ac.abort();
  await assert.rejects(aborted, PeerwireError);
  assert.equal(clock.pendingTimers, 0);
});
