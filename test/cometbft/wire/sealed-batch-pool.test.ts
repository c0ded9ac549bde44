// The pump's pool of sealed write buffers: small writes get a small buffer and larger ones a full-batch
// buffer, a buffer handed back is handed out again, foreign chunks are ignored, and the idle set stays
// bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SealedBatchPool } from '../../../src/cometbft/wire/sealed-batch-pool.ts';
import { FrameSealer } from '../../../src/cometbft/wire/secret-connection/frame-sealer.ts';

test('take serves every batch up to a full one; release hands the same memory back; idle is bounded', () => {
  const pool = new SealedBatchPool(64 * 1024);
  assert.equal(pool.capacity, FrameSealer.sealedLength(64 * 1024));
  const small = pool.take(1044)!;
  assert.equal(small.length, 1044, 'exactly the size asked for');
  assert.equal(small.buffer.byteLength, 4 * 1044, 'a paced write of a frame or a few gets a 4-frame buffer');
  assert.equal(pool.take(4 * 1044)!.buffer.byteLength, 4 * 1044);
  pool.release(small.subarray(0, 1044));
  assert.equal(pool.take(2 * 1044)!.buffer, small.buffer, 'small buffers are reused too');
  assert.equal(pool.idleCount, 0);
  assert.equal(pool.take(pool.capacity + 1), undefined, 'larger than a batch: the sealer allocates');
  const a = pool.take(30 * 1044)!;
  assert.equal(a.length, 30 * 1044);
  assert.equal(a.buffer.byteLength, pool.capacity);
  pool.release(a.subarray(0, 30 * 1044));
  assert.equal(pool.idleCount, 1);
  const b = pool.take(10 * 1044)!;
  assert.equal(b.buffer, a.buffer, 'the released memory is reused');
  assert.equal(pool.idleCount, 0);
  pool.release(Buffer.alloc(pool.capacity + 1));
  pool.release(Buffer.alloc(100));
  assert.equal(pool.idleCount, 0, 'chunks the pool did not give out are ignored');
  const many = Array.from({ length: 20 }, () => pool.take(pool.capacity));
  assert.ok(many.includes(undefined), 'a burst of takes is not fed a new buffer each: the sealer allocates');
  for (const m of many) if (m !== undefined) pool.release(m);
  assert.ok(pool.idleCount <= 8, 'at most 8 idle buffers are kept per size');
});

test('a sealer seals into the given buffer when it is large enough, else into its own', () => {
  const key = new Uint8Array(32).fill(3);
  const into = Buffer.alloc(10 * 1044, 0xaa);
  const sealedInto = new FrameSealer(key).seal([new Uint8Array(3000)], into);
  assert.equal(sealedInto.buffer, into.buffer);
  assert.equal(sealedInto.length, 3 * 1044);
  const fresh = new FrameSealer(key).seal([new Uint8Array(3000)]);
  assert.deepEqual(sealedInto, fresh, 'the same bytes either way');
  const tooSmall = Buffer.alloc(1044);
  assert.notEqual(new FrameSealer(key).seal([new Uint8Array(3000)], tooSmall).buffer, tooSmall.buffer);
});
