// Delay-based pacing: the window arithmetic of SendPacer (opens on pongs, grows while two round trips
// in a row are under the queueing target, shrinks when two are over it, holds when they disagree,
// never leaves its bounds, a deeper target while the link is not shared), and a paced MConnectionCore:
// one busy channel gets the sole target and a second one brings the tight target back for 10 s, bytes in flight stay within window +
// overdraft, a light high-priority channel overtakes a saturating one without waiting for a pong,
// probes are plain PacketPings, a peer that never answers gets no more data and trips the pong
// deadline, and two paced cores exchanging random traffic deliver everything in order.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../../src/core/clock.ts';
import { MConnErrorCode } from '../../../../src/cometbft/wire/mconnection/mconn-errors.ts';
import {
  MConnectionCore,
  PACING_OVERDRAFT_BYTES,
} from '../../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import { DelimitedReader } from '../../../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { decodePacket, PONG_WIRE } from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import {
  INITIAL_WINDOW_BYTES,
  MAX_WINDOW_BYTES,
  MIN_TARGET_QUEUE_MS,
  MIN_WINDOW_BYTES,
  SendPacer,
} from '../../../../src/transport/send-pacer.ts';
import { SHARED_LINK_MEMORY_MS } from '../../../../src/cometbft/wire/mconnection/channel-choice.ts';
import { fcRuns } from '../vectors.ts';

const BULK = 0x40;
const VOTE = 0x22;

test('the window closes after one window of bytes and a pong reopens it', () => {
  const pacer = new SendPacer();
  assert.equal(pacer.room, INITIAL_WINDOW_BYTES);
  assert.equal(pacer.wantsProbe, false, 'nothing in flight: no probe');
  pacer.onWritten(INITIAL_WINDOW_BYTES);
  assert.equal(pacer.room, 0);
  assert.equal(pacer.wantsProbe, true);
  pacer.onProbeWritten(0);
  assert.equal(pacer.wantsProbe, false, 'one probe outstanding at a time');
  assert.equal(pacer.onPong(0.1), true);
  assert.equal(pacer.inFlight, 0);
  assert.ok(pacer.room >= INITIAL_WINDOW_BYTES, 'the window is open again (and grew: no queueing)');
  assert.equal(pacer.onPong(0.2), false, 'an unsolicited pong moves nothing');
});

/** Drives one probe round trip of `rttMs` after filling the window; returns the window after it. */
function rounds(pacer: SendPacer): (rttMs: number) => number {
  let now = 0;
  return (rttMs) => {
    pacer.onWritten(Math.max(1, pacer.room));
    pacer.onProbeWritten(now);
    now += rttMs;
    pacer.onPong(now);
    return pacer.windowBytes;
  };
}

test('the window grows while the queueing delay is under target and shrinks when it is over', () => {
  const pacer = new SendPacer();
  const round = rounds(pacer);
  const first = round(0.1);
  assert.equal(first, INITIAL_WINDOW_BYTES, 'one sample moves nothing');
  const grown = round(0.1);
  assert.ok(grown > first, 'two round trips with no queueing: grows');
  assert.equal(round(5), grown, 'one slow round trip (a scavenge, a descheduled reader) holds the window');
  const cut = round(5); // the second in a row: 4.9 ms over a 0.1 ms base
  assert.equal(cut, Math.floor(grown / 2), 'a standing queue: cut, at most halved');
  assert.equal(round(5), cut, 'a sample that may predate the cut does not cut again');
  let w = cut;
  for (let i = 0; i < 100; i++) w = round(5);
  assert.equal(w, MIN_WINDOW_BYTES, 'never below the floor');
  for (let i = 0; i < 400; i++) w = round(0.1);
  assert.equal(w, MAX_WINDOW_BYTES, 'never above the ceiling');
});

