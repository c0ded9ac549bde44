// Fuzz-style properties (FUZZ_RUNS, default 10000): the handshake parser and the frame opener, fed
// random bytes in random chunks, throw nothing but PeerwireError, never hold more than a bounded amount
// of input, and never return more data than they were given. Random bytes alone rarely pass the AEAD,
// so the AuthSig parser and the frame-length check are also fuzzed behind correctly sealed frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCipheriv, randomBytes } from 'node:crypto';
import { NodeKey } from '../../../../src/core/node-key.ts';
import { PeerwireError } from '../../../../src/core/errors.ts';
import { SecretConnectionHandshake } from '../../../../src/cometbft/wire/secret-connection/handshake.ts';
import { FrameOpener } from '../../../../src/cometbft/wire/secret-connection/frame-opener.ts';
import { decodeAuthSigMessage } from '../../../../src/cometbft/wire/secret-connection/handshake-messages.ts';
import { runs } from './vectors.ts';
import { ScriptedPeer, splitAt } from './scripted-peer.ts';

const FUZZ_RUNS = runs('FUZZ_RUNS', 10000);
/** Most a handshake may hold: a partial hello (34) + a partial AuthSig (1026) + a partial frame (1043). */
const HANDSHAKE_BUFFER_BOUND = 34 + 1026 + 1043;

function onlyPeerwireErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof PeerwireError)) throw error;
  }
}

const chunked = fc.record({
  bytes: fc.uint8Array({ maxLength: 3000, size: 'max' }),
  cuts: fc.array(fc.nat({ max: 3000 }), { maxLength: 8 }),
});

const nodeKey = NodeKey.generate();
const peer = new ScriptedPeer();
/**
 * Runs that reach key agreement cost ~0.5-1 ms each (X25519, Merlin, Ed25519 on both sides), so they
 * use a tenth of FUZZ_RUNS; the parsers they reach are also fuzzed directly at the full count.
 */
const KEY_AGREEMENT_RUNS = Math.max(1, Math.floor(FUZZ_RUNS / 10));

function feedHandshake(input: Uint8Array, cuts: readonly number[]): void {
  const us = new SecretConnectionHandshake({ nodeKey });
  us.start();
  onlyPeerwireErrors(() => {
    for (const chunk of splitAt(input, cuts)) {
      const step = us.receive(chunk);
      assert.equal(step.done, undefined, 'random bytes never authenticate');
      assert.ok(us.bufferedBytes <= HANDSHAKE_BUFFER_BOUND);
    }
  });
}

test('handshake fed random bytes: only PeerwireError, bounded buffering', () => {
  fc.assert(
    fc.property(chunked, ({ bytes, cuts }) => feedHandshake(bytes, cuts)),
    { numRuns: FUZZ_RUNS },
  );
});

test('handshake fed a valid hello prefix and random bytes: only PeerwireError, bounded buffering', () => {
  fc.assert(
    fc.property(chunked, ({ bytes, cuts }) =>
      feedHandshake(Uint8Array.from([0x22, 0x0a, 0x20, ...bytes]), cuts),
    ),
    { numRuns: KEY_AGREEMENT_RUNS },
  );
});

test('handshake fed correctly sealed random plaintext as the AuthSig: only PeerwireError, bounded', () => {
  fc.assert(
    fc.property(chunked, fc.uint8Array({ maxLength: 4 }), ({ bytes, cuts }, prefix) => {
      const us = new SecretConnectionHandshake({ nodeKey });
      const keys = peer.derive(us.start());
      // A small random length prefix often makes the random body a "complete" message to decode.
      const sealed = keys.sealer.seal([prefix, bytes]);
      onlyPeerwireErrors(() => {
        us.receive(peer.hello());
        for (const chunk of splitAt(sealed, cuts)) {
          const step = us.receive(chunk);
          assert.equal(step.done, undefined, 'random bytes never carry a valid signature');
          assert.ok(us.bufferedBytes <= HANDSHAKE_BUFFER_BOUND);
        }
      });
    }),
    { numRuns: KEY_AGREEMENT_RUNS },
  );
});

test('AuthSigMessage decoder on random bodies: only PeerwireError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), (body) => {
      onlyPeerwireErrors(() => {
        const message = decodeAuthSigMessage(body);
        assert.equal(message.publicKey.length, 32);
        assert.ok(message.signature.length <= body.length);
      });
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('frame opener on random bytes: only PeerwireError, holds < one frame, returns no more than input', () => {
  const key = randomBytes(32);
  fc.assert(
    fc.property(chunked, ({ bytes, cuts }) => {
      const opener = new FrameOpener(key);
      let delivered = 0;
      onlyPeerwireErrors(() => {
        for (const chunk of splitAt(bytes, cuts)) {
          for (const data of opener.open(chunk)) delivered += data.length;
          assert.ok(opener.bufferedBytes < 1044);
        }
      });
      assert.equal(delivered, 0, 'random bytes never authenticate');
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('frame opener on authenticated random plaintext frames: data <= 1024 per frame or FrameTooLarge', () => {
  const key = randomBytes(32);
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1028, maxLength: 1028 }), { minLength: 1, maxLength: 3 }),
      fc.nat({ max: 1030 }),
      (frames, smallLength) => {
        // Every other frame gets a small (mostly valid) length so delivery is exercised too.
        const wire = frames.map((plain, i) => {
          const p = Buffer.from(plain);
          if (i % 2 === 0) p.writeUInt32LE(smallLength, 0);
          return sealRaw(key, i, p);
        });
        const opener = new FrameOpener(key);
        let delivered = 0;
        onlyPeerwireErrors(() => {
          for (const w of wire) for (const data of opener.open(w)) delivered += data.length;
        });
        assert.ok(delivered <= 1024 * frames.length);
      },
    ),
    { numRuns: Math.max(1, Math.floor(FUZZ_RUNS / 10)) },
  );
});

/** Seals an arbitrary 1028-byte plaintext (length field included) at the given nonce counter. */
function sealRaw(key: Buffer, counter: number, plaintext: Buffer): Uint8Array {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32LE(counter, 4);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}
