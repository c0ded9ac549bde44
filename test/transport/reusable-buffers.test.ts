// The process's reusable write buffers: a buffer given back is handed out again, one that does not fit
// or was never handed out is refused or ignored, a burst is not fed new buffers, and the idle set stays
// bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReusableBuffers } from '../../src/transport/reusable-buffers.ts';

test('take hands out buffers of one size; a given-back one is taken again; foreign ones are ignored', () => {
  const pool = new ReusableBuffers(4096, 3);
  assert.equal(pool.take(4097), undefined, 'larger than a buffer: the caller allocates');
  const a = pool.take(100)!;
  assert.equal(a.length, 100, 'a view of exactly the size asked for');
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 4096, 'a buffer of its own, not a slice of a shared pool');
  pool.give(a.subarray(0, 100));
  assert.equal(pool.idleCount, 1);
  const b = pool.take(4096)!;
  assert.equal(b.buffer, a.buffer, 'the memory given back is reused');
  assert.equal(pool.idleCount, 0);
  pool.give(b.subarray(10, 20));
  pool.give(Buffer.alloc(100));
  pool.give(new Uint8Array(8192));
  assert.equal(pool.idleCount, 0, 'views that do not start a pooled buffer, and other sizes, are ignored');
  const more = [pool.take(1)!, pool.take(1)!];
  assert.equal(new Set([...more, a].map((m) => m.buffer)).size, 3, 'buffers out at once are distinct');
  assert.equal(pool.take(1), undefined, 'a burst past maxIdle new buffers a second is not fed');
  for (const m of [...more, a, Buffer.alloc(4096)]) pool.give(m);
  assert.equal(pool.idleCount, 3, 'at most maxIdle are kept');
  assert.equal(pool.take(1)?.buffer, a.buffer, 'given-back buffers are still handed out');
});
