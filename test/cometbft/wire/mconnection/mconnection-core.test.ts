// The sans-I/O MConnection: the derived stream vector, fragmentation and reassembly from 0 B to 4 MiB,
// priority scheduling, capacity and unknown-channel errors, bounded send queues, ping/pong timing on a
// ManualClock, rate limits, idle memory, and a receive-side fuzz.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { ManualClock } from '../../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../../src/core/errors.ts';
import type { InboundMessage } from '../../../../src/transport/types.ts';
import { STANDARD_CHANNELS } from '../../../../src/cometbft/wire/standard-channels.ts';
import type { ChannelDescriptorInput } from '../../../../src/cometbft/wire/mconnection/channel-descriptor.ts';
import { DelimitedReader } from '../../../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { MConnErrorCode } from '../../../../src/cometbft/wire/mconnection/mconn-errors.ts';
import {
  PACING_OVERDRAFT_BYTES,
  MConnectionCore,
  RECV_RATE_SLACK_BYTES,
  type MConnectionCoreOptions,
} from '../../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import {
  decodePacket,
  encodePacket,
  MAX_PACKET_SIZE,
} from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fcRuns, fromHex, fuzzRuns, hex, loadVector } from '../vectors.ts';

const MiB = 1024 * 1024;

function core(
  channels: readonly ChannelDescriptorInput[],
  clock = new ManualClock(),
  extra: Partial<MConnectionCoreOptions> = {},
): MConnectionCore {
  return new MConnectionCore({ channels, clock, ...extra });
}

/** Polls everything `from` has to send (bounded rounds) and returns the batches. */
function drain(from: MConnectionCore, maxBytes?: number): Uint8Array[] {
  const batches: Uint8Array[] = [];
  for (let i = 0; i < 100_000; i++) {
    const batch = from.pollPackets(maxBytes);
    if (batch === undefined) return batches;
    batches.push(batch);
  }
  assert.fail('sender never ran dry');
}

function pipe(from: MConnectionCore, to: MConnectionCore, maxBytes?: number): InboundMessage[] {
  return drain(from, maxBytes).flatMap((batch) => to.receiveBytes(batch));
}

function isError(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof PeerwireError && e.code === code;
}

test('reproduces the derived MConnection stream vector and reads it back', async () => {
  const vector = loadVector<{ mconn_after_handshake_from_A: { stream_hex: string } }>(
    'secret_connection_handshake_derived.json',
  );
  const clock = new ManualClock();
  const channels = [
    { id: 0x00, priority: 1, sendQueueCapacity: 10 },
    { id: 0x30, priority: 5 },
  ];
  const a = core(channels, clock);
  await clock.advance(60_000);
  a.onTimer();
  assert.ok(a.enqueue(0x00, fromHex('0a00')));
  assert.ok(a.enqueue(0x30, new Uint8Array(1500).fill(0xab)));
  const stream = a.pollPackets();
  assert.equal(hex(stream!), vector.mconn_after_handshake_from_A.stream_hex);
  assert.equal(a.pollPackets(), undefined);

  const b = core(channels, clock);
  const got = b.receiveBytes(stream!);
  assert.deepEqual(
    got.map((m) => [m.channelId, m.bytes.length]),
    [
      [0x00, 2],
      [0x30, 1500],
    ],
  );
  assert.ok(b.hasPendingSend(), 'a pong is owed');
  assert.equal(hex(b.pollPackets()!), '021200');
});

test('fragmentation and reassembly from 0 B to 4 MiB', () => {
  const channels = [{ id: 0x40, priority: 5, sendQueueCapacity: 20, recvMessageCapacity: 4 * MiB }];
  const a = core(channels);
  const b = core(channels);
  const sizes = [0, 1, 1023, 1024, 1025, 2048, 2049, 65_536, 1_000_003, 4 * MiB];
  const messages = sizes.map((size) => {
    const m = new Uint8Array(size);
    for (let i = 0; i < size; i += 4093) m[i] = (i / 4093) & 0xff;
    if (size > 0) m[size - 1] = 0x5a;
    return m;
  });
  for (const m of messages) assert.ok(a.enqueue(0x40, m));
  const got = pipe(a, b);
  assert.deepEqual(
    got.map((m) => m.bytes.length),
    sizes,
  );
  for (let i = 0; i < sizes.length; i++)
    assert.ok(Buffer.from(got[i]!.bytes).equals(Buffer.from(messages[i]!)), `message ${sizes[i]}`);
  assert.equal(b.channelStats()[0]!.pendingReceiveBytes, 0);
});

