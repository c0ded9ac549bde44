// The two ChaCha20-Poly1305 implementations under SecretConnection frames: libsodium (WebAssembly) loads
// once per process and becomes current; it seals exactly the bytes node:crypto seals for any key,
// nonce and plaintext, each opens the other's frames, and both refuse a flipped bit, the wrong key or
// the wrong nonce. Whole streams cross between a libsodium sealer and a node:crypto opener and back.
// PEERWIRE_AEAD=node keeps node:crypto.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  frameAead,
  frameAeadSettled,
  loadFrameAead,
  NODE_CRYPTO_AEAD,
  type FrameAead,
} from '../../../../src/cometbft/wire/secret-connection/frame-aead.ts';
import {
  FRAME_DATA_MAX,
  FRAME_PLAINTEXT_BYTES,
  FrameNonce,
  SEALED_FRAME_BYTES,
} from '../../../../src/cometbft/wire/secret-connection/frame-format.ts';
import { FrameOpener } from '../../../../src/cometbft/wire/secret-connection/frame-opener.ts';
import { FrameSealer } from '../../../../src/cometbft/wire/secret-connection/frame-sealer.ts';
import { runs } from './vectors.ts';

/** Opens with `aead` into a fresh buffer at an offset; returns the result and the buffer. */
function openInto(
  aead: FrameAead,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  offset: number,
): { n: number; out: Uint8Array } {
  const out = new Uint8Array(OUT_OFFSET + FRAME_DATA_MAX).fill(0xee);
  return { n: aead.openData(key, nonce, sealed, offset, out, OUT_OFFSET), out };
}
/** Where openInto asks for the data: not at 0, to show the offset is honoured. */
const OUT_OFFSET = 8;

async function libsodium(): Promise<FrameAead> {
  const aead = await loadFrameAead();
  assert.equal(aead.name, 'libsodium', 'libsodium-wrappers is a dependency and loads here');
  return aead;
}

test('libsodium loads once per process and becomes the current AEAD', async () => {
  const first = loadFrameAead();
  assert.equal(loadFrameAead(), first, 'one load, shared');
  const aead = await first;
  assert.equal(aead.name, 'libsodium');
  assert.equal(frameAead(), aead);
  assert.equal(frameAeadSettled(), true);
  assert.equal(NODE_CRYPTO_AEAD.name, 'node:crypto');
});

test('property: libsodium seals the bytes node:crypto seals, and each opens the other', async () => {
  const sodium = await libsodium();
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.uint8Array({ minLength: FRAME_PLAINTEXT_BYTES, maxLength: FRAME_PLAINTEXT_BYTES }),
      fc.oneof(
        fc.integer({ min: 0, max: FRAME_DATA_MAX }),
        fc.constant(FRAME_DATA_MAX),
        fc.constant(undefined),
      ),
      fc.nat(64),
      (key, nonce, plain, length, offset) => {
        // A declared data length, or the random one the bytes make (mostly over 1024: refused).
        if (length !== undefined) Buffer.from(plain.buffer, plain.byteOffset).writeUInt32LE(length, 0);
        const declared = Buffer.from(plain.buffer, plain.byteOffset).readUInt32LE(0);
        const ours = new Uint8Array(offset + SEALED_FRAME_BYTES);
        const theirs = new Uint8Array(offset + SEALED_FRAME_BYTES);
        sodium.seal(key, nonce, plain, ours, offset);
        NODE_CRYPTO_AEAD.seal(key, nonce, plain, theirs, offset);
        assert.deepEqual(ours, theirs);
        for (const [aead, sealed] of [
          [sodium, theirs],
          [NODE_CRYPTO_AEAD, ours],
        ] as const) {
          const { n, out } = openInto(aead, key, nonce, sealed, offset);
          assert.equal(n, declared, aead.name);
          // The data, where asked, and nothing else written (nothing at all for a refused length).
          const copied = declared <= FRAME_DATA_MAX ? declared : 0;
          const expected = new Uint8Array(OUT_OFFSET + FRAME_DATA_MAX).fill(0xee);
          expected.set(plain.subarray(4, 4 + copied), OUT_OFFSET);
          assert.deepEqual(out, expected, aead.name);
        }
      },
    ),
    { numRuns: runs('FC_RUNS', 200) },
  );
});

