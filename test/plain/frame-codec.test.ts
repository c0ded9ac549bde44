// The plain wire's framing: round trips under any chunking (property), limits checked from the header
// before allocating, and a fuzz run showing the decoder throws nothing but typed errors.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../../src/plain/frame-codec.ts';

const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

interface Frame {
  channel: number;
  payload: Buffer;
}

function decodeAll(chunks: readonly Buffer[], maxPayload = 1 << 20): Frame[] {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({
    maxPayload: () => maxPayload,
    onFrame: (channel, payload) => frames.push({ channel, payload: Buffer.from(payload) }),
  });
  for (const chunk of chunks) decoder.push(chunk);
  assert.equal(decoder.bufferedBytes, 0);
  return frames;
}

/** Splits `bytes` at the given cut points (positions are taken modulo the length). */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
    (x, y) => x - y,
  );
  const out: Buffer[] = [];
  let last = 0;
  for (const point of points) {
    if (point > last) out.push(bytes.subarray(last, point));
    last = Math.max(last, point);
  }
  out.push(bytes.subarray(last));
  return out;
}

describe('plain frame codec', () => {
  it('encodes [u32 length][u16 channel][payload] big-endian', () => {
    const frame = encodeFrame(0x0102, Buffer.from('abc'));
    assert.deepEqual([...frame], [0, 0, 0, 3, 1, 2, 0x61, 0x62, 0x63]);
    assert.equal(encodeFrame(7, Buffer.alloc(0)).length, FRAME_HEADER_BYTES);
  });

  it('round-trips any frames under any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            channel: fc.integer({ min: 0, max: 0xffff }),
            payload: fc.uint8Array({ maxLength: 3000, size: 'max' }),
          }),
          { maxLength: 20, size: 'max' },
        ),
        fc.array(fc.nat(), { maxLength: 30, size: 'max' }),
        (frames, cuts) => {
          const wire = Buffer.concat(frames.map((f) => encodeFrame(f.channel, f.payload)));
          const decoded = decodeAll(split(wire, cuts));
          assert.equal(decoded.length, frames.length);
          decoded.forEach((frame, i) => {
            assert.equal(frame.channel, frames[i]!.channel);
            assert.ok(frame.payload.equals(frames[i]!.payload));
          });
        },
      ),
      { numRuns: FC_RUNS },
    );
  });

  it('delivers frames wholly inside a chunk as views, without copying', () => {
    const chunk = Buffer.concat([encodeFrame(1, Buffer.from('one')), encodeFrame(2, Buffer.from('two'))]);
    const views: Buffer[] = [];
    new FrameDecoder({ maxPayload: () => 100, onFrame: (_c, p) => views.push(p) }).push(chunk);
    assert.equal(views.length, 2);
    assert.equal(views[0]!.buffer, chunk.buffer);
  });

  it('refuses an oversize frame from its header, before any body arrives', () => {
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(0xffff_fff0, 0);
    header.writeUInt16BE(3, 4);
    const decoder = new FrameDecoder({ maxPayload: () => 1024, onFrame: () => assert.fail('no frame') });
    decoder.push(header.subarray(0, 3));
    assert.throws(
      () => decoder.push(header.subarray(3)),
      (error) => error instanceof PeerwireError && error.code === ErrorCode.FrameTooLarge,
    );
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('lets the handler refuse a channel from the header', () => {
    const refuse = new PeerwireError(ErrorCode.UnknownChannel, 'no');
    const decoder = new FrameDecoder({
      maxPayload: (channel) => {
        if (channel === 9) throw refuse;
        return 10;
      },
      onFrame: () => undefined,
    });
    assert.throws(
      () => decoder.push(encodeFrame(9, Buffer.alloc(5))),
      (error) => error === refuse,
    );
  });

  it('stops after halt()', () => {
    const frames: number[] = [];
    const decoder = new FrameDecoder({
      maxPayload: () => 10,
      onFrame: (channel) => {
        frames.push(channel);
        decoder.halt();
      },
    });
    decoder.push(Buffer.concat([encodeFrame(1, Buffer.alloc(1)), encodeFrame(2, Buffer.alloc(1))]));
    decoder.push(encodeFrame(3, Buffer.alloc(1)));
    assert.deepEqual(frames, [1]);
  });

  it('throws only PeerwireError on random input, and never buffers beyond the limit (fuzz)', () => {
    const limit = 4096;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 512, size: 'max' }), { maxLength: 8 }), (chunks) => {
        const decoder = new FrameDecoder({
          maxPayload: (channel) => (channel % 2 === 0 ? limit : 16),
          onFrame: () => undefined,
        });
        try {
          for (const chunk of chunks) {
            decoder.push(Buffer.from(chunk));
            assert.ok(decoder.bufferedBytes <= limit + FRAME_HEADER_BYTES);
          }
        } catch (error) {
          assert.ok(error instanceof PeerwireError, String(error));
          assert.equal(error.code, ErrorCode.FrameTooLarge);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