test('the window moves only when the last two round trips agree', () => {
  const pacer = new SendPacer();
  const round = rounds(pacer);
  round(0.1);
  round(0.1); // base round trip 0.1 ms; grown once
  const held = pacer.windowBytes;
  // Spikes that never stand for two samples neither cut nor grow it.
  for (let i = 0; i < 6; i++) assert.equal(round(i % 2 === 0 ? 3 : 0.1), held, `round ${i}`);
  // Two over target in a row cut in proportion: 1.4 times the target over the base cuts to 1/1.4 of it.
  const over = 1.4 * MIN_TARGET_QUEUE_MS;
  round(0.1 + over);
  const before = pacer.windowBytes;
  const after = round(0.1 + over);
  assert.equal(after, Math.floor(before * (MIN_TARGET_QUEUE_MS / over)), `${before} -> ${after}`);
});

test('a link to itself gets the deeper sole target; sharing it brings the tight one back and cuts the window', () => {
  const sole = new SendPacer();
  sole.setShared(false);
  const shared = new SendPacer();
  const soleRound = rounds(sole);
  const sharedRound = rounds(shared);
  for (const round of [soleRound, sharedRound]) {
    round(0.1);
    round(0.1); // base round trip 0.1 ms
  }
  const start = sole.windowBytes;
  assert.equal(shared.windowBytes, start);
  // 0.5 ms of queueing: over the shared target, under the sole one (0.75 ms).
  for (let i = 0; i < 8; i++) {
    soleRound(0.6);
    sharedRound(0.6);
  }
  assert.ok(sole.windowBytes > 2 * start, `sole: grew to ${sole.windowBytes}`);
  assert.ok(shared.windowBytes < start, `shared: cut to ${shared.windowBytes}`);
  sole.setShared(true);
  assert.equal(sole.windowBytes, INITIAL_WINDOW_BYTES, 'a second flow: back to the initial window at once');
  soleRound(0.6);
  const cut = soleRound(0.6);
  assert.ok(cut < INITIAL_WINDOW_BYTES, `and the tight target cuts from there: ${cut}`);
  sole.setShared(true);
  assert.equal(sole.windowBytes, cut, 'saying shared again changes nothing');
});

test('an unused window does not grow', () => {
  const pacer = new SendPacer();
  for (let i = 0; i < 20; i++) {
    pacer.onWritten(1024); // a trickle, far below the window
    pacer.onProbeWritten(i);
    pacer.onPong(i + 0.1);
  }
  assert.equal(pacer.windowBytes, INITIAL_WINDOW_BYTES);
});

test('property: the window stays in bounds and room never exceeds the window', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          write: fc.nat(200_000),
          rtt: fc.double({ min: 0, max: 50, noNaN: true }),
          shared: fc.boolean(),
        }),
        { maxLength: 200, size: 'max' },
      ),
      (steps) => {
        const pacer = new SendPacer();
        let now = 0;
        for (const { write, rtt, shared } of steps) {
          pacer.setShared(shared);
          pacer.onWritten(write);
          pacer.onProbeWritten(now);
          now += rtt;
          pacer.onPong(now);
          assert.ok(pacer.windowBytes >= MIN_WINDOW_BYTES && pacer.windowBytes <= MAX_WINDOW_BYTES);
          assert.ok(pacer.room <= pacer.windowBytes);
          assert.equal(pacer.inFlight, 0);
        }
      },
    ),
    { numRuns: fcRuns(200) },
  );
});

// ---- a paced core -------------------------------------------------------------------------------------

function pacedCore(clock = new ManualClock()): MConnectionCore {
  return new MConnectionCore({
    channels: [
      { id: BULK, priority: 1, sendQueueCapacity: 1000, recvMessageCapacity: 1 << 20 },
      { id: VOTE, priority: 10, sendQueueCapacity: 1000 },
    ],
    clock,
    pacing: true,
  });
}

/** Decodes every packet of a batch (kind and channel). */
function packets(batch: Uint8Array): { kind: string; channelId?: number }[] {
  const reader = new DelimitedReader(2048);
  reader.push(batch);
  const out: { kind: string; channelId?: number }[] = [];
  for (let p = reader.next(); p !== undefined; p = reader.next()) {
    const packet = decodePacket(p);
    out.push(packet.kind === 'msg' ? { kind: 'msg', channelId: packet.channelId } : { kind: packet.kind });
  }
  return out;
}

