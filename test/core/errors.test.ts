// PeerwireError and the helpers that turn anything thrown into one: codes, actions, causes, and the
// meaning of Node's abort and timeout errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ErrorCode,
  PeerwireError,
  isAbortError,
  isPeerwireError,
  toPeerwireError,
} from '../../src/core/errors.ts';

test('PeerwireError carries code, message, cause, action (default disconnect) and details', () => {
  const cause = new Error('root');
  const error = new PeerwireError(ErrorCode.Malformed, 'bad frame', {
    cause,
    action: 'ban',
    details: { size: 3 },
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'PeerwireError');
  assert.equal(error.code, 'ERR_MALFORMED');
  assert.equal(error.message, 'bad frame');
  assert.equal(error.cause, cause);
  assert.equal(error.action, 'ban');
  assert.deepEqual(error.details, { size: 3 });
  assert.ok(typeof error.stack === 'string');

  const plain = new PeerwireError('ERR_X', 'x');
  assert.equal(plain.action, 'disconnect');
  assert.equal(plain.details, undefined);
  assert.ok(!('cause' in plain), 'no cause property when none was given');
});

test('every shared code follows ERR_<THING> and is unique', () => {
  const codes = Object.values(ErrorCode);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^ERR_[A-Z0-9_]+$/);
});

test('isPeerwireError only recognises PeerwireError instances', () => {
  assert.equal(isPeerwireError(new PeerwireError('ERR_X', 'x')), true);
  for (const value of [new Error('x'), { code: 'ERR_X', action: 'ban' }, 'ERR_X', null, undefined]) {
    assert.equal(isPeerwireError(value), false);
  }
});

test('isAbortError recognises ERR_ABORTED, AbortError and ABORT_ERR, nothing else', () => {
  assert.equal(isAbortError(new PeerwireError(ErrorCode.Aborted, 'stop')), true);
  assert.equal(isAbortError(new PeerwireError(ErrorCode.Timeout, 'late')), false);
  const controller = new AbortController();
  controller.abort();
  assert.equal(
    isAbortError(controller.signal.reason),
    true,
    'the DOMException of abort() is named AbortError',
  );
  assert.equal(isAbortError(Object.assign(new Error('x'), { code: 'ABORT_ERR' })), true);
  assert.equal(isAbortError(new Error('x')), false);
  assert.equal(isAbortError('AbortError'), false);
  assert.equal(isAbortError(undefined), false);
});

test('toPeerwireError returns PeerwireErrors unchanged', () => {
  const error = new PeerwireError('ERR_X', 'x', { action: 'ban' });
  assert.equal(toPeerwireError(error, 'ERR_Y', 'transient'), error);
});

test('toPeerwireError maps timeouts to ERR_TIMEOUT and aborts to ERR_ABORTED, both transient', () => {
  const timeout = new DOMException('timed out', 'TimeoutError');
  const t = toPeerwireError(timeout);
  assert.equal(t.code, ErrorCode.Timeout);
  assert.equal(t.action, 'transient');
  assert.equal(t.cause, timeout);
  const abort = new DOMException('aborted', 'AbortError');
  const a = toPeerwireError(abort, 'ERR_Y', 'ban');
  assert.equal(a.code, ErrorCode.Aborted);
  assert.equal(a.action, 'transient');
});

test('toPeerwireError wraps Node system errors with their code in the message', () => {
  const sys = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const e = toPeerwireError(sys, ErrorCode.ConnectionFailed, 'transient');
  assert.equal(e.code, ErrorCode.ConnectionFailed);
  assert.equal(e.action, 'transient');
  assert.equal(e.message, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
  assert.equal(e.cause, sys);
  const plain = toPeerwireError(new TypeError('oops'));
  assert.equal(plain.code, ErrorCode.Internal);
  assert.equal(plain.action, 'disconnect');
  assert.equal(plain.message, 'oops');
});

test('toPeerwireError wraps non-errors (strings, numbers, objects, undefined)', () => {
  const values: [unknown, string][] = [
    ['boom', 'boom'],
    [42, '42'],
    [{ a: 1 }, '[object Object]'],
    [undefined, 'undefined'],
    [null, 'null'],
    [Symbol('s'), 'Symbol(s)'],
  ];
  for (const [value, message] of values) {
    const e = toPeerwireError(value, 'ERR_Z', 'ban');
    assert.ok(e instanceof PeerwireError);
    assert.equal(e.code, 'ERR_Z');
    assert.equal(e.action, 'ban');
    assert.equal(e.message, message);
  }
});
