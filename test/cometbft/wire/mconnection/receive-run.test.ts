// The receive path's runs (MConnectionCore.receiveRun): packets read in place in a transient chunk
// deliver exactly what the general path delivers from the same bytes, under any split of the stream,
// with pings, pongs, non-canonical packets and channel changes breaking the runs, and nothing delivered
// still refers to a chunk once the call returned (the caller reuses it at once).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../../../src/core/clock.ts';
import { PeerwireError } from '../../../../src/core/errors.ts';
import type { InboundMessage } from '../../../../src/transport/types.ts';
import { MConnectionCore } from '../../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import {
  PING_WIRE,
  PONG_WIRE,
  writeDelimitedPacketMsg,
} from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fcRuns, hex } from '../vectors.ts';

const CHANNELS = [
  { id: 0, sendQueueCapacity: 50 },
  { id: 0x22, priority: 7, sendQueueCapacity: 50 },
  { id: 0x7f, priority: 3, sendQueueCapacity: 50 },
];

function core(): MConnectionCore {
  return new MConnectionCore({ channels: CHANNELS, clock: new ManualClock() });
}

/** A length-prefixed PacketMsg with its fields in a non-canonical order (data, eof, channel). */
function reorderedPacket(channelId: number, eof: boolean, data: Uint8Array): Uint8Array {
  const body = [
    0x1a,
    ...varint(data.length),
    ...data,
    ...(eof ? [0x10, 1] : []),
    ...(channelId ? [0x08, channelId] : []),
  ];
  const packet = [0x1a, ...varint(body.length), ...body];
  return Uint8Array.from([...varint(packet.length), ...packet]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function canonicalPacket(channelId: number, eof: boolean, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  return out.subarray(0, writeDelimitedPacketMsg(out, 0, channelId, eof, data));
}

/** Feeds `chunks` to a fresh core; transient chunks are scribbled over after each call, as the opener does. */
function receiveAll(
  chunks: readonly Uint8Array[],
  transient: boolean,
): { got: InboundMessage[]; core: MConnectionCore } {
  const c = core();
  const got: InboundMessage[] = [];
  for (const chunk of chunks) {
    const own = new Uint8Array(chunk);
    got.push(...c.receiveBytes(own, transient));
    if (transient) own.fill(0xee);
  }
  return { got, core: c };
}

test('property: runs read in place deliver what the general path delivers, under any split', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          channel: fc.constantFrom(0, 0x22, 0x7f),
          // Sizes over the whole range (fast-check's arrays stay short unless told otherwise).
          bytes: fc.uint8Array({ maxLength: 5000, size: 'max' }),
          // Packets of this message that go non-canonical, and pings or pongs put between its packets.
          reordered: fc.array(fc.nat(6), { maxLength: 2 }),
          control: fc.array(fc.tuple(fc.nat(6), fc.boolean()), { maxLength: 2 }),
        }),
        { maxLength: 8 },
      ),
      fc.array(fc.nat(), { maxLength: 12, size: 'max' }),
      fc.boolean(),
      (messages, cuts, interleave) => {
        // Each message cut into packets of at most 1024 bytes; with `interleave`, the packets of
        // consecutive messages (on different channels) alternate, as the scheduler interleaves them.
        const perMessage = messages.map((m) => {
          const packets: Uint8Array[] = [];
          const count = Math.max(1, Math.ceil(m.bytes.length / 1024));
          for (let k = 0; k < count; k++) {
            const data = m.bytes.subarray(k * 1024, (k + 1) * 1024);
            const eof = k === count - 1;
            for (const [at, ping] of m.control) if (at === k) packets.push(ping ? PING_WIRE : PONG_WIRE);
            packets.push(
              m.reordered.includes(k)
                ? reorderedPacket(m.channel, eof, data)
                : canonicalPacket(m.channel, eof, data),
            );
          }
          return packets;
        });
        const order: Uint8Array[] = [];
        if (interleave) {
          // Two messages on one channel may not interleave: only alternate neighbours on different ones.
          for (let i = 0; i < perMessage.length; i++) {
            const next = perMessage[i + 1];
            if (next !== undefined && messages[i]!.channel !== messages[i + 1]!.channel) {
              const a = perMessage[i]!;
              for (let k = 0; k < Math.max(a.length, next.length); k++) {
                if (k < a.length) order.push(a[k]!);
                if (k < next.length) order.push(next[k]!);
              }
              i++;
            } else order.push(...perMessage[i]!);
          }
        } else for (const packets of perMessage) order.push(...packets);
        const stream = Buffer.concat(order);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
        const chunks: Uint8Array[] = [];
        let last = 0;
        for (const p of [...points, stream.length]) {
          chunks.push(stream.subarray(last, p));
          last = p;
        }
        const run = receiveAll(chunks, true);
        const general = receiveAll(chunks, false);
        assert.deepEqual(
          run.got.map((m) => [m.channelId, hex(m.bytes)]),
          general.got.map((m) => [m.channelId, hex(m.bytes)]),
        );
        assert.equal(run.core.packetsReceived, general.core.packetsReceived);
        for (const ch of [0, 0x22, 0x7f]) {
          assert.deepEqual(
            run.got.filter((m) => m.channelId === ch).map((m) => hex(m.bytes)),
            messages.filter((m) => m.channel === ch).map((m) => hex(m.bytes)),
          );
        }
      },
    ),
    // No shrinking: a counterexample of several 5 KB messages takes minutes to shrink.
    { numRuns: fcRuns(200), endOnFailure: true },
  );
});

test('a run refuses what the general path refuses: an unknown channel, an oversized packet, too large a message', () => {
  const cases: [string, Uint8Array][] = [
    ['unknown channel', canonicalPacket(0x33, true, new Uint8Array(10))],
    ['oversized packet', canonicalPacket(0x22, false, new Uint8Array(1100))],
  ];
  for (const [what, bytes] of cases) {
    const errors = [true, false].map((transient) => {
      try {
        core().receiveBytes(new Uint8Array(bytes), transient);
        return 'none';
      } catch (error) {
        assert.ok(error instanceof PeerwireError, what);
        return error.code;
      }
    });
    assert.notEqual(errors[0], 'none', what);
    assert.equal(errors[0], errors[1], what);
  }
});
