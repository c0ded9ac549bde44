// A channel's run of packets (ChannelState.writePacketRun) against the same packets written one by one:
// the same bytes at the same places, for any message sizes, payload size, channel id and room, whatever
// the buffer held before.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { channelDescriptor } from '../../../../src/cometbft/wire/mconnection/channel-descriptor.ts';
import { ChannelState } from '../../../../src/cometbft/wire/mconnection/channel-state.ts';
import { fcRuns } from '../vectors.ts';

function channel(id: number, payload: number): ChannelState {
  return new ChannelState(channelDescriptor({ id, priority: 1, sendQueueCapacity: 10 }), payload);
}

test('property: a run of packets writes the bytes writeNextPacket writes, packet by packet', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: 2048 }),
      fc.array(fc.integer({ min: 0, max: 9000 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 0, max: 12_000 }), { minLength: 1, maxLength: 30, size: 'max' }),
      (id, payload, sizes, rooms) => {
        const run = channel(id, payload);
        const single = channel(id, payload);
        for (const [m, size] of sizes.entries()) {
          const message = new Uint8Array(size).map((_, i) => (i * 7 + m * 13) & 0xff);
          assert.ok(run.enqueue(message));
          assert.ok(single.enqueue(message));
        }
        // Data bytes the reference has left of the message it is on (its own bookkeeping).
        let message = 0;
        let left = sizes[0]!;
        let turn = 0;
        while (run.hasPending()) {
          const first = run.nextPacketSize();
          assert.equal(single.nextPacketSize(), first);
          // Room for the first packet at least (the caller's check), and up to many more.
          const end = 3 + first + rooms[turn++ % rooms.length]!;
          const garbage = new Uint8Array(end + 16).map((_, i) => (i * 131 + turn) & 0xff);
          const a = garbage.slice();
          const b = garbage.slice();
          const endA = run.writePacketRun(a, 3, end);
          // The reference: one packet at a time while the next fits, stopping after a message's last.
          let endB = 3;
          for (;;) {
            endB = single.writeNextPacket(b, endB);
            const eof = left <= payload;
            left -= Math.min(left, payload);
            if (eof) {
              left = sizes[++message] ?? 0;
              break;
            }
            if (endB + single.nextPacketSize() > end) break;
          }
          assert.equal(endA, endB, 'end position');
          assert.deepEqual(a, b, 'bytes, including those around the packets');
        }
        assert.equal(single.hasPending(), false);
        assert.equal(message, sizes.length);
      },
    ),
    { numRuns: fcRuns(300) },
  );
});

test('a run takes a last packet that ends exactly at the room it has, and not one byte past it', () => {
  const message = new Uint8Array(3000).fill(9);
  const sizes = [1024, 1024, 952];
  for (const spare of [0, -1]) {
    const state = channel(0x40, 1024);
    state.enqueue(message);
    // Sizes of the three packets as writeNextPacket writes them.
    const probe = channel(0x40, 1024);
    probe.enqueue(message);
    const packetSizes = sizes.map(() => {
      const size = probe.nextPacketSize();
      probe.writeNextPacket(new Uint8Array(2048), 0);
      return size;
    });
    const all = packetSizes.reduce((a, b) => a + b, 0);
    const out = new Uint8Array(all);
    const end = state.writePacketRun(out, 0, all + spare);
    assert.equal(end, spare === 0 ? all : packetSizes[0]! + packetSizes[1]!);
    assert.equal(state.hasPending(), spare !== 0);
  }
});