test('every packet carries at most 1024 data bytes and chunks are in order with eof last', () => {
  const a = core([{ id: 0x21, sendQueueCapacity: 4 }]);
  a.enqueue(0x21, new Uint8Array(3000).fill(1));
  const reader = new DelimitedReader(MAX_PACKET_SIZE);
  for (const batch of drain(a)) reader.push(batch);
  const packets = [];
  for (let p = reader.next(); p !== undefined; p = reader.next()) packets.push(decodePacket(p));
  assert.deepEqual(
    packets.map((p) => (p.kind === 'msg' ? [p.channelId, p.data.length, p.eof] : p.kind)),
    [
      [0x21, 1024, false],
      [0x21, 1024, false],
      [0x21, 952, true],
    ],
  );
});

test('property: random messages on random channels survive any stream split', () => {
  const channels = [
    { id: 0, sendQueueCapacity: 50 },
    { id: 0x22, priority: 7, sendQueueCapacity: 50 },
    { id: 0x7f, priority: 3, sendQueueCapacity: 50 },
  ];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(0, 0x22, 0x7f), fc.uint8Array({ maxLength: 5000, size: 'max' })), {
        maxLength: 12,
        size: 'max',
      }),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.integer({ min: 1100, max: 20_000 }),
      (messages, cuts, pollBytes) => {
        const a = core(channels);
        const b = core(channels);
        for (const [ch, m] of messages) assert.ok(a.enqueue(ch, m));
        const stream = Buffer.concat(drain(a, pollBytes));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
        const got: InboundMessage[] = [];
        let last = 0;
        for (const p of [...points, stream.length]) {
          got.push(...b.receiveBytes(stream.subarray(last, p)));
          last = p;
        }
        for (const ch of [0, 0x22, 0x7f]) {
          assert.deepEqual(
            got.filter((m) => m.channelId === ch).map((m) => hex(m.bytes)),
            messages.filter(([c]) => c === ch).map(([, m]) => hex(m)),
          );
        }
      },
    ),
    { numRuns: fcRuns(100) },
  );
});

test('channels >= 0x80 fragment at 1023 bytes so packets stay within the 1034-byte limit', () => {
  const a = core([{ id: 0xc0 }]);
  const b = core([{ id: 0xc0 }]);
  a.enqueue(0xc0, new Uint8Array(2046).fill(7));
  const reader = new DelimitedReader(MAX_PACKET_SIZE);
  const batches = drain(a);
  for (const batch of batches) reader.push(batch);
  const lengths = [];
  for (let p = reader.next(); p !== undefined; p = reader.next()) lengths.push(p.length);
  assert.deepEqual(lengths, [1032, 1034]); // 1023 data bytes each; the first has no eof field
  assert.equal(batches.flatMap((x) => b.receiveBytes(x))[0]?.bytes.length, 2046);
});

test('scheduler shares bandwidth by priority and decays recentlySent every 2 s', async () => {
  const clock = new ManualClock();
  const a = core(
    [
      { id: 1, priority: 1, sendQueueCapacity: 10 },
      { id: 2, priority: 10, sendQueueCapacity: 10 },
    ],
    clock,
  );
  a.enqueue(1, new Uint8Array(MiB));
  a.enqueue(2, new Uint8Array(MiB));
  const sent = new Map<number, number>([
    [1, 0],
    [2, 0],
  ]);
  const reader = new DelimitedReader(MAX_PACKET_SIZE);
  for (let i = 0; i < 20; i++) {
    reader.push(a.pollPackets(16 * 1024)!);
    for (let p = reader.next(); p !== undefined; p = reader.next()) {
      const packet = decodePacket(p);
      if (packet.kind === 'msg') sent.set(packet.channelId, sent.get(packet.channelId)! + packet.data.length);
    }
  }
  const ratio = sent.get(2)! / sent.get(1)!;
  assert.ok(ratio > 8 && ratio < 12, `priority 10 vs 1 got ratio ${ratio}`);

  const before = a.channelStats().map((s) => s.recentlySent);
  await clock.advance(4_000);
  // Decay is applied on the next poll (two 2 s periods: x0.64), before that poll adds its own bytes.
  const batch = a.pollPackets(1100)!;
  const after = a.channelStats().map((s) => s.recentlySent);
  const grown = after.map((v, i) => v - before[i]! * 0.64);
  assert.ok(
    grown.every((g) => g >= -1e-6),
    'decayed then grew',
  );
  assert.ok(Math.abs(grown.reduce((x, y) => x + y, 0) - batch.length) < 1e-6);
});

