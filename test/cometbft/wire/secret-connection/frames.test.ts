// SecretConnection data framing: round trips for every size 0..5000 over arbitrary chunkings, packing
// into one contiguous buffer, and the failure paths (tampering, oversized length, nonce exhaustion).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCipheriv, randomBytes } from 'node:crypto';
import { PeerwireError } from '../../../../src/core/errors.ts';
import { FrameSealer } from '../../../../src/cometbft/wire/secret-connection/frame-sealer.ts';
import { FrameOpener } from '../../../../src/cometbft/wire/secret-connection/frame-opener.ts';
import {
  FrameNonce,
  SEALED_FRAME_BYTES,
} from '../../../../src/cometbft/wire/secret-connection/frame-format.ts';
import { SecretConnectionErrorCode as Code } from '../../../../src/cometbft/wire/secret-connection/errors.ts';
import { runs } from './vectors.ts';
import { splitAt } from './scripted-peer.ts';

const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

function pair(): { sealer: FrameSealer; opener: FrameOpener; key: Buffer } {
  const key = randomBytes(32);
  return { sealer: new FrameSealer(key), opener: new FrameOpener(key), key };
}

/** Seals one raw 1028-byte plaintext frame with the given key and counter, bypassing FrameSealer's checks. */
function rawFrame(key: Uint8Array, counter: number, plaintext: Uint8Array): Uint8Array {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32LE(counter, 4);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function code(expected: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof PeerwireError && error.code === expected;
}

test('every size 0..5000 round-trips, in a pseudo-random chunking per size', () => {
  const { sealer, opener } = pair();
  const data = randomBytes(5000);
  let seed = 12345;
  const next = (max: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % (max + 1);
  };
  for (let size = 0; size <= 5000; size++) {
    const input = data.subarray(0, size);
    const sealed = sealer.seal([input]);
    assert.equal(sealed.length, Math.ceil(size / 1024) * SEALED_FRAME_BYTES);
    const cuts = Array.from({ length: next(4) }, () => next(sealed.length));
    const out: Uint8Array[] = [];
    for (const chunk of splitAt(sealed, cuts)) out.push(...opener.open(chunk));
    assert.equal(opener.bufferedBytes, 0);
    assert.ok(Buffer.from(concat(out)).equals(input), `size ${size}`);
  }
  assert.equal(sealer.counter, opener.counter);
});

test('property: many input chunks seal into one buffer and open identically under any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 1500, size: 'max' }), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (inputs, cutSeeds) => {
        const { sealer, opener } = pair();
        const sealed = sealer.seal(inputs);
        const total = inputs.reduce((n, c) => n + c.length, 0);
        assert.equal(sealed.length, FrameSealer.sealedLength(total));
        const cuts = cutSeeds.map((s) => (sealed.length === 0 ? 0 : s % (sealed.length + 1)));
        const out: Uint8Array[] = [];
        for (const chunk of splitAt(sealed, cuts)) opener.openEach(chunk, (d) => out.push(d.slice()));
        assert.deepEqual(concat(out), concat(inputs));
      },
    ),
    { numRuns: runs('FC_RUNS', 200) },
  );
});

test('the stream is packed 1024 bytes per frame across input chunk boundaries; empty input seals nothing', () => {
  const { sealer, opener } = pair();
  assert.equal(sealer.seal([]).length, 0);
  assert.equal(sealer.seal([new Uint8Array(0), new Uint8Array(0)]).length, 0);
  assert.equal(sealer.counter, 0n);
  const parts = [randomBytes(10), randomBytes(2000), randomBytes(50)];
  const sealed = sealer.seal(parts);
  assert.equal(sealed.length, 3 * SEALED_FRAME_BYTES);
  // One frame at a time, so each piece is one frame's data (openEach joins consecutive frames).
  const pieces = [0, 1, 2].flatMap((i) =>
    opener.open(sealed.subarray(i * SEALED_FRAME_BYTES, (i + 1) * SEALED_FRAME_BYTES)),
  );
  assert.deepEqual(
    pieces.map((p) => p.length),
    [1024, 1024, 12],
  );
  assert.deepEqual(concat(pieces), concat(parts));
  assert.equal(opener.counter, 3n);
});

test('a zero-length frame is legal: it delivers nothing and advances the nonce', () => {
  const { opener, key } = pair();
  const frame = rawFrame(key, 0, new Uint8Array(1028));
  assert.deepEqual(opener.open(frame), []);
  assert.equal(opener.counter, 1n);
  const next = new Uint8Array(1028);
  next[0] = 3;
  next.set([7, 8, 9], 4);
  assert.deepEqual(
    opener.open(rawFrame(key, 1, next)).map((d) => [...d]),
    [[7, 8, 9]],
  );
});

