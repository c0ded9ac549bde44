// BoundedQueue: every overflow policy, the byte budget, FIFO order against a model under random
// offer/shift sequences, close waking readers and writers, aborted waits, and async iteration.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedQueue, type OverflowPolicy } from '../../src/core/bounded-queue.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';

const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
const isCode = (code: string) => (e: unknown) => e instanceof PeerwireError && e.code === code;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('capacity must be a positive integer', () => {
  for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new BoundedQueue({ name: 'q', capacity, policy: 'block' }),
      isCode(ErrorCode.InvalidArgument),
    );
  }
});

test('block: offer reports full, push waits for a shift, order is kept', async () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 2, policy: 'block' });
  assert.equal(q.offer(1), 'accepted');
  assert.equal(await q.push(2), 'accepted');
  assert.equal(q.offer(3), 'full');
  assert.equal(q.length, 2);
  let pushed = false;
  const pending = q.push(3).then((result) => {
    pushed = true;
    return result;
  });
  await tick();
  assert.equal(pushed, false, 'the writer waits while the queue is full');
  assert.equal(q.shift(), 1);
  assert.equal(await pending, 'accepted');
  assert.deepEqual([q.shift(), q.shift(), q.shift()], [2, 3, undefined]);
  assert.equal(q.dropped, 0);
});

test('drop-newest: the new item is discarded and counted', () => {
  const dropped: number[] = [];
  const q = new BoundedQueue<number>({
    name: 'q',
    capacity: 2,
    policy: 'drop-newest',
    onDrop: (n) => dropped.push(n),
  });
  assert.deepEqual(
    [q.offer(1), q.offer(2), q.offer(3), q.offer(4)],
    ['accepted', 'accepted', 'dropped', 'dropped'],
  );
  assert.deepEqual(dropped, [3, 4]);
  assert.equal(q.dropped, 2);
  assert.deepEqual(q.drain(), [1, 2]);
});

test('drop-oldest: the oldest items are discarded and counted, order is kept', () => {
  const dropped: number[] = [];
  const q = new BoundedQueue<number>({
    name: 'q',
    capacity: 2,
    policy: 'drop-oldest',
    onDrop: (n) => dropped.push(n),
  });
  for (let i = 1; i <= 5; i++) assert.equal(q.offer(i), 'accepted');
  assert.deepEqual(dropped, [1, 2, 3]);
  assert.equal(q.dropped, 3);
  assert.deepEqual(q.drain(), [4, 5]);
});

test('reject: a full queue throws ERR_QUEUE_FULL with details, and keeps its items', () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 1, policy: 'reject' });
  q.offer(1);
  assert.throws(
    () => q.offer(2),
    (e: unknown) => isCode(ErrorCode.QueueFull)(e) && (e as PeerwireError).details?.capacity === 1,
  );
  assert.equal(q.peek(), 1);
  assert.equal(q.dropped, 0);
});

test('byte budget: bytes are tracked, a too-large item only enters an empty queue', () => {
  const q = new BoundedQueue<string>({
    name: 'q',
    capacity: 10,
    maxBytes: 10,
    sizeOf: (s) => s.length,
    policy: 'reject',
  });
  q.offer('aaaa');
  q.offer('bbbb');
  assert.equal(q.bytes, 8);
  assert.equal(q.wouldOverflow(2), false);
  assert.equal(q.wouldOverflow(3), true);
  assert.throws(() => q.offer('ccc'), isCode(ErrorCode.QueueFull));
  assert.equal(q.shift(), 'aaaa');
  assert.equal(q.bytes, 4);
  assert.equal(q.shift(), 'bbbb');
  assert.equal(q.bytes, 0);
  assert.equal(q.offer('x'.repeat(50)), 'accepted', 'an oversize item enters an empty queue');
  assert.equal(q.bytes, 50);
  assert.throws(() => q.offer('y'), isCode(ErrorCode.QueueFull));
  q.drain();
  assert.equal(q.bytes, 0);
});

test('byte budget with drop-oldest evicts as many old items as the new one needs', () => {
  const dropped: string[] = [];
  const q = new BoundedQueue<string>({
    name: 'q',
    capacity: 10,
    maxBytes: 10,
    sizeOf: (s) => s.length,
    policy: 'drop-oldest',
    onDrop: (s) => dropped.push(s),
  });
  for (const s of ['aa', 'bbb', 'cc', 'ddd']) q.offer(s);
  assert.equal(q.offer('eeeeeee'), 'accepted');
  assert.deepEqual(dropped, ['aa', 'bbb', 'cc']);
  assert.deepEqual(q.drain(), ['ddd', 'eeeeeee']);
});