test('a high-priority message overtakes a bulk transfer within a few packets', () => {
  const a = core([
    { id: 0x40, priority: 5, sendQueueCapacity: 10 },
    { id: 0x22, priority: 7, sendQueueCapacity: 10 },
  ]);
  a.enqueue(0x40, new Uint8Array(4 * MiB));
  a.pollPackets(64 * 1024); // bulk channel builds up recentlySent
  a.enqueue(0x22, fromHex('0102'));
  const batch = a.pollPackets(4096)!;
  const reader = new DelimitedReader(MAX_PACKET_SIZE);
  reader.push(batch);
  const first = decodePacket(reader.next()!);
  assert.equal(first.kind === 'msg' ? first.channelId : -1, 0x22);
});

test('a message over the channel capacity is a typed error before allocating', () => {
  const b = core([{ id: 5, recvMessageCapacity: 2000 }]);
  const part = (eof: boolean, n: number): Uint8Array =>
    encodePacket({ kind: 'msg', channelId: 5, eof, data: new Uint8Array(n) }, true);
  assert.deepEqual(b.receiveBytes(part(false, 1000)), []);
  assert.deepEqual(
    b.receiveBytes(part(true, 1000)).map((m) => m.bytes.length),
    [2000],
  ); // exactly the capacity
  b.receiveBytes(part(false, 1024));
  assert.throws(
    () => b.receiveBytes(part(false, 1000)),
    (e: unknown) =>
      isError(MConnErrorCode.MessageTooLarge)(e) && (e as PeerwireError).action === 'disconnect',
  );
  // Sending such a message is refused locally (the peer would disconnect us).
  const a = core([{ id: 5, recvMessageCapacity: 2000 }]);
  assert.throws(() => a.enqueue(5, new Uint8Array(2001)), isError(ErrorCode.InvalidArgument));
});

test('empty fragments hold nothing; an empty eof completes the message', () => {
  const b = core([{ id: 0x40, recvBufferCapacity: 204_800 }]);
  const part = (eof: boolean, data: string): Uint8Array =>
    encodePacket({ kind: 'msg', channelId: 0x40, eof, data: fromHex(data) }, true);
  for (let i = 0; i < 100; i++) assert.deepEqual(b.receiveBytes(part(false, '')), []);
  assert.equal(b.channelStats()[0]!.pendingReceiveBytes, 0);
  assert.deepEqual(
    b.receiveBytes(part(true, '')).map((m) => hex(m.bytes)),
    [''],
  );
  b.receiveBytes(part(false, 'abcd'));
  assert.deepEqual(
    b.receiveBytes(part(true, '')).map((m) => hex(m.bytes)),
    ['abcd'],
  );
});

test('a packet on a channel we do not serve closes the connection', () => {
  const b = core([{ id: 0x30 }]);
  const packet = encodePacket({ kind: 'msg', channelId: 0x55, eof: true, data: fromHex('00') }, true);
  assert.throws(
    () => b.receiveBytes(packet),
    (e: unknown) => isError(ErrorCode.UnknownChannel)(e) && (e as PeerwireError).action === 'disconnect',
  );
  assert.throws(() => core([{ id: 0x30 }]).enqueue(0x55, fromHex('00')), isError(ErrorCode.InvalidArgument));
});