test('an authenticated frame declaring more than 1024 bytes is refused (FrameTooLarge, ban)', () => {
  for (const length of [1025, 0xffff_ffff]) {
    const { opener, key } = pair();
    const plaintext = Buffer.alloc(1028);
    plaintext.writeUInt32LE(length, 0);
    assert.throws(
      () => opener.open(rawFrame(key, 0, plaintext)),
      (error: unknown) => code(Code.FrameTooLarge)(error) && (error as PeerwireError).action === 'ban',
    );
    assert.throws(() => opener.open(new Uint8Array(1)), code(Code.FrameTooLarge), 'failure is final');
  }
});

test('any flipped bit, a swapped frame order or the wrong key fails with DecryptFailed', () => {
  const { sealer, key } = pair();
  const sealed = sealer.seal([randomBytes(2048)]);
  for (const position of [0, 3, 4, 500, 1027, 1028, 1043]) {
    const opener = new FrameOpener(key);
    const copy = Buffer.from(sealed);
    copy[position] = copy[position]! ^ 0x01;
    assert.throws(() => opener.open(copy), code(Code.DecryptFailed), `bit flip at ${position}`);
  }
  const swapped = concat([sealed.subarray(1044), sealed.subarray(0, 1044)]);
  assert.throws(() => new FrameOpener(key).open(swapped), code(Code.DecryptFailed));
  assert.throws(() => new FrameOpener(randomBytes(32)).open(sealed), code(Code.DecryptFailed));
  // Data of frames before the bad one is delivered by openEach before it throws.
  const opener = new FrameOpener(key);
  const copy = Buffer.from(sealed);
  copy[1044 + 10] = copy[1044 + 10]! ^ 0x80;
  const seen: number[] = [];
  assert.throws(() => opener.openEach(copy, (d) => seen.push(d.length)), code(Code.DecryptFailed));
  assert.deepEqual(seen, [1024]);
});

test('nonce counters never wrap: 2^64-1 is refused on both sides, and a refused seal poisons the sealer', () => {
  const key = randomBytes(32);
  const sealer = new FrameSealer(key, new FrameNonce(2n ** 64n - 2n));
  const opener = new FrameOpener(key, new FrameNonce(2n ** 64n - 2n));
  const last = sealer.seal([Uint8Array.of(1, 2, 3)]);
  assert.deepEqual(concat(opener.open(last)), Uint8Array.of(1, 2, 3));
  assert.equal(sealer.counter, 2n ** 64n - 1n);
  assert.throws(() => sealer.seal([Uint8Array.of(4)]), code(Code.NonceExhausted));
  assert.throws(() => sealer.seal([]), code(Code.NonceExhausted), 'poisoned');
  assert.throws(() => opener.open(new Uint8Array(1044)), code(Code.NonceExhausted));

  // A batch that would cross the limit fails as a whole.
  const batch = new FrameSealer(key, new FrameNonce(2n ** 64n - 3n));
  assert.throws(() => batch.seal([new Uint8Array(3000)]), code(Code.NonceExhausted));
});

test('input chunks are not retained: reusing the caller buffer after open() does not corrupt a partial frame', () => {
  const { sealer, opener } = pair();
  const data = randomBytes(1024);
  const sealed = sealer.seal([data]);
  const reused = Buffer.from(sealed.subarray(0, 700));
  assert.deepEqual(opener.open(reused), []);
  assert.equal(opener.bufferedBytes, 700);
  reused.fill(0);
  assert.deepEqual(concat(opener.open(sealed.subarray(700))), new Uint8Array(data));
});

test('keys of the wrong size are refused', () => {
  assert.throws(() => new FrameSealer(new Uint8Array(16)), PeerwireError);
  assert.throws(() => new FrameOpener(new Uint8Array(33)), PeerwireError);
});

test('sealers of many connections share one staging buffer: interleaved sealing gives what each alone gives', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(2), fc.uint8Array({ maxLength: 3000, size: 'max' })), {
        minLength: 1,
        maxLength: 12,
      }),
      (steps) => {
        const keys = [randomBytes(32), randomBytes(32), randomBytes(32)];
        const interleaved = keys.map((k) => new FrameSealer(k));
        const outputs: Buffer[][] = [[], [], []];
        for (const [who, data] of steps) outputs[who]!.push(interleaved[who]!.seal([data]));
        // The same inputs per connection, sealed one connection after the other, and opened back.
        for (let who = 0; who < keys.length; who++) {
          const alone = new FrameSealer(keys[who]!);
          const inputs = steps.filter(([w]) => w === who).map(([, d]) => d);
          assert.deepEqual(
            outputs[who],
            inputs.map((d) => alone.seal([d])),
          );
          const opened = Buffer.concat(new FrameOpener(keys[who]!).open(Buffer.concat(outputs[who]!)));
          assert.deepEqual(opened, Buffer.concat(inputs));
        }
      },
    ),
    { numRuns: 50 },
  );
});