test('byte budget with block: a writer waits for room for its bytes without spinning', async () => {
  const q = new BoundedQueue<Uint8Array>({
    name: 'q',
    capacity: 10,
    maxBytes: 100,
    sizeOf: (b) => b.length,
    policy: 'block',
  });
  // Count the writer's waits, and break a spin (a wait that resolves at once, forever) with a throw:
  // a spinning writer starves the event loop, so no timer could end this test.
  let waits = 0;
  const waitForSpace = q.waitForSpace.bind(q);
  q.waitForSpace = (signal?: AbortSignal, size?: number) => {
    if (++waits > 1000) throw new Error('the blocked writer spins');
    return waitForSpace(signal, size);
  };
  q.offer(new Uint8Array(60));
  let settled = false;
  const pending = q.push(new Uint8Array(60)).then(() => (settled = true));
  await tick();
  assert.ok(waits <= 1, `the writer waited ${waits} times without any space freed`);
  assert.equal(settled, false);
  q.shift();
  await pending;
  assert.equal(q.length, 1);
  assert.equal(q.bytes, 60);
});

/** The expected behaviour of every policy, written as plainly as possible. */
class Model {
  items: number[] = [];
  dropped: number[] = [];
  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
    readonly policy: OverflowPolicy,
  ) {}
  bytes(): number {
    return this.items.reduce((sum, n) => sum + n, 0);
  }
  overflows(size: number): boolean {
    return (
      this.items.length >= this.capacity || (this.items.length > 0 && this.bytes() + size > this.maxBytes)
    );
  }
  offer(n: number): string {
    if (this.overflows(n)) {
      if (this.policy === 'block') return 'full';
      if (this.policy === 'reject') return 'throw';
      if (this.policy === 'drop-newest') {
        this.dropped.push(n);
        return 'dropped';
      }
      while (this.items.length > 0 && this.overflows(n)) this.dropped.push(this.items.shift()!);
    }
    this.items.push(n);
    return 'accepted';
  }
}

test('FIFO order, lengths, bytes and drops match a model under random offer/shift sequences', () => {
  const policy = fc.constantFrom<OverflowPolicy>('block', 'drop-newest', 'drop-oldest', 'reject');
  const op = fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((size) => ({ size })),
    fc.constant('shift' as const),
  );
  fc.assert(
    fc.property(
      policy,
      fc.integer({ min: 1, max: 8 }),
      fc.option(fc.integer({ min: 1, max: 120 })),
      fc.array(op, { maxLength: 300, size: 'max' }),
      (p, capacity, maxBytes, ops) => {
        const model = new Model(capacity, maxBytes ?? Number.POSITIVE_INFINITY, p);
        const dropped: number[] = [];
        const q = new BoundedQueue<number>({
          name: 'q',
          capacity,
          policy: p,
          onDrop: (n) => dropped.push(n),
          ...(maxBytes === null ? {} : { maxBytes, sizeOf: (n: number) => n }),
        });
        for (const o of ops) {
          if (o === 'shift') {
            assert.equal(q.shift(), model.items.shift());
          } else {
            const expected = model.offer(o.size);
            if (expected === 'throw') assert.throws(() => q.offer(o.size), isCode(ErrorCode.QueueFull));
            else assert.equal(q.offer(o.size), expected);
          }
          assert.equal(q.length, model.items.length);
          assert.equal(q.peek(), model.items[0]);
          if (maxBytes !== null) assert.equal(q.bytes, model.bytes());
          assert.ok(q.length <= capacity);
        }
        assert.deepEqual(dropped, model.dropped);
        assert.equal(q.dropped, model.dropped.length);
        assert.deepEqual(q.drain(), model.items);
      },
    ),
    { numRuns: FC_RUNS },
  );
});

test('order is kept across internal compaction (thousands of items through a long-lived queue)', () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 5000, policy: 'reject' });
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 3000; i++) q.offer(next++);
    for (let i = 0; i < 2900; i++) assert.equal(q.shift(), expected++);
  }
  while (q.length > 0) assert.equal(q.shift(), expected++);
  assert.equal(expected, next);
});

test('next() waits for an item; many readers are each woken by one item', async () => {
  const q = new BoundedQueue<string>({ name: 'q', capacity: 4, policy: 'block' });
  const a = q.next();
  const b = q.next();
  q.offer('x');
  q.offer('y');
  assert.deepEqual(await Promise.all([a, b]), ['x', 'y']);
  const waiting = q.waitForItem();
  q.offer('z');
  await waiting;
  assert.equal(q.length, 1);
  await q.waitForItem(); // resolves at once when an item is there
});

