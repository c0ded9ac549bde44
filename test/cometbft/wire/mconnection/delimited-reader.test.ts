// The uvarint-length-prefixed stream reader: any chunking gives the same messages, limits are checked
// before allocating, and random input only ever yields PeerwireError with allocation bounded by input.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../../../src/core/errors.ts';
import { DelimitedReader } from '../../../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { varintSize, writeVarint32 } from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fcRuns, fromHex, fuzzRuns, hex } from '../vectors.ts';

function frame(messages: readonly Uint8Array[]): Uint8Array {
  const total = messages.reduce((n, m) => n + varintSize(m.length) + m.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const m of messages) {
    pos = writeVarint32(out, pos, m.length);
    out.set(m, pos);
    pos += m.length;
  }
  return out;
}

function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  return chunks;
}

test('any chunking yields the same messages, in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300, size: 'max' }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12, size: 'max' }),
      (messages, cuts) => {
        const reader = new DelimitedReader(300);
        const got: string[] = [];
        for (const chunk of split(frame(messages), cuts)) {
          reader.push(chunk);
          for (let m = reader.next(); m !== undefined; m = reader.next()) got.push(hex(m));
        }
        assert.deepEqual(got, messages.map(hex));
        assert.equal(reader.bufferedBytes, 0);
      },
    ),
    { numRuns: fcRuns(300) },
  );
});

test('a message inside one chunk is returned as a view; a straddling one as one exact copy', () => {
  const reader = new DelimitedReader(100);
  const stream = frame([fromHex('aabbcc'), fromHex('ddeeff')]);
  reader.push(stream.subarray(0, 6));
  const first = reader.next();
  assert.equal(first?.buffer, stream.buffer);
  assert.equal(reader.next(), undefined);
  reader.push(stream.subarray(6));
  const second = reader.next();
  assert.equal(hex(second!), 'ddeeff');
  assert.notEqual(second?.buffer, stream.buffer);
  assert.equal(reader.allocatedBytes, 3);
});

test('the announced length is checked before waiting for or allocating the body', () => {
  const reader = new DelimitedReader(1034);
  reader.push(fromHex('8b08')); // 1035
  assert.throws(
    () => reader.next(),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge,
  );
  const ok = new DelimitedReader(1034);
  ok.push(fromHex('8a08')); // exactly 1034: waits for the body
  assert.equal(ok.next(), undefined);
  assert.equal(ok.allocatedBytes, 0);
  const huge = new DelimitedReader(10240);
  huge.push(fromHex('ffffffffffffffffff01'));
  assert.throws(
    () => huge.next(),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge,
  );
  const long = new DelimitedReader(Number.MAX_SAFE_INTEGER);
  long.push(fromHex('8080808080808080808001'));
  assert.throws(
    () => long.next(),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Malformed,
  );
});

test('empty messages and leftovers after a message', () => {
  const reader = new DelimitedReader(10);
  reader.push(fromHex('00' + '02abcd' + '05'));
  assert.equal(reader.next()?.length, 0);
  assert.equal(hex(reader.next()!), 'abcd');
  assert.equal(reader.next(), undefined);
  assert.deepEqual(reader.takeRemaining().map(hex), ['05']);
  assert.equal(reader.bufferedBytes, 0);
});

test('fuzz: random chunks throw only PeerwireError and allocate no more than the input', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 64, size: 'max' }), { maxLength: 6 }),
      fc.integer({ min: 0, max: 2000 }),
      (chunks, max) => {
        const reader = new DelimitedReader(max);
        let input = 0;
        let output = 0;
        try {
          for (const chunk of chunks) {
            reader.push(chunk);
            input += chunk.length;
            for (let m = reader.next(); m !== undefined; m = reader.next()) {
              assert.ok(m.length <= max);
              output += m.length;
            }
          }
        } catch (error) {
          assert.ok(error instanceof PeerwireError, `unexpected ${String(error)}`);
        }
        assert.ok(reader.allocatedBytes <= input);
        assert.ok(output <= input);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