test('oversized and empty packets are rejected', () => {
  const b = core([{ id: 1 }]);
  assert.throws(() => b.receiveBytes(fromHex('8b08')), isError(ErrorCode.FrameTooLarge));
  assert.throws(() => core([{ id: 1 }]).receiveBytes(fromHex('00')), isError(MConnErrorCode.UnknownPacket));
});

test('send queues are bounded: capacity + the message being sent, then false until space', async () => {
  const a = core([{ id: 9, sendQueueCapacity: 2 }]);
  assert.ok(a.enqueue(9, fromHex('01')));
  assert.ok(a.enqueue(9, fromHex('02')));
  assert.ok(a.enqueue(9, fromHex('03')));
  assert.equal(a.enqueue(9, fromHex('04')), false);
  const space = a.waitForSpace(9, AbortSignal.timeout(10_000));
  a.pollPackets();
  await space;
  assert.ok(a.enqueue(9, fromHex('04')));
});

test('ping every 60 s, pong deadline 45 s, only a pong stops it', async () => {
  const clock = new ManualClock();
  const start = clock.now();
  const a = core([{ id: 1 }], clock);
  assert.equal(a.nextTimerAt(), start + 60_000);
  assert.equal(a.hasPendingSend(), false);
  await clock.advance(59_999);
  a.onTimer();
  assert.equal(a.hasPendingSend(), false);
  await clock.advance(1);
  a.onTimer();
  assert.equal(hex(a.pollPackets()!), '020a00');
  assert.equal(a.nextTimerAt(), start + 105_000);
  a.receiveBytes(fromHex('021200'));
  assert.equal(a.nextTimerAt(), start + 120_000);
  await clock.advance(50_000);
  a.onTimer(); // no deadline running: fine

  await clock.setTime(start + 120_000);
  a.onTimer();
  a.pollPackets(); // second ping written at 120 s
  // Data and pings from the peer do not count as a pong.
  a.receiveBytes(encodePacket({ kind: 'msg', channelId: 1, eof: true, data: fromHex('01') }, true));
  a.receiveBytes(fromHex('020a00'));
  await clock.setTime(start + 164_999);
  a.onTimer();
  await clock.advance(1);
  assert.throws(
    () => a.onTimer(),
    (e: unknown) => isError(MConnErrorCode.PongTimeout)(e) && (e as PeerwireError).action === 'disconnect',
  );
});

test('the round trip of a ping is measured from the written ping to its pong', async () => {
  const clock = new ManualClock();
  const a = core([{ id: 1 }], clock);
  assert.equal(a.rttMs, undefined, 'nothing measured before the first pong');
  await clock.advance(60_000);
  a.onTimer();
  a.pollPackets(); // the ping is written now
  await clock.advance(37);
  a.receiveBytes(fromHex('021200'));
  assert.equal(a.rttMs, 37);
  a.receiveBytes(fromHex('021200')); // an unsolicited pong measures nothing
  assert.equal(a.rttMs, 37);
});

test('pongs go ahead of queued data and several pings collapse into one pong', () => {
  const a = core([{ id: 1, sendQueueCapacity: 4 }]);
  a.enqueue(1, new Uint8Array(5000));
  a.receiveBytes(fromHex('020a00020a00020a00'));
  const batch = a.pollPackets(2048)!;
  assert.equal(hex(batch.subarray(0, 3)), '021200');
  assert.notEqual(hex(batch.subarray(3, 6)), '021200');
  const rest = drain(a).map(hex).join('');
  assert.ok(!rest.includes('021200'));
});

test('send rate limit holds the long-run rate; control packets bypass it', async () => {
  const clock = new ManualClock();
  const rate = 20_000;
  const a = core([{ id: 1, sendQueueCapacity: 4 }], clock, { sendRate: rate });
  a.enqueue(1, new Uint8Array(200_000));
  let sent = 0;
  const start = clock.now();
  for (let step = 0; step < 100; step++) {
    for (let batch = a.pollPackets(); batch !== undefined; batch = a.pollPackets()) sent += batch.length;
    const wait = a.nextTimerAt() - clock.now();
    assert.ok(wait > 0);
    await clock.advance(Math.min(wait, 60_000));
  }
  const elapsed = (clock.now() - start) / 1000;
  assert.ok(sent <= rate * elapsed + 2_000 + 1_040, `sent ${sent} in ${elapsed}s`);
  assert.ok(sent >= rate * elapsed * 0.8, `sent ${sent} in ${elapsed}s`);
  // Pongs still go out while the bucket is empty.
  a.receiveBytes(fromHex('020a00'));
  assert.equal(hex(a.pollPackets()!.subarray(0, 3)), '021200');
});

