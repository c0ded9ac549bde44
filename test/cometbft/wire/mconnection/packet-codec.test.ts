// The hand-written Packet codec: wire vectors, byte equality with the generated @bufbuild encoder,
// zero-copy decoding, strict errors, and fuzzing (only PeerwireError, no copies of the input).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../../../src/core/errors.ts';
import { PacketSchema } from '../../../../src/cometbft/gen/cometbft/p2p/v1/conn_pb.ts';
import { MConnErrorCode } from '../../../../src/cometbft/wire/mconnection/mconn-errors.ts';
import {
  MAX_PACKET_SIZE,
  PING,
  PING_WIRE,
  PONG,
  PONG_WIRE,
  decodePacket,
  delimitedPacketMsgSize,
  encodePacket,
  packetMsgPacketSize,
  writeDelimitedPacketMsg,
  type Packet,
} from '../../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fcRuns, fromHex, fuzzRuns, hex } from '../vectors.ts';

function generated(packet: Packet): Uint8Array {
  const message =
    packet.kind === 'ping'
      ? create(PacketSchema, { sum: { case: 'packetPing', value: {} } })
      : packet.kind === 'pong'
        ? create(PacketSchema, { sum: { case: 'packetPong', value: {} } })
        : create(PacketSchema, {
            sum: {
              case: 'packetMsg',
              value: { channelId: packet.channelId, eof: packet.eof, data: packet.data },
            },
          });
  return toBinary(PacketSchema, message);
}

const packetArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.constant(PING),
  fc.constant(PONG),
  fc.record({
    kind: fc.constant('msg' as const),
    channelId: fc.integer({ min: 0, max: 255 }),
    eof: fc.boolean(),
    data: fc.uint8Array({ maxLength: 1200, size: 'max' }),
  }),
);

function expectError(fn: () => unknown, code: string): void {
  assert.throws(
    fn,
    (error: unknown) =>
      error instanceof PeerwireError && error.code === code && error.action === 'disconnect',
  );
}

test('wire constants and spec examples', () => {
  assert.equal(hex(PING_WIRE), '020a00');
  assert.equal(hex(PONG_WIRE), '021200');
  assert.equal(MAX_PACKET_SIZE, 1034);
  // A PexRequest on channel 0 in one packet: channel id omitted.
  const pex = encodePacket({ kind: 'msg', channelId: 0, eof: true, data: fromHex('0a00') }, true);
  assert.equal(hex(pex), '081a0610011a020a00');
  // An empty message: one packet, eof only.
  assert.equal(
    hex(encodePacket({ kind: 'msg', channelId: 0x30, eof: true, data: new Uint8Array(0) })),
    '1a0408301001',
  );
  // A full chunk on channel >= 0x80 is one byte over the receive limit (why such channels send 1023).
  assert.equal(packetMsgPacketSize(0x80, true, 1024), 1035);
});

test('hand encoder equals the generated @bufbuild encoder, and both decode each other', () => {
  fc.assert(
    fc.property(packetArb, (packet) => {
      const ours = encodePacket(packet);
      const theirs = generated(packet);
      assert.equal(hex(ours), hex(theirs));
      const back = decodePacket(theirs);
      assert.deepEqual(
        back.kind === 'msg' ? { ...back, data: hex(back.data) } : back,
        packet.kind === 'msg' ? { ...packet, data: hex(packet.data) } : packet,
      );
      const parsed = fromBinary(PacketSchema, ours);
      assert.equal(
        parsed.sum.case,
        packet.kind === 'ping' ? 'packetPing' : packet.kind === 'pong' ? 'packetPong' : 'packetMsg',
      );
    }),
    { numRuns: fcRuns(500) },
  );
});

test('the canonical fast path and the general decoder agree', () => {
  fc.assert(
    fc.property(packetArb, (packet) => {
      const canonical = encodePacket(packet);
      // A trailing unknown field (field 5, varint) forces the general path.
      const general = Uint8Array.from([...canonical, 0x28, 0x00]);
      const a = decodePacket(canonical);
      const b = decodePacket(general);
      assert.deepEqual(
        a.kind === 'msg' ? { ...a, data: hex(a.data) } : a,
        b.kind === 'msg' ? { ...b, data: hex(b.data) } : b,
      );
    }),
    { numRuns: fcRuns(500) },
  );
});

