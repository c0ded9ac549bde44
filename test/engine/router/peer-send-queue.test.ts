// The per-peer send queue: FIFO within a channel, least-recently-sent/priority across channels,
// named overflow policies, and close semantics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PeerSendQueue } from '../../../src/engine/router/peer-send-queue.ts';
import { CHANNEL_DEFAULTS, type ResolvedChannelOptions } from '../../../src/engine/router/channel.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';

const opts = (over: Partial<ResolvedChannelOptions> = {}): ResolvedChannelOptions => ({ ...CHANNEL_DEFAULTS, ...over });
const msg = (n: number, size = 4): Uint8Array => {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const idOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0);
const runs = Number(process.env.FC_RUNS ?? 200);

test('messages of one channel leave in the order they were queued', () => {
  const q = new PeerSendQueue(() => undefined);
  for (let i = 0; i < 100; i++) assert.equal(q.offer(1, opts(), msg(i)), 'accepted');
  for (let i = 0; i < 100; i++) assert.equal(idOf(q.next()!.bytes), i);
  assert.equal(q.next(), undefined);
});

test('property: interleaved channels keep per-channel FIFO and lose nothing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 300, size: 'max' }),
      (ops) => {
        const q = new PeerSendQueue(() => undefined);
        const sent = new Map<number, number[]>();
        const got = new Map<number, number[]>();
        let counter = 0;
        for (const [channel, isPush] of ops) {
          if (isPush) {
            q.offer(channel, opts({ priority: channel + 1 }), msg(counter, 4 + channel * 100));
            sent.set(channel, [...(sent.get(channel) ?? []), counter++]);
          } else {
            const m = q.next();
            if (m !== undefined) got.set(m.channelId, [...(got.get(m.channelId) ?? []), idOf(m.bytes)]);
          }
        }
        for (let m = q.next(); m !== undefined; m = q.next()) got.set(m.channelId, [...(got.get(m.channelId) ?? []), idOf(m.bytes)]);
        assert.deepEqual(got, sent);
      },
    ),
    { numRuns: runs },
  );
});

test('a saturated low-priority channel does not starve a high-priority one', () => {
  const q = new PeerSendQueue(() => undefined);
  const bulk = opts({ priority: 1, sendQueueCapacity: 10_000 });
  const urgent = opts({ priority: 10 });
  for (let i = 0; i < 1000; i++) q.offer(1, bulk, msg(i, 1024));
  // Let bulk build up recently-sent bytes, then an urgent message arrives.
  for (let i = 0; i < 50; i++) q.next();
  q.offer(2, urgent, msg(7, 64));
  assert.equal(q.next()!.channelId, 2);
});

test('bandwidth is shared by priority under contention', () => {
  const q = new PeerSendQueue(() => undefined);
  const low = opts({ priority: 1, sendQueueCapacity: 100_000 });
  const high = opts({ priority: 4, sendQueueCapacity: 100_000 });
  for (let i = 0; i < 5000; i++) {
    q.offer(1, low, msg(i, 1000));
    q.offer(2, high, msg(i, 1000));
  }
  const bytes = new Map<number, number>([
    [1, 0],
    [2, 0],
  ]);
  for (let i = 0; i < 2000; i++) {
    const m = q.next()!;
    bytes.set(m.channelId, bytes.get(m.channelId)! + m.bytes.length);
  }
  const ratio = bytes.get(2)! / bytes.get(1)!;
  assert.ok(ratio > 3 && ratio < 5, `high/low byte ratio ${ratio} should be near 4`);
});

test('overflow policies: drop-newest counts, drop-oldest keeps newest, disconnect throws, block reports full', () => {
  const drops: number[] = [];
  const q = new PeerSendQueue((ch) => drops.push(ch));
  assert.equal(q.offer(1, opts({ sendQueueCapacity: 1, overflow: 'drop-newest' }), msg(1)), 'accepted');
  assert.equal(q.offer(1, opts({ sendQueueCapacity: 1, overflow: 'drop-newest' }), msg(2)), 'dropped');
  assert.deepEqual(drops, [1]);
  q.offer(2, opts({ sendQueueCapacity: 2, overflow: 'drop-oldest' }), msg(1));
  q.offer(2, opts({ sendQueueCapacity: 2, overflow: 'drop-oldest' }), msg(2));
  q.offer(2, opts({ sendQueueCapacity: 2, overflow: 'drop-oldest' }), msg(3));
  assert.deepEqual(drops, [1, 2]);
  q.offer(3, opts({ sendQueueCapacity: 1, overflow: 'disconnect' }), msg(1));
  assert.throws(
    () => q.offer(3, opts({ sendQueueCapacity: 1, overflow: 'disconnect' }), msg(2)),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.QueueFull,
  );
  q.offer(4, opts({ sendQueueCapacity: 1, overflow: 'block' }), msg(1));
  assert.equal(q.offer(4, opts({ sendQueueCapacity: 1, overflow: 'block' }), msg(2)), 'full');
  const remaining: number[] = [];
  for (let m = q.next(); m !== undefined; m = q.next()) if (m.channelId === 2) remaining.push(idOf(m.bytes));
  assert.deepEqual(remaining, [2, 3]);
});

test('a blocked sender is released when space frees, and fails once the queue closes', async () => {
  const q = new PeerSendQueue(() => undefined);
  const o = opts({ sendQueueCapacity: 1 });
  q.offer(1, o, msg(1));
  const ac = new AbortController();
  const waiting = q.waitForSpace(1, o, ac.signal);
  q.next();
  await waiting;
  assert.equal(q.offer(1, o, msg(2)), 'accepted');
  assert.equal(q.offer(1, o, msg(3)), 'full');
  const blocked = q.waitForSpace(1, o, ac.signal);
  q.close(new PeerwireError(ErrorCode.Closed, 'gone'));
  await blocked;
  assert.throws(() => q.offer(1, o, msg(4)), (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Closed);
  assert.equal(q.queuedMessages, 0);
});

test('nextOffer resolves on a new message, on wake() and at once after close', async () => {
  const q = new PeerSendQueue(() => undefined);
  let woke = 0;
  const first = q.nextOffer().then(() => woke++);
  assert.equal(q.nextOffer(), q.nextOffer(), 'one shared promise per wait');
  await Promise.resolve();
  assert.equal(woke, 0, 'nothing offered yet');
  q.offer(5, opts(), msg(1));
  await first;
  assert.equal(woke, 1);
  assert.equal(q.next()!.channelId, 5);
  const second = q.nextOffer().then(() => woke++);
  q.wake();
  await second;
  assert.equal(woke, 2);
  q.close(new PeerwireError(ErrorCode.Closed, 'gone'));
  await q.nextOffer();
});