test('send rate limit: a pong goes out past an empty bucket and is paid for like data, as Go counts it', () => {
  const clock = new ManualClock();
  // 1,000 B/s: a 100-byte bucket, so 3 bytes owed show as 3 ms more to wait.
  const answered = core([{ id: 1, sendQueueCapacity: 4 }], clock, { sendRate: 1000 });
  const silent = core([{ id: 1, sendQueueCapacity: 4 }], clock, { sendRate: 1000 });
  for (const c of [answered, silent]) {
    c.enqueue(1, new Uint8Array(5000));
    assert.ok(c.pollPackets() !== undefined, 'one packet on the bucket it had');
  }
  answered.receiveBytes(fromHex('020a00')); // a ping
  assert.equal(hex(answered.pollPackets()!), '021200', 'the pong alone, the bucket being empty');
  assert.equal(answered.nextTimerAt() - silent.nextTimerAt(), 3, 'its 3 bytes are owed');
});

test('send rate limit: a light channel goes past an empty bucket within the overdraft; the long-run rate holds', async () => {
  const clock = new ManualClock();
  const rate = 20_000;
  const a = core(
    [
      { id: 1, priority: 1, sendQueueCapacity: 400 },
      { id: 2, priority: 10, sendQueueCapacity: 400 },
    ],
    clock,
    { sendRate: rate },
  );
  for (let i = 0; i < 100; i++) a.enqueue(1, new Uint8Array(10_000));
  while (a.pollPackets() !== undefined); // the bucket is empty; bulk waits for tokens
  assert.equal(a.pollPackets(), undefined);
  // A vote does not wait for the timer: it goes into the overdraft at once...
  a.enqueue(2, new Uint8Array(500));
  const vote = a.pollPackets();
  assert.ok(vote !== undefined && vote.length < 600, 'the vote alone, now');
  assert.equal(a.pollPackets(), undefined, 'bulk still waits');
  // ...but a flood on the light channel stops within the overdraft.
  for (let i = 0; i < 20; i++) a.enqueue(2, new Uint8Array(500));
  let extra = 0;
  for (let batch = a.pollPackets(); batch !== undefined; batch = a.pollPackets()) extra += batch.length;
  assert.ok(extra <= PACING_OVERDRAFT_BYTES, `overdraft ${extra}`);
  // Over time both channels together keep to the rate: the overdraft is paid back.
  let sent = 0;
  const start = clock.now();
  for (let step = 0; step < 200; step++) {
    if (step % 10 === 0) a.enqueue(2, new Uint8Array(500));
    for (let batch = a.pollPackets(); batch !== undefined; batch = a.pollPackets()) sent += batch.length;
    await clock.advance(Math.max(1, Math.min(a.nextTimerAt() - clock.now(), 50)));
  }
  const elapsed = (clock.now() - start) / 1000;
  assert.ok(sent <= rate * elapsed + PACING_OVERDRAFT_BYTES + 1_040, `sent ${sent} in ${elapsed}s`);
  assert.ok(sent >= rate * elapsed * 0.8, `sent ${sent} in ${elapsed}s`);
});

test('the light channel is judged by priority: a vote channel sending more bytes than a block channel stays light', () => {
  const clock = new ManualClock();
  const a = core(
    [
      { id: 1, priority: 1, sendQueueCapacity: 400 },
      { id: 2, priority: 10, sendQueueCapacity: 400 },
    ],
    clock,
    { sendRate: 20_000 },
  );
  // Lately the vote channel sent 3x what the bulk channel did, under a tenth of its share.
  for (let i = 0; i < 3; i++) a.enqueue(2, new Uint8Array(1000));
  a.enqueue(1, new Uint8Array(1000));
  while (a.pollPackets() !== undefined);
  for (let i = 0; i < 20; i++) a.enqueue(1, new Uint8Array(10_000));
  while (a.pollPackets() !== undefined);
  a.enqueue(2, new Uint8Array(500));
  assert.ok(a.pollPackets() !== undefined, 'the vote goes into the overdraft');
});

