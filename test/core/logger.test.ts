// The logger interface: createLogger writes pino JSON lines with child bindings and level filtering
// to a given destination; silentLogger discards everything, children included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger.ts';
import { createLogger } from '../../src/core/pino-logger.ts';

function capture(): { lines: Record<string, unknown>[]; write: (line: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

test('createLogger writes JSON lines with child bindings, filtered by level', () => {
  const sink = capture();
  const logger = createLogger({ level: 'info', destination: sink, name: 'test-node', pretty: false });
  logger.debug('hidden');
  logger.info('plain');
  const child = logger.child({ component: 'router', peer: 'abc' });
  child.warn({ attempts: 3 }, 'dial failed');
  assert.equal(sink.lines.length, 2);
  assert.equal(sink.lines[0]!.msg, 'plain');
  assert.equal(sink.lines[0]!.name, 'test-node');
  assert.equal(sink.lines[0]!.level, 30);
  assert.deepEqual(
    {
      msg: sink.lines[1]!.msg,
      component: sink.lines[1]!.component,
      peer: sink.lines[1]!.peer,
      attempts: sink.lines[1]!.attempts,
    },
    { msg: 'dial failed', component: 'router', peer: 'abc', attempts: 3 },
  );
  assert.equal(sink.lines[1]!.level, 40);
});

test('silentLogger discards everything and its children are silent too', () => {
  silentLogger.info('x');
  silentLogger.error({ err: new Error('y') }, 'z');
  assert.equal(silentLogger.child({ component: 'x' }), silentLogger);
});