test('close wakes readers (they drain then see the end) and writers (they fail with ERR_CLOSED)', async () => {
  const readers = new BoundedQueue<number>({ name: 'r', capacity: 2, policy: 'block' });
  const reading = readers.next();
  readers.close();
  assert.equal(await reading, undefined);
  assert.equal(readers.closed, true);

  const q = new BoundedQueue<number>({ name: 'w', capacity: 1, policy: 'block' });
  q.offer(1);
  const writing = q.push(2);
  const waitingForSpace = q.waitForSpace();
  q.close();
  await assert.rejects(writing, isCode(ErrorCode.Closed));
  await waitingForSpace;
  assert.throws(() => q.offer(3), isCode(ErrorCode.Closed));
  assert.equal(await q.next(), 1, 'queued items are still delivered after close');
  assert.equal(await q.next(), undefined);
  await q.waitForItem();
  q.close(); // idempotent
});

test('close with a reason and with clear', async () => {
  const reason = new PeerwireError('ERR_PEER_GONE', 'peer went away');
  const q = new BoundedQueue<number>({ name: 'q', capacity: 4, policy: 'block' });
  q.offer(1);
  q.offer(2);
  q.close(reason, true);
  assert.equal(q.length, 0);
  assert.equal(q.bytes, 0);
  assert.equal(await q.next(), undefined);
  assert.throws(
    () => q.offer(3),
    (e: unknown) => e === reason,
  );
});

test('aborting a wait rejects it with a typed error and does not lose the next item', async () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 1, policy: 'block' });
  const controller = new AbortController();
  const aborted = q.next(controller.signal);
  const survivor = q.next();
  controller.abort();
  await assert.rejects(aborted, isCode(ErrorCode.Aborted));
  q.offer(7);
  assert.equal(await survivor, 7, 'the item goes to the reader still waiting');

  await assert.rejects(q.next(AbortSignal.abort()), isCode(ErrorCode.Aborted), 'already aborted');
  await assert.rejects(q.waitForItem(AbortSignal.abort()), isCode(ErrorCode.Aborted));
  q.offer(1);
  const writer = new AbortController();
  const push = q.push(2, writer.signal);
  writer.abort(new DOMException('deadline', 'TimeoutError'));
  await assert.rejects(push, isCode(ErrorCode.Timeout));
  await assert.rejects(q.waitForSpace(AbortSignal.abort()), isCode(ErrorCode.Aborted));
  assert.equal(q.shift(), 1);
  assert.equal(q.length, 0, 'the aborted push did not enqueue');
});

test('drain returns everything and wakes blocked writers', async () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 2, policy: 'block' });
  q.offer(1);
  q.offer(2);
  const writing = q.push(3);
  assert.deepEqual(q.drain(), [1, 2]);
  assert.equal(await writing, 'accepted');
  assert.deepEqual(q.drain(), [3]);
});

test('async iteration yields items in order and ends on close', async () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 3, policy: 'block' });
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const n of q) seen.push(n);
  })();
  for (let i = 0; i < 10; i++) await q.push(i);
  q.close();
  await consumer;
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('an iterator ended by break stays done while the queue and other iterators go on', async () => {
  const q = new BoundedQueue<number>({ name: 'q', capacity: 8, policy: 'block' });
  for (const n of [1, 2, 3]) q.offer(n);
  const first = q[Symbol.asyncIterator]();
  assert.deepEqual(await first.next(), { done: false, value: 1 });
  assert.deepEqual(await first.return!(), { done: true, value: undefined });
  assert.deepEqual(await first.next(), { done: true, value: undefined }, 'done after return()');
  assert.equal(q.length, 2, 'return() takes nothing from the queue');
  const seen: number[] = [];
  for await (const n of q) {
    seen.push(n);
    if (n === 2) break;
  }
  assert.deepEqual(seen, [2]);
  const second = q[Symbol.asyncIterator]();
  assert.deepEqual(await second.next(), { done: false, value: 3 });
  const waiting = second.next();
  q.offer(4);
  assert.deepEqual(await waiting, { done: false, value: 4 }, 'a waiting step takes the next offer');
  const atEnd = second.next();
  q.close();
  assert.deepEqual(await atEnd, { done: true, value: undefined });
  // The queue is closed and empty: a new iterator ends at once too.
  assert.deepEqual(await q[Symbol.asyncIterator]().next(), { done: true, value: undefined });
});
