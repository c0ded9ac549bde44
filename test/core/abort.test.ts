// AbortSignal helpers: typed reasons (deadline -> ERR_TIMEOUT, anything else -> ERR_ABORTED),
// deadlines combined with the caller's signal, raceAbort and deadline() leaving no listener or timer behind.

import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortReason, deadline, raceAbort, throwIfAborted, withDeadline } from '../../src/core/abort.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { activeTimers } from '../helpers/handles.ts';

const isCode = (code: string) => (e: unknown) => e instanceof PeerwireError && e.code === code;

/**
 * Waits for a deadline signal. AbortSignal.timeout's timer does not keep the process alive, so a
 * ref'd interval does while we wait (for the event, not for a fixed time).
 */
async function abortOf(signal: AbortSignal): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    if (!signal.aborted)
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    clearInterval(keepAlive);
  }
}

function aborted(reason?: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

test('abortReason: a PeerwireError reason is kept, a TimeoutError is ERR_TIMEOUT, the rest ERR_ABORTED', () => {
  const mine = new PeerwireError('ERR_STOPPING', 'node stopping');
  assert.equal(abortReason(aborted(mine)), mine);

  const timeout = abortReason(aborted(new DOMException('late', 'TimeoutError')));
  assert.equal(timeout.code, ErrorCode.Timeout);
  assert.equal(timeout.action, 'transient');

  const plain = abortReason(aborted());
  assert.equal(plain.code, ErrorCode.Aborted);
  assert.equal(plain.action, 'transient');
  assert.ok(plain.cause instanceof DOMException);
  assert.equal(abortReason(aborted('why')).cause, 'why');
});

test('throwIfAborted throws the typed reason only for an aborted signal', () => {
  throwIfAborted(undefined);
  throwIfAborted(new AbortController().signal);
  assert.throws(() => throwIfAborted(aborted()), isCode(ErrorCode.Aborted));
  assert.throws(
    () => throwIfAborted(aborted(new DOMException('late', 'TimeoutError'))),
    isCode(ErrorCode.Timeout),
  );
});

test('withDeadline: no deadline for ms <= 0, a timeout otherwise, combined with the caller', async () => {
  const caller = new AbortController();
  assert.equal(withDeadline(caller.signal, 0), caller.signal);
  const none = withDeadline(undefined, -1);
  assert.equal(none.aborted, false);

  const deadline = withDeadline(undefined, 1);
  await abortOf(deadline);
  assert.equal(abortReason(deadline).code, ErrorCode.Timeout);

  const combined = withDeadline(caller.signal, 60_000);
  assert.equal(combined.aborted, false);
  caller.abort();
  assert.equal(combined.aborted, true, 'the caller aborting aborts the combined signal');
  assert.equal(abortReason(combined).code, ErrorCode.Aborted);

  const callerLate = new AbortController();
  const timedOut = withDeadline(callerLate.signal, 1);
  await abortOf(timedOut);
  assert.equal(abortReason(timedOut).code, ErrorCode.Timeout);
  assert.equal(callerLate.signal.aborted, false, 'the deadline does not abort the caller');
});

test('raceAbort passes values and errors through and removes its listener', async () => {
  const controller = new AbortController();
  assert.equal(await raceAbort(Promise.resolve(5), controller.signal), 5);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  const failure = new Error('failed');
  await assert.rejects(raceAbort(Promise.reject(failure), controller.signal), (e: unknown) => e === failure);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  await assert.rejects(
    raceAbort(
      Promise.reject(new Error('x')).catch(() => Promise.reject(new Error('wrapped'))),
      controller.signal,
    ),
    /wrapped/,
  );
  assert.equal(await raceAbort(Promise.resolve('no signal'), undefined), 'no signal');
});

test('raceAbort turns non-Error rejections into Errors', async () => {
  await assert.rejects(
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    raceAbort(Promise.reject('text'), new AbortController().signal),
    (e: unknown) => e instanceof Error && e.message === 'text',
  );
});

test('raceAbort rejects at once on an aborted signal and on a later abort, with the typed reason', async () => {
  let settleLater!: (value: number) => void;
  const slow = new Promise<number>((resolve) => (settleLater = resolve));
  await assert.rejects(raceAbort(slow, aborted()), isCode(ErrorCode.Aborted));

  const controller = new AbortController();
  const racing = raceAbort(slow, controller.signal);
  controller.abort(new DOMException('deadline', 'TimeoutError'));
  await assert.rejects(racing, isCode(ErrorCode.Timeout));
  settleLater(1);

  // A promise that rejects after losing the race is not an unhandled rejection.
  let rejectLater!: (error: Error) => void;
  const failing = new Promise<number>((_, reject) => (rejectLater = reject));
  const lost = new AbortController();
  const race = raceAbort(failing, lost.signal);
  lost.abort();
  await assert.rejects(race, isCode(ErrorCode.Aborted));
  rejectLater(new Error('late failure'));
  await new Promise((resolve) => setImmediate(resolve));
});

test('deadline aborts with ERR_TIMEOUT naming the operation, and clear leaves nothing behind', async () => {
  const parent = new AbortController();
  const before = activeTimers();
  const d = deadline(1, parent.signal, 'handshake');
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1);
  await new Promise((resolve) => d.signal.addEventListener('abort', resolve, { once: true }));
  const reason = abortReason(d.signal);
  assert.equal(reason.code, ErrorCode.Timeout);
  assert.match(reason.message, /handshake timed out after 1 ms/);
  assert.equal(parent.signal.aborted, false, 'the deadline never aborts its parent');
  d.clear();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);

  const long = deadline(60_000, parent.signal);
  assert.equal(activeTimers(), before + 1);
  long.clear();
  long.clear();
  assert.equal(activeTimers(), before, 'clear cancels the timer');
  assert.equal(long.signal.aborted, false);
});

test('deadline follows its parent, already aborted or aborted later, with the parent reason', () => {
  const stop = new PeerwireError('ERR_STOPPING', 'stopping');
  const early = deadline(60_000, aborted(stop));
  assert.equal(early.signal.aborted, true);
  assert.equal(abortReason(early.signal), stop);
  early.clear();

  const parent = new AbortController();
  const later = deadline(60_000, parent.signal);
  parent.abort(stop);
  assert.equal(abortReason(later.signal), stop);
  later.clear();

  const none = deadline(0);
  assert.equal(none.signal.aborted, false, 'no deadline for ms <= 0');
  none.clear();
});