test("a source sealed again and again (the pump's scratch) gives the bytes a fresh copy gives, whatever lies past its end", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(6000), fc.nat(8), fc.boolean()), { minLength: 1, maxLength: 10 }),
      (steps) => {
        const key = randomBytes(32);
        const reused = new FrameSealer(key);
        const fresh = new FrameSealer(key);
        const other = new FrameSealer(randomBytes(32));
        const scratch = new Uint8Array(6000 + 8);
        const sent: Buffer[] = [];
        const copies: Uint8Array[] = [];
        for (const [length, start, interleave] of steps) {
          // Bytes past the source's end (another connection's plaintext in a shared scratch) must never
          // reach the cipher: the padding of a last frame is zeros.
          scratch.set(randomBytes(scratch.length));
          const source = scratch.subarray(start, start + Math.min(length, scratch.length - start));
          const copy = new Uint8Array(source);
          // Another source sealed in between replaces the cached views; sealing must not notice.
          if (interleave) other.seal([randomBytes(100)]);
          const sealed = reused.seal([source]);
          // Two chunks take the gathering path, which never reads past a chunk.
          const cut = copy.length >> 1;
          assert.deepEqual(sealed, fresh.seal([copy.subarray(0, cut), copy.subarray(cut)]));
          sent.push(sealed);
          copies.push(copy);
        }
        assert.deepEqual(
          Buffer.concat(new FrameOpener(key).open(Buffer.concat(sent))),
          Buffer.concat(copies),
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('a sealer and an opener keep their keys in memory of their own, not a slice of the shared pool', () => {
  const key = randomBytes(32);
  const sealer = new FrameSealer(key) as unknown as { key: Buffer };
  const opener = new FrameOpener(key) as unknown as { key: Buffer };
  for (const held of [sealer.key, opener.key]) {
    assert.equal(held.buffer.byteLength, 32);
    assert.deepEqual(held, key);
    assert.notEqual(held.buffer, key.buffer);
  }
});

test('sessions at different counters interleave on the shared nonce buffer: each frame uses its own counter', () => {
  const a = pair();
  const key = randomBytes(32);
  const b = {
    sealer: new FrameSealer(key, new FrameNonce(7n)),
    opener: new FrameOpener(key, new FrameNonce(7n)),
  };
  const sealedA: Buffer[] = [];
  const sealedB: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    sealedA.push(a.sealer.seal([Buffer.from(`a${i}`)]));
    sealedB.push(b.sealer.seal([Buffer.from(`b${i}`)]));
  }
  // The first frame of b is the raw frame sealed under counter 7 (not a's counter, last written before it).
  const plain = Buffer.alloc(1028);
  plain.writeUInt32LE(2, 0);
  plain.write('b0', 4);
  assert.ok(Buffer.from(rawFrame(key, 7, plain)).equals(sealedB[0]!));
  for (let i = 0; i < 5; i++) {
    assert.equal(Buffer.from(concat(b.opener.open(sealedB[i]!))).toString(), `b${i}`);
    assert.equal(Buffer.from(concat(a.opener.open(sealedA[i]!))).toString(), `a${i}`);
  }
  assert.equal(a.opener.counter, 5n);
  assert.equal(b.opener.counter, 12n);
});

test('openEach joins consecutive frames into one view of a reused buffer; open() returns copies; a nested call is separate', () => {
  const { sealer, opener, key } = pair();
  const first = randomBytes(3000);
  const second = randomBytes(2500);
  const views: Uint8Array[] = [];
  opener.openEach(sealer.seal([first]), (d) => views.push(d));
  assert.equal(views.length, 1, 'three frames, one view');
  assert.deepEqual(new Uint8Array(views[0]!), new Uint8Array(first));
  opener.openEach(sealer.seal([second]), (d) => views.push(d));
  assert.equal(views[1]!.buffer, views[0]!.buffer, 'the same buffer again');
  assert.notDeepEqual(new Uint8Array(views[0]!), new Uint8Array(first), 'the first view was overwritten');
  const copies = opener.open(sealer.seal([first]));
  opener.open(sealer.seal([second]));
  assert.deepEqual(concat(copies), new Uint8Array(first), 'copies survive later calls');

  // A callback that opens another stream's frames synchronously: both see their own data.
  const other = new FrameOpener(key);
  const otherSealed = new FrameSealer(key).seal([second]);
  const seen: Uint8Array[] = [];
  opener.openEach(sealer.seal([first]), (d) => {
    other.openEach(otherSealed, (inner) => seen.push(inner.slice()));
    seen.push(d.slice());
  });
  assert.deepEqual(
    seen.map((d) => d.length),
    [second.length, first.length],
  );
  assert.deepEqual(seen[0], new Uint8Array(second));
  assert.deepEqual(seen[1], new Uint8Array(first));
});