test('send rate limit: data still queued when the bucket refills is polled soon, not at the keep-alive deadline', async () => {
  const clock = new ManualClock();
  const a = core([{ id: 1, sendQueueCapacity: 4 }], clock, { sendRate: 20_000 });
  a.enqueue(1, new Uint8Array(200_000));
  while (a.pollPackets() !== undefined);
  // The clock moves on past the refill without a poll (the owner's timer fired late, or a millisecond
  // ticked between its poll and its nextTimerAt call): the next poll is due now, not in a minute.
  await clock.advance(1_000);
  assert.ok(a.hasPendingSend());
  assert.ok(a.nextTimerAt() - clock.now() <= 1, `next poll in ${a.nextTimerAt() - clock.now()} ms`);
});

test('receive rate limit asks the owner to pause reading once the debt passes the slack', () => {
  const clock = new ManualClock();
  // 10,000 B/s: a 1,000-byte bucket, so these bytes put it in debt by about their size.
  const b = core([{ id: 1, sendQueueCapacity: 4 }], clock, { recvRate: 10_000 });
  assert.equal(b.recvPauseMs(), 0);
  const a = core([{ id: 1, sendQueueCapacity: 4 }]);
  a.enqueue(1, new Uint8Array(RECV_RATE_SLACK_BYTES - 2000));
  for (const batch of drain(a)) b.receiveBytes(batch);
  assert.equal(b.recvPauseMs(), 0, 'a clump under the slack: reading goes on');
  a.enqueue(1, new Uint8Array(4000));
  for (const batch of drain(a)) b.receiveBytes(batch);
  // The debt is now past the slack: the pause lasts until it is paid back (~1.8 s at 10 kB/s).
  const pause = b.recvPauseMs();
  assert.ok(pause > 1500 && pause < 2000, `pause ${pause}`);
});

test('close drops everything and later calls fail with ERR_CLOSED', () => {
  const a = core([{ id: 1, sendQueueCapacity: 4 }]);
  a.enqueue(1, new Uint8Array(3000));
  a.enqueue(1, new Uint8Array(3000));
  a.close();
  assert.equal(a.hasPendingSend(), false);
  assert.equal(a.pollPackets(), undefined);
  assert.throws(() => a.enqueue(1, fromHex('00')), isError(ErrorCode.Closed));
  assert.throws(() => a.receiveBytes(fromHex('020a00')), isError(ErrorCode.Closed));
});

test('an idle connection core with the standard channels stays far below 16 KiB of heap', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const clock = new ManualClock();
  const count = 400;
  const keep: MConnectionCore[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) keep.push(core(STANDARD_CHANNELS, clock));
  gc();
  const perCore = (process.memoryUsage().heapUsed - before) / count;
  assert.equal(keep.length, count);
  assert.ok(perCore < 8 * 1024, `idle core uses ${Math.round(perCore)} bytes`);
  // After traffic, no receive buffer stays behind.
  const a = core(STANDARD_CHANNELS, clock);
  a.enqueue(0x40, new Uint8Array(300_000));
  const b = keep[0]!;
  assert.equal(pipe(a, b).length, 1);
  assert.ok(b.channelStats().every((s) => s.pendingReceiveBytes === 0));
});

test('fuzz: the receive path throws only PeerwireError on random bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200, size: 'max' }), { maxLength: 4 }), (chunks) => {
      const b = core([{ id: 0 }, { id: 1, recvMessageCapacity: 100 }, { id: 0x30 }]);
      try {
        for (const chunk of chunks) b.receiveBytes(chunk);
      } catch (error) {
        assert.ok(error instanceof PeerwireError, `unexpected ${String(error)}`);
        assert.equal(error.action, 'disconnect');
      }
    }),
    { numRuns: fuzzRuns() },
  );
});
