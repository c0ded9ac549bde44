// The MConnection receive hot path: packets read without copies when they lie in one frame, straddling
// packets gathered into a shared scratch buffer, messages that own their bytes, exact-size reassembly,
// and input the owner overwrites as soon as receiveBytes returns (the SecretConnection opener's buffer).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../../src/core/clock.ts';
import { DelimitedReader } from '../../../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { MConnectionCore } from '../../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import { writeVarint32, varintSize } from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fcRuns } from '../vectors.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function frame(messages: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + varintSize(m.length) + m.length, 0));
  let pos = 0;
  for (const m of messages) {
    pos = writeVarint32(out, pos, m.length);
    out.set(m, pos);
    pos += m.length;
  }
  return out;
}

test('nextTransient: same messages as next under any chunking; straddling ones in the shared scratch, no allocation', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300, size: 'max' }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12, size: 'max' }),
      (messages, cuts) => {
        const bytes = frame(messages);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const reader = new DelimitedReader(300);
        const got: string[] = [];
        let last = 0;
        for (const p of [...points, bytes.length]) {
          const chunk = bytes.subarray(last, p);
          last = p;
          reader.push(chunk);
          for (let m = reader.nextTransient(); m !== undefined; m = reader.nextTransient()) {
            if (!reader.lastTransient && m.length > 0) assert.equal(m.buffer, bytes.buffer);
            got.push(Buffer.from(m).toString('hex'));
          }
        }
        assert.deepEqual(
          got,
          messages.map((m) => Buffer.from(m).toString('hex')),
        );
        assert.equal(reader.allocatedBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});

const channels = [
  { id: 0x70, priority: 1, sendQueueCapacity: 1000, recvMessageCapacity: 1 << 20 },
  { id: 0x71, priority: 10, sendQueueCapacity: 10, recvMessageCapacity: 1 << 20 },
];

function stream(core: MConnectionCore): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let p = core.pollPackets(1 << 20); p !== undefined; p = core.pollPackets(1 << 20)) parts.push(p);
  return Buffer.concat(parts);
}

test('messages delivered from straddling packets own their bytes; repeated fragmented messages take one exact buffer', () => {
  const clock = new ManualClock();
  const tx = new MConnectionCore({ channels, clock });
  const rx = new MConnectionCore({ channels, clock });
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const m = new Uint8Array(i % 2 === 0 ? 1024 : 65536).fill(i);
    sent.push(m);
    tx.enqueue(0x70, m);
  }
  const bytes = stream(tx);
  const got: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 1024) {
    for (const m of rx.receiveBytes(bytes.slice(i, i + 1024))) got.push(m.bytes);
  }
  assert.equal(got.length, sent.length);
  for (let i = 0; i < sent.length; i++) assert.deepEqual(got[i], sent[i], `message ${i}`);
  // After the first 64 KiB message, the next ones are reassembled into exactly-sized buffers.
  for (let i = 3; i < sent.length; i += 2) assert.equal(got[i]!.buffer.byteLength, 65536);
});

test('a small message from a larger received buffer is copied into its own; one filling its buffer stays a view', () => {
  const clock = new ManualClock();
  const tx = new MConnectionCore({ channels, clock });
  const rx = new MConnectionCore({ channels, clock });
  const small = Uint8Array.of(7, 8, 9);
  const large = new Uint8Array(1000).fill(5);
  tx.enqueue(0x70, small);
  tx.enqueue(0x71, large);
  // Both packets in one 1028-byte buffer, as a frame's plaintext delivers them.
  const whole = stream(tx);
  const frameSized = new Uint8Array(1028);
  frameSized.set(whole);
  const got = rx.receiveBytes(frameSized.subarray(0, whole.length));
  assert.deepEqual(
    got.map((m) => m.channelId),
    [0x70, 0x71],
  );
  assert.deepEqual(got[0]!.bytes, small);
  assert.equal(got[0]!.bytes.buffer.byteLength, small.length, 'the 3-byte message owns exactly 3 bytes');
  assert.deepEqual(got[1]!.bytes, large);
  assert.equal(got[1]!.bytes.buffer, frameSized.buffer, 'the 1000-byte message is a view of the 1028 bytes');
});

test('property: transient input (overwritten right after each receiveBytes) yields intact messages that own their bytes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(0x70, 0x71), fc.uint8Array({ maxLength: 3000, size: 'max' })), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 12, size: 'max' }),
      (messages, cuts) => {
        const clock = new ManualClock();
        const tx = new MConnectionCore({ channels, clock });
        const rx = new MConnectionCore({ channels, clock });
        for (const [ch, m] of messages) assert.ok(tx.enqueue(ch, m));
        const bytes = stream(tx);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        // One buffer reused for every chunk, as the SecretConnection opener's shared buffer is.
        const reused = new Uint8Array(bytes.length);
        const got: { channelId: number; bytes: Uint8Array }[] = [];
        let last = 0;
        for (const p of [...points, bytes.length]) {
          reused.set(bytes.subarray(last, p));
          got.push(...rx.receiveBytes(reused.subarray(0, p - last), true));
          reused.fill(0xaa);
          last = p;
        }
        for (const m of got) assert.notEqual(m.bytes.buffer, reused.buffer, 'no message is a view of the input');
        for (const ch of [0x70, 0x71]) {
          assert.deepEqual(
            got.filter((m) => m.channelId === ch).map((m) => hex(m.bytes)),
            messages.filter(([c]) => c === ch).map(([, m]) => hex(m)),
          );
        }
      },
    ),
    { numRuns: fcRuns(200) },
  );
});

test('retainUnread copies a partial message out of the pushed chunks, bounded by that message', () => {
  const reader = new DelimitedReader(100);
  const chunk = new Uint8Array(frame([Uint8Array.of(1, 2, 3), new Uint8Array(90).fill(4)]));
  reader.push(chunk.subarray(0, 50));
  assert.deepEqual([...reader.nextTransient()!], [1, 2, 3]);
  assert.equal(reader.nextTransient(), undefined);
  reader.retainUnread();
  assert.equal(reader.bufferedBytes, 46, 'the prefix and 45 bytes of the 90-byte message');
  chunk.fill(0, 0, 50); // the owner reuses its buffer
  reader.push(chunk.subarray(50));
  assert.deepEqual(reader.next(), new Uint8Array(90).fill(4));
  reader.retainUnread();
  assert.equal(reader.bufferedBytes, 0);
});