test('both refuse a flipped bit, the wrong key and the wrong nonce', async () => {
  const sodium = await libsodium();
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const sealed = new Uint8Array(SEALED_FRAME_BYTES);
  sodium.seal(key, nonce, randomBytes(FRAME_PLAINTEXT_BYTES), sealed, 0);
  for (const aead of [sodium, NODE_CRYPTO_AEAD]) {
    for (const bit of [0, 8 * 500 + 3, 8 * FRAME_PLAINTEXT_BYTES + 1, 8 * SEALED_FRAME_BYTES - 1]) {
      const flipped = sealed.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(openInto(aead, key, nonce, flipped, 0).n, -1, `${aead.name}: bit ${bit}`);
    }
    assert.equal(openInto(aead, randomBytes(32), nonce, sealed, 0).n, -1, `${aead.name}: wrong key`);
    assert.equal(openInto(aead, key, randomBytes(12), sealed, 0).n, -1, `${aead.name}: wrong nonce`);
    assert.notEqual(openInto(aead, key, nonce, sealed, 0).n, -1, `${aead.name}: the original opens`);
  }
});

test('streams cross between a libsodium sealer and a node:crypto opener, both ways, in any chunking', async () => {
  const sodium = await libsodium();
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 6000, size: 'max' }),
      fc.integer({ min: 1, max: 3000 }),
      (data, cut) => {
        const key = randomBytes(32);
        for (const [sealWith, openWith] of [
          [sodium, NODE_CRYPTO_AEAD],
          [NODE_CRYPTO_AEAD, sodium],
        ] as const) {
          const sealed = new FrameSealer(key, new FrameNonce(), sealWith).seal([data]);
          const opener = new FrameOpener(key, new FrameNonce(), openWith);
          const out: Uint8Array[] = [];
          for (let at = 0; at < sealed.length; at += cut)
            out.push(...opener.open(sealed.subarray(at, at + cut)));
          assert.deepEqual(new Uint8Array(Buffer.concat(out)), data);
        }
      },
    ),
    { numRuns: runs('FC_RUNS', 100) },
  );
});

test('property: frames staged in libsodium open as node:crypto opens them one by one, tampered or not, nested or not', async () => {
  const sodium = await libsodium();
  fc.assert(
    fc.property(
      // Up to ~200 frames, so chunks hold more frames than one staging round takes (64).
      fc.integer({ min: 0, max: 200_000 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.boolean(),
      (size, cuts, tamperAt, nested) => {
        const key = randomBytes(32);
        const data = randomBytes(size);
        const sealed = new FrameSealer(key, new FrameNonce(), NODE_CRYPTO_AEAD).seal([data]);
        if (tamperAt !== undefined && sealed.length > 0) sealed[tamperAt % sealed.length]! ^= 0x40;
        const points = [...new Set(cuts.map((c) => c % (sealed.length + 1)))].sort((a, b) => a - b);
        const outcome = (aead: FrameAead): { got: string; error: string } => {
          const opener = new FrameOpener(key, new FrameNonce(), aead);
          // A callback that opens another connection's frames in between (its own staging round).
          const other = new FrameOpener(key, new FrameNonce(), aead);
          const otherFrames = new FrameSealer(key, new FrameNonce(), aead).seal([randomBytes(3000)]);
          const got: Buffer[] = [];
          let last = 0;
          try {
            for (const p of [...points, sealed.length]) {
              opener.openEach(sealed.subarray(last, p), (piece) => {
                got.push(Buffer.from(piece));
                if (nested && other.counter === 0n) other.openEach(otherFrames, () => {});
              });
              last = p;
            }
            return { got: Buffer.concat(got).toString('hex'), error: 'none' };
          } catch (error) {
            return {
              got: Buffer.concat(got).toString('hex'),
              error: (error as { code?: string }).code ?? 'other',
            };
          }
        };
        const staged = outcome(sodium);
        assert.deepEqual(staged, outcome(NODE_CRYPTO_AEAD));
        if (tamperAt === undefined) assert.equal(staged.got, data.toString('hex'));
      },
    ),
    { numRuns: runs('FC_RUNS', 60) },
  );
});

test('PEERWIRE_AEAD=node keeps node:crypto', () => {
  const module = new URL('../../../../src/cometbft/wire/secret-connection/frame-aead.ts', import.meta.url)
    .href;
  const script = `const m = await import(${JSON.stringify(module)}); console.log((await m.loadFrameAead()).name);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, PEERWIRE_AEAD: 'node' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'node:crypto');
});
