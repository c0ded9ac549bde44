// Framing: header layout and checksum, header-time rejection (magic, command, size) before any body
// byte is buffered, streaming over arbitrary chunk splits, zero-copy bodies, the pre/post-handshake
// limits, unknown commands and sticky failures.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  FrameDecoder,
  MAX_HANDSHAKE_BODY_LENGTH,
  MAX_PROTOCOL_MESSAGE_LENGTH,
  ZCASH_MAINNET,
  ZCASH_TESTNET,
  ZcashCodec,
  ZcashErrorCode,
  encodeMessage,
  sha256d,
  writeFrameHeader,
} from '../../../src/zcash/index.ts';
import type { Frame } from '../../../src/zcash/wire/frame-decoder.ts';
import { PIECE_OVERHEAD_BYTES } from '../../../src/zcash/wire/body-pieces.ts';
import { xorshift } from '../chain/arbitraries.ts';
import { hex, toHex } from './vectors.ts';

const MAGIC = ZCASH_MAINNET.magic;

function frame(command: string, body: Uint8Array, magic = MAGIC): Uint8Array {
  const out = new Uint8Array(24 + body.length);
  writeFrameHeader(out, 0, magic, command, body.length, sha256d(body));
  out.set(body, 24);
  return out;
}

function rawHeader(command: Uint8Array, length: number, magic = MAGIC): Uint8Array {
  const h = new Uint8Array(24);
  h.set(magic, 0);
  h.set(command, 4);
  new DataView(h.buffer).setUint32(16, length, true);
  return h;
}