test('paced: in flight stays within window + overdraft; a probe ping follows the data; a pong reopens', () => {
  const sender = pacedCore();
  for (let i = 0; i < 100; i++) assert.ok(sender.enqueue(BULK, new Uint8Array(64 * 1024)));
  const out = new Uint8Array(64 * 1024);
  const seen: { kind: string; channelId?: number }[] = [];
  let written = 0;
  for (let i = 0; i < 10; i++) {
    const end = sender.pollInto(out);
    written += end;
    seen.push(...packets(out.subarray(0, end)));
  }
  assert.ok(written <= INITIAL_WINDOW_BYTES + 2 * 1100, `wrote ${written} bytes without a pong`);
  assert.ok(written >= INITIAL_WINDOW_BYTES - 1100);
  assert.ok(seen.findIndex((p) => p.kind === 'ping') > 0, 'the probe follows the data');
  assert.equal(seen.filter((p) => p.kind === 'ping').length, 1, 'one probe outstanding');
  assert.equal(sender.pollInto(out), 0, 'window closed: nothing more');
  sender.receiveBytes(PONG_WIRE);
  assert.ok(sender.pollInto(out) > 0, 'the pong reopened the window');
});

test('paced: a light high-priority channel overtakes without waiting for the pong', () => {
  const sender = pacedCore();
  for (let i = 0; i < 10; i++) sender.enqueue(BULK, new Uint8Array(64 * 1024));
  const out = new Uint8Array(64 * 1024);
  while (sender.pollInto(out) > 0);
  sender.enqueue(VOTE, new Uint8Array(1000));
  const end = sender.pollInto(out);
  assert.deepEqual(packets(out.subarray(0, end)), [{ kind: 'msg', channelId: VOTE }]);
  assert.equal(sender.pollInto(out), 0, 'the bulk channel still waits');
  // The overdraft is bounded: a flood on the light channel stops within it.
  for (let i = 0; i < 20; i++) sender.enqueue(VOTE, new Uint8Array(1000));
  let extra = 0;
  for (let n = sender.pollInto(out); n > 0; n = sender.pollInto(out)) extra += n;
  assert.ok(extra <= PACING_OVERDRAFT_BYTES, `overdraft ${extra}`);
});

test('paced: one busy channel gets the sole target; a second one brings the tight target back for 10 s', async () => {
  const clock = new ManualClock();
  const sender = pacedCore(clock);
  for (let i = 0; i < 400; i++) sender.enqueue(BULK, new Uint8Array(64 * 1024));
  const out = new Uint8Array(64 * 1024);
  const windowBytes = (): number => sender.pacingStats()!.windowBytes;
  /** Writes until the window closes, then answers the probe after `rttMs`; returns the window. */
  const round = async (rttMs: number): Promise<number> => {
    for (let i = 0; i < 1000 && sender.pollInto(out) > 0; i++);
    await clock.advance(rttMs);
    sender.receiveBytes(PONG_WIRE);
    return windowBytes();
  };
  await round(0);
  await round(0); // base round trip 0
  const start = windowBytes();
  for (let i = 0; i < 6; i++) await round(0.5); // 0.5 ms of queueing: under the sole target only
  assert.ok(windowBytes() > 2 * start, `one channel: the window grew to ${windowBytes()}`);
  const grown = windowBytes();
  sender.enqueue(VOTE, new Uint8Array(1000));
  const inFlight = sender.pacingStats()!.inFlight;
  const end = sender.pollInto(out);
  const first = packets(out.subarray(0, end)).find((p) => p.kind === 'msg');
  assert.equal(first?.channelId, VOTE, 'the vote goes first');
  assert.equal(
    windowBytes(),
    Math.min(grown, Math.max(INITIAL_WINDOW_BYTES, inFlight)),
    'a second channel: the window stops at the bytes in flight (no more bulk), the vote uses its overdraft',
  );
  for (let i = 0; i < 4; i++) await round(0.5);
  assert.ok(windowBytes() < INITIAL_WINDOW_BYTES, `the tight target cuts it: ${windowBytes()}`);
  await clock.advance(SHARED_LINK_MEMORY_MS - 10);
  const held = windowBytes();
  await round(0.5);
  await round(0.5);
  assert.ok(
    windowBytes() <= held,
    `within 10 s of the vote it still counts as shared: ${held} -> ${windowBytes()}`,
  );
  await clock.advance(10);
  const before = windowBytes();
  await round(0.5);
  await round(0.5);
  assert.ok(
    windowBytes() > before,
    `10 s after the vote the sole target is back: ${before} -> ${windowBytes()}`,
  );
});