test('writeDelimitedPacketMsg writes into a reused buffer at an offset', () => {
  const out = new Uint8Array(4096).fill(0xee);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      fc.uint8Array({ maxLength: 1024, size: 'max' }),
      fc.integer({ min: 0, max: 1000 }),
      (ch, eof, data, offset) => {
        const end = writeDelimitedPacketMsg(out, offset, ch, eof, data);
        assert.equal(end - offset, delimitedPacketMsgSize(ch, eof, data.length));
        assert.equal(
          hex(out.subarray(offset, end)),
          hex(encodePacket({ kind: 'msg', channelId: ch, eof, data }, true)),
        );
      },
    ),
    { numRuns: fcRuns(300) },
  );
});

test('decoding is zero-copy', () => {
  const wire = encodePacket({ kind: 'msg', channelId: 7, eof: true, data: new Uint8Array([1, 2, 3]) });
  const packet = decodePacket(wire);
  assert.equal(packet.kind, 'msg');
  if (packet.kind === 'msg') {
    assert.equal(packet.data.buffer, wire.buffer);
    assert.equal(packet.data.byteOffset, wire.byteOffset + wire.length - 3);
  }
});

test('decoder follows protobuf rules: any field order, last wins, unknown fields skipped', () => {
  // eof before channel id, data, then an unknown varint field 9 and unknown bytes field 10.
  const p = decodePacket(fromHex('1a0d' + '1001' + '0830' + '1a03616263' + '4801' + '5200'));
  assert.deepEqual(p.kind === 'msg' ? [p.channelId, p.eof, Buffer.from(p.data).toString()] : [], [
    0x30,
    true,
    'abc',
  ]);
  // Unknown top-level field next to a ping.
  assert.equal(decodePacket(fromHex('0a00' + '2005')).kind, 'ping');
  // Ping then pong: the last oneof wins.
  assert.equal(decodePacket(fromHex('0a001200')).kind, 'pong');
  // Channel id as a multi-byte varint whose low 32 bits are 1 (Go truncates int32).
  const wide = decodePacket(fromHex('1a06' + '088180808010'));
  assert.equal(wide.kind === 'msg' ? wide.channelId : -1, 1);
});

test('decoder rejects malformed packets with typed errors', () => {
  expectError(() => decodePacket(new Uint8Array(0)), MConnErrorCode.UnknownPacket);
  expectError(() => decodePacket(fromHex('2005')), MConnErrorCode.UnknownPacket); // only unknown fields
  expectError(() => decodePacket(fromHex('0a')), ErrorCode.Malformed); // truncated length
  expectError(() => decodePacket(fromHex('0a05')), ErrorCode.Malformed); // length past end
  expectError(() => decodePacket(fromHex('0800')), ErrorCode.Malformed); // field 1 as varint
  expectError(() => decodePacket(fromHex('0000')), ErrorCode.Malformed); // field number 0
  expectError(() => decodePacket(fromHex('1a021a')), ErrorCode.Malformed); // data length truncated
  expectError(() => decodePacket(fromHex('1a021a05')), ErrorCode.Malformed); // data past end
  expectError(() => decodePacket(fromHex('0b')), ErrorCode.Malformed); // group wire type
  expectError(() => decodePacket(fromHex('1a0c08ffffffffffffffffff01')), ErrorCode.Malformed); // 11-byte varint
  expectError(() => decodePacket(fromHex('1a03088002')), ErrorCode.UnknownChannel); // channel 256
  expectError(() => decodePacket(fromHex('1a0b08ffffffffffffffffff01')), ErrorCode.UnknownChannel); // channel -1
});

test('fuzz: decodePacket throws only PeerwireError and never copies', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1100, size: 'max' }), (bytes) => {
      try {
        const packet = decodePacket(bytes);
        if (packet.kind === 'msg' && packet.data.length > 0) assert.equal(packet.data.buffer, bytes.buffer);
      } catch (error) {
        assert.ok(error instanceof PeerwireError, `unexpected ${String(error)}`);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

test('fuzz: mutated valid packets throw only PeerwireError', () => {
  fc.assert(
    fc.property(
      packetArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      (packet, edits) => {
        const bytes = encodePacket(packet);
        for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
        try {
          decodePacket(bytes);
        } catch (error) {
          assert.ok(error instanceof PeerwireError, `unexpected ${String(error)}`);
        }
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