function expectCode(fn: () => unknown, code: string): PeerwireError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PeerwireError, `expected PeerwireError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.action, 'disconnect');
  return caught;
}

describe('zcash frame header', () => {
  it('checksums an empty body as 5df6e0e2 and writes a NUL-padded command', () => {
    const f = frame('verack', new Uint8Array(0));
    assert.equal(toHex(f), '24e9276476657261636b000000000000000000005df6e0e2');
  });

  it('encodes header and body into one buffer', () => {
    const f = encodeMessage(
      { command: 'ping', nonce: 0x0123456789abcdefn },
      { magic: MAGIC, protocolVersion: 170160, maxBodyLength: 1024 },
    );
    assert.equal(toHex(f), '24e9276470696e6700000000000000000800000033bc15e5efcdab8967452301');
    assert.equal(f.byteOffset, 0);
  });
});

describe('zcash frame decoder', () => {
  it('decodes frames split at every byte boundary', () => {
    const a = frame('ping', hex('efcdab8967452301'));
    const b = frame('inv', hex('01' + '02000000' + '11'.repeat(32)));
    const stream = new Uint8Array([...a, ...b]);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const second of [cut, Math.min(stream.length, cut + 7)]) {
        const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
        const got: string[] = [];
        for (const part of [stream.subarray(0, cut), stream.subarray(cut, second), stream.subarray(second)]) {
          d.push(part);
          for (let f = d.next(); f !== undefined; f = d.next()) got.push(`${f.command}:${toHex(f.body)}`);
        }
        assert.deepEqual(got, [`ping:efcdab8967452301`, `inv:01` + '02000000' + '11'.repeat(32)]);
        assert.equal(d.bufferedBytes, 0);
      }
    }
  });

  it('decodes byte-by-byte feeding', () => {
    const body = new Uint8Array(900).map((_, i) => i & 0xff);
    const f = frame('tx', body);
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
    let out;
    for (let i = 0; i < f.length; i++) {
      d.push(f.subarray(i, i + 1));
      out = d.next() ?? out;
      assert.ok(d.retainedBytes <= 2 * (i + 1) + 4096 + 24);
    }
    assert.ok(out !== undefined);
    assert.deepEqual(out.body, body);
  });

  it('returns contiguous bodies as views of the pushed chunk (zero copy) with their digest', () => {
    const body = new Uint8Array(1000).fill(7);
    const f = frame('tx', body);
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
    d.push(f);
    const out = d.next();
    assert.ok(out !== undefined);
    assert.equal(out.body.buffer, f.buffer);
    assert.equal(out.body.byteOffset, f.byteOffset + 24);
    assert.deepEqual(new Uint8Array(out.digest), new Uint8Array(sha256d(body)));
  });

  it('rejects a header claiming 4 GiB from the header alone, without buffering or allocating', () => {
    globalThis.gc?.();
    const before = process.memoryUsage().arrayBuffers;
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    codec.completeHandshake(170160);
    codec.push(rawHeader(hex('626c6f636b0000000000000'.padEnd(24, '0')), 0xffffffff));
    const err = expectCode(() => codec.next(), ZcashErrorCode.FrameTooLarge);
    assert.match(err.message, /4294967295/);
    assert.ok(codec.retainedBytes <= 24);
    globalThis.gc?.();
    assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
  });

  it('limits bodies to 1024 bytes before the handshake and 2 MiB after', () => {
    const pre = new ZcashCodec({ network: ZCASH_MAINNET });
    assert.equal(pre.maxBodyLength, MAX_HANDSHAKE_BODY_LENGTH);
    pre.push(frame('filteradd', new Uint8Array(1024)));
    assert.equal(pre.next()?.command, 'filteradd');
    pre.push(frame('filteradd', new Uint8Array(1025)).subarray(0, 24));
    expectCode(() => pre.next(), ZcashErrorCode.FrameTooLarge);

    const post = new ZcashCodec({ network: ZCASH_MAINNET });
    post.completeHandshake(170160);
    assert.equal(post.maxBodyLength, MAX_PROTOCOL_MESSAGE_LENGTH);
    post.push(rawHeader(hex('746f6f6269670000000000000'.padEnd(24, '0')), MAX_PROTOCOL_MESSAGE_LENGTH + 1));
    expectCode(() => post.next(), ZcashErrorCode.FrameTooLarge);
    const big = new ZcashCodec({ network: ZCASH_MAINNET });
    big.completeHandshake(170160);
    big.push(frame('sendcmpct', new Uint8Array(MAX_PROTOCOL_MESSAGE_LENGTH)));
    const m = big.next();
    assert.equal(m?.command, 'unknown');
  });

  it('applies the post-handshake limit to a frame queued behind verack in the same chunk', () => {
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    const addrs = Array.from({ length: 40 }, (_, i) => ({
      time: 1_700_000_000,
      services: 1n,
      ip: `10.0.0.${i}`,
      port: 8233,
    }));
    const addrFrame = encodeMessage(
      { command: 'addr', addrs },
      { magic: MAGIC, protocolVersion: 170160, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH },
    );
    assert.ok(addrFrame.length - 24 > 1024);
    codec.push(new Uint8Array([...frame('verack', new Uint8Array(0)), ...addrFrame]));
    assert.equal(codec.next()?.command, 'verack');
    codec.completeHandshake(170160);
    const m = codec.next();
    assert.ok(m?.command === 'addr');
    assert.equal(m.addrs.length, 40);
  });

  it('rejects a wrong magic at header time', () => {
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
    d.push(frame('verack', new Uint8Array(0), ZCASH_TESTNET.magic).subarray(0, 24));
    expectCode(() => d.next(), ZcashErrorCode.BadMagic);
  });

  it('rejects malformed command padding at header time, or treats it as unknown (Zebra) when asked', () => {
    const cmd = hex('70696e6700ff000000000000'); // "ping", NUL, then garbage
    const body = hex('0102030405060708');
    const h = rawHeader(cmd, 8);
    h.set(sha256d(body).subarray(0, 4), 20);
    const strict = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
    strict.push(h);
    expectCode(() => strict.next(), ZcashErrorCode.BadCommand);
    for (const bad of ['00'.repeat(12), '70696e670a00000000000000']) {
      const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
      d.push(rawHeader(hex(bad), 0));
      expectCode(() => d.next(), ZcashErrorCode.BadCommand);
    }
    const lenient = new ZcashCodec({ network: ZCASH_MAINNET, malformedCommand: 'ignore' });
    lenient.push(new Uint8Array([...h, ...body]));
    const m = lenient.next();
    assert.ok(m?.command === 'unknown');
    assert.equal(m.name, '0x70696e6700ff000000000000');
  });

  it('fails on a bad checksum and stays failed', () => {
    const f = frame('ping', hex('0102030405060708'));
    f[20]! ^= 1;
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    codec.push(f);
    expectCode(() => codec.next(), ZcashErrorCode.BadChecksum);
    expectCode(() => codec.next(), ZcashErrorCode.BadChecksum);
    expectCode(() => codec.push(frame('verack', new Uint8Array(0))), ZcashErrorCode.BadChecksum);
  });

  it('hashes a body split over many reads as it arrives and joins it once, behind its command', () => {
    const body = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const f = frame('block', body);
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH });
    let out;
    for (let at = 0; at < f.length; at += 65536) {
      d.push(f.slice(at, at + 65536)); // each read its own buffer, as a socket delivers them
      out = d.next() ?? out;
      if (at + 65536 < f.length) assert.equal(out, undefined);
    }
    assert.ok(out !== undefined);
    assert.deepEqual(out.body, body);
    assert.deepEqual(new Uint8Array(out.digest), new Uint8Array(sha256d(body)));
    assert.ok(out.envelope !== undefined);
    assert.equal(out.envelope.buffer, out.body.buffer);
    assert.equal(Buffer.from(out.envelope.subarray(0, 12)).toString('latin1'), 'block\0\0\0\0\0\0\0');
    assert.equal(d.bufferedBytes, 0);
    assert.equal(d.retainedBytes, 24);
  });

  it('gathers split bodies into one reused buffer when asked, grown only for a larger body', () => {
    const bodies = [300_000, 200_000, 400_000, 1000].map((n, k) => new Uint8Array(n).map((_, i) => (i * 7 + k) & 0xff));
    const stream = Buffer.concat(bodies.map((b) => frame('block', b)));
    const reused = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH, reuseSplitBodies: true });
    const owned = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH });
    const seen: { body: Uint8Array; copy: Uint8Array }[] = [];
    const kept: Uint8Array[] = [];
    for (let at = 0; at < stream.length; at += 65536) {
      const read = stream.subarray(at, at + 65536);
      reused.push(read);
      owned.push(read);
      for (let f = reused.next(); f !== undefined; f = reused.next()) {
        assert.deepEqual(new Uint8Array(f.digest), new Uint8Array(sha256d(f.body)));
        seen.push({ body: f.body, copy: Uint8Array.from(f.body) }); // copied before the next call
      }
      for (let f = owned.next(); f !== undefined; f = owned.next()) kept.push(f.body);
    }
    assert.deepEqual(seen.map((s) => s.copy), bodies);
    assert.deepEqual(kept.map((b) => Uint8Array.from(b)), bodies); // owned bodies survive every later frame
    // The first three were split over reads: one buffer for the first two, a larger one for the third.
    assert.equal(seen[1]!.body.buffer, seen[0]!.body.buffer);
    assert.notEqual(seen[2]!.body.buffer, seen[1]!.body.buffer);
    assert.notDeepEqual(seen[0]!.body.subarray(0, 200_000), bodies[0]!.subarray(0, 200_000)); // overwritten by the second
    assert.equal(new Set(kept.slice(0, 3).map((b) => b.buffer)).size, 3);
    // Idle, the decoder still holds the largest buffer: the header scratch plus 12 + 400,000 bytes.
    assert.equal(reused.retainedBytes, 24 + 12 + 400_000);
    assert.equal(owned.retainedBytes, 24);
  });

  it('with reused bodies decodes any frames cut anywhere exactly as without (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 16, size: 'max' }),
        fc.integer({ min: 0, max: 255 }),
        (sizes, cuts, seed) => {
          const bodies = sizes.map((n, k) => new Uint8Array(n).map((_, i) => (i * 13 + k + seed) & 0xff));
          const stream = Buffer.concat(bodies.map((b) => frame('tx', b)));
          const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH, reuseSplitBodies: true });
          const got: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const end = Math.min(stream.length, at + cuts[i % cuts.length]!);
            d.push(Uint8Array.from(stream.subarray(at, end))); // each read a buffer of its own
            at = end;
            for (let f = d.next(); f !== undefined; f = d.next()) got.push(Uint8Array.from(f.body));
          }
          assert.deepEqual(got, bodies);
          assert.equal(d.bufferedBytes, 0);
          assert.ok(d.retainedBytes <= 24 + 12 + Math.max(...sizes));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds about what arrived, never the claimed size, when a header claims 2 MiB and the body trickles in', () => {
    const claimed = MAX_PROTOCOL_MESSAGE_LENGTH;
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: claimed });
    d.push(rawHeader(hex('626c6f636b00000000000000'), claimed));
    assert.equal(d.next(), undefined);
    const step = 16 * 1024;
    let received = 0;
    for (let k = 0; received + step < claimed; k++) {
      d.push(new Uint8Array(step)); // each read its own buffer, as a socket delivers them
      received += step;
      assert.equal(d.next(), undefined);
      // The pieces of the chunks, each with its view's overhead; no buffer of the claimed size.
      assert.ok(d.retainedBytes <= 24 + received + (k + 1) * PIECE_OVERHEAD_BYTES, `retained ${d.retainedBytes}`);
    }
    assert.equal(d.bufferedBytes, received);
  });

  it('joins split bodies as they arrive when asked, allocating at half the body, never the claimed size before', () => {
    const claimed = MAX_PROTOCOL_MESSAGE_LENGTH;
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: claimed, joinSplitBodies: true });
    d.push(rawHeader(hex('626c6f636b00000000000000'), claimed));
    const step = 64 * 1024;
    let received = 0;
    while ((received + step) * 2 < claimed) {
      d.push(new Uint8Array(step));
      received += step;
      assert.equal(d.next(), undefined);
      assert.ok(d.retainedBytes <= 24 + received + (received / step) * PIECE_OVERHEAD_BYTES, `retained ${d.retainedBytes}`);
    }
    d.push(new Uint8Array(step)); // half the claim: now the body buffer is allocated
    received += step;
    assert.equal(d.next(), undefined);
    assert.ok(d.retainedBytes >= claimed && d.retainedBytes <= 2 * received + 12 + 24, `retained ${d.retainedBytes}`);
    assert.equal(d.bufferedBytes, received);

    const body = new Uint8Array(300_000).map((_, i) => (i * 17) & 0xff);
    const f = frame('block', body);
    const j = new FrameDecoder({ magic: MAGIC, maxBodyLength: claimed, joinSplitBodies: true });
    let out: Frame | undefined;
    for (let at = 0; at < f.length; at += 65536) {
      j.push(f.slice(at, at + 65536));
      out = j.next() ?? out;
    }
    assert.ok(out !== undefined && out.envelope !== undefined);
    assert.equal(out.pieces, undefined, 'joined, not pieces');
    assert.equal(out.envelope.buffer, out.body.buffer);
    assert.deepEqual(Buffer.from(out.body), Buffer.from(body));
    assert.deepEqual(new Uint8Array(out.digest), new Uint8Array(sha256d(body)));
    assert.equal(j.retainedBytes, 24);
  });

  it('gathers a body trickled a few bytes per read instead of keeping a view per read', () => {
    const body = new Uint8Array(120_000).map((_, i) => (i * 13) & 0xff);
    const f = frame('block', body);
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH });
    const next = xorshift(7);
    let out: Frame | undefined;
    for (let at = 0; at < f.length; ) {
      const n = 1 + (next() % 7);
      d.push(f.slice(at, at + n));
      at += n;
      const received = Math.min(at, f.length) - 24;
      out = d.next();
      // Tens of thousands of reads: a view each would hold ~100 bytes per read, 25x what arrived.
      if (out === undefined) assert.ok(d.retainedBytes <= 24 + 2 * received + 2 * PIECE_OVERHEAD_BYTES + 256, `retained ${d.retainedBytes} after ${received}`);
    }
    assert.ok(out !== undefined);
    assert.ok(out.pieces !== undefined && out.pieces.length <= 2, `${out.pieces?.length} pieces`);
    assert.deepEqual(Buffer.from(out.body), Buffer.from(body));
  });

  it('keeps large pieces as views of their reads and joins the body only when it is read', () => {
    const body = new Uint8Array(200_000).map((_, i) => (i * 29) & 0xff);
    const f = frame('block', body);
    const reads = [f.slice(0, 10), f.slice(10, 70_000), f.slice(70_000, 150_000), f.slice(150_000)];
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH });
    let out: Frame | undefined;
    for (const r of reads) {
      d.push(r);
      out = d.next() ?? out;
    }
    assert.ok(out !== undefined && out.pieces !== undefined);
    assert.equal(out.bodyLength, body.length);
    assert.equal(out.pieces.length, 3);
    assert.equal(out.pieces[1]!.buffer, reads[2]!.buffer, 'a view of the read, no copy');
    assert.deepEqual(Buffer.concat(out.pieces.map((p) => Buffer.from(p))), Buffer.from(body));
    const joined = out.body;
    assert.equal(out.body, joined, 'joined once');
    assert.equal(out.envelope!.buffer, joined.buffer);
    assert.deepEqual(Buffer.from(joined), Buffer.from(body));
  });

  it('rejects a body split over several reads whose checksum is wrong, and stays failed', () => {
    const f = frame('block', new Uint8Array(200_000).fill(3));
    f[20]! ^= 0x80;
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH });
    let caught: unknown;
    for (let at = 0; at < f.length && caught === undefined; at += 50_000) {
      try {
        d.push(f.subarray(at, at + 50_000));
        d.next();
      } catch (err) {
        caught = err;
      }
    }
    assert.ok(caught instanceof PeerwireError && caught.code === ZcashErrorCode.BadChecksum);
    assert.equal(d.retainedBytes, 24);
    assert.throws(() => d.next(), (e: unknown) => e instanceof PeerwireError && e.code === ZcashErrorCode.BadChecksum);
  });

  it('surfaces unknown commands and keeps decoding the frames behind them', () => {
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    codec.push(
      new Uint8Array([
        ...frame('feefilter', hex('e803000000000000')),
        ...frame('sendheaders', new Uint8Array(0)),
        ...frame('getaddr', new Uint8Array(0)),
      ]),
    );
    const a = codec.next();
    assert.ok(a?.command === 'unknown');
    assert.equal(a.name, 'feefilter');
    assert.equal(toHex(a.body), 'e803000000000000');
    const b = codec.next();
    assert.ok(b?.command === 'unknown' && b.name === 'sendheaders');
    assert.equal(codec.next()?.command, 'getaddr');
    assert.equal(codec.next(), undefined);
  });

  it('refuses to queue more than one maximum frame without draining', () => {
    const d = new FrameDecoder({ magic: MAGIC, maxBodyLength: 1024 });
    d.push(new Uint8Array(MAX_PROTOCOL_MESSAGE_LENGTH));
    assert.throws(
      () => d.push(new Uint8Array(100)),
      (e: unknown) => e instanceof PeerwireError && e.code === ZcashErrorCode.DecoderOverflow,
    );
  });

  it('rejects an oversize outgoing message as an encoding error', () => {
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    const addrs = Array.from({ length: 100 }, () => ({ time: 0, services: 0n, ip: '::1', port: 1 }));
    assert.throws(
      () => codec.encode({ command: 'addr', addrs }),
      (e: unknown) =>
        e instanceof PeerwireError && e.code === ZcashErrorCode.Encode && e.action === 'transient',
    );
    codec.completeHandshake(170160);
    assert.equal(codec.encode({ command: 'addr', addrs }).length, 24 + 1 + 30 * 100);
  });
});