test('paced: a peer that never answers gets no more data, and the pong deadline closes it', async () => {
  const clock = new ManualClock();
  const sender = pacedCore(clock);
  for (let i = 0; i < 10; i++) sender.enqueue(BULK, new Uint8Array(64 * 1024));
  const out = new Uint8Array(64 * 1024);
  while (sender.pollInto(out) > 0);
  assert.ok(sender.nextTimerAt() <= clock.now() + 45_000, 'the probe started a pong deadline');
  await clock.advance(45_000);
  assert.throws(
    () => sender.onTimer(),
    (e: unknown) => (e as { code?: string }).code === MConnErrorCode.PongTimeout,
  );
});

test('property: two paced cores deliver random traffic in order, and in flight stays bounded', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ vote: fc.boolean(), size: fc.nat(70_000) }), {
        minLength: 1,
        maxLength: 40,
        size: 'max',
      }),
      fc.integer({ min: 1, max: 8 }),
      (messages, readsPerRound) => {
        const clock = new ManualClock();
        const a = pacedCore(clock);
        const b = pacedCore(clock);
        const expected = messages.map((m, i) => ({
          channelId: m.vote ? VOTE : BULK,
          bytes: new Uint8Array(m.vote ? Math.min(m.size, 1000) : m.size).fill(i & 0xff),
        }));
        for (const m of expected) assert.ok(a.enqueue(m.channelId, m.bytes));
        const got: { channelId: number; bytes: Uint8Array }[] = [];
        const wire: Uint8Array[] = []; // a -> b, not yet read by b
        let inWire = 0;
        const buf = new Uint8Array(16 * 1024);
        for (let round = 0; round < 100_000 && got.length < expected.length; round++) {
          const end = a.pollInto(buf);
          if (end > 0) {
            wire.push(buf.slice(0, end));
            inWire += end;
          }
          const inFlight = a.pacingStats()!.inFlight;
          // Every unread data byte counts as in flight (a batch also holds at most a ping and a pong).
          assert.ok(inWire <= inFlight + 8 * wire.length, `unread ${inWire}, in flight ${inFlight}`);
          assert.ok(inFlight <= MAX_WINDOW_BYTES + PACING_OVERDRAFT_BYTES + 1100);
          // b reads a few batches per round (a slow reader), then answers the probes.
          for (let r = 0; r < readsPerRound && wire.length > 0; r++) {
            const chunk = wire.shift()!;
            inWire -= chunk.length;
            for (const m of b.receiveBytes(chunk))
              got.push({ channelId: m.channelId, bytes: m.bytes.slice() });
          }
          const back = b.pollPackets();
          if (back !== undefined) a.receiveBytes(back);
        }
        const order = (list: { channelId: number; bytes: Uint8Array }[], ch: number): Uint8Array[] =>
          list.filter((m) => m.channelId === ch).map((m) => m.bytes);
        assert.deepEqual(order(got, BULK), order(expected, BULK));
        assert.deepEqual(order(got, VOTE), order(expected, VOTE));
      },
    ),
    { numRuns: fcRuns(40) },
  );
});
