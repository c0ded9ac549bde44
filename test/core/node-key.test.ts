// Ed25519 node identity: the CometBFT node ID derivation (SHA-256 of the public key, first 20 bytes,
// lower-case hex), deterministic keys from a seed, sign/verify, and verify never throwing on garbage.

import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import {
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  NodeKey,
  importEd25519PublicKey,
  isNodeId,
  nodeIdFromPublicKey,
  verifyEd25519,
} from '../../src/core/node-key.ts';

const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const isCode = (code: string) => (e: unknown) => e instanceof PeerwireError && e.code === code;

// Transcribed from informalsystems/tendermint-rs test/src/test/unit/p2p/secret_connection/public_key.rs
// (test_secret_connection_pubkey_serialization), via test/vectors/cometbft/handshake_misc_vectors.json.
const TENDERMINT_RS_PUBKEY = 'f7feb0b5ba0760b2c58893e329475d1ea81781dd636e37144b6d599ad38aa825';
const TENDERMINT_RS_NODE_ID = '117c95c4fd7e636c38d303493302d2c271a39669';

// RFC 8032 section 7.1, TEST 1 (empty message).
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

test('node ID of a known public key (tendermint-rs vector)', () => {
  assert.equal(nodeIdFromPublicKey(bytes(TENDERMINT_RS_PUBKEY)), TENDERMINT_RS_NODE_ID);
});

test('node ID is the lower-case hex of the first 20 bytes of SHA-256(public key)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (pub) => {
      const expected = createHash('sha256').update(pub).digest('hex').slice(0, 40);
      const id = nodeIdFromPublicKey(pub);
      assert.equal(id, expected);
      assert.equal(isNodeId(id), true);
    }),
    { numRuns: FC_RUNS },
  );
  for (const length of [0, 31, 33, 64]) {
    assert.throws(() => nodeIdFromPublicKey(new Uint8Array(length)), isCode(ErrorCode.InvalidArgument));
  }
});

test('isNodeId accepts exactly 40 lower-case hex characters', () => {
  assert.equal(isNodeId(TENDERMINT_RS_NODE_ID), true);
  for (const bad of [
    '',
    TENDERMINT_RS_NODE_ID.toUpperCase(),
    TENDERMINT_RS_NODE_ID.slice(1),
    `${TENDERMINT_RS_NODE_ID}0`,
    'g'.repeat(40),
    ` ${TENDERMINT_RS_NODE_ID.slice(1)}`,
  ]) {
    assert.equal(isNodeId(bad), false, bad);
  }
});

test('fromSeed reproduces RFC 8032 test 1: public key and signature', () => {
  const key = NodeKey.fromSeed(bytes(RFC8032_SEED));
  assert.equal(hex(key.publicKey), RFC8032_PUBLIC);
  assert.equal(hex(key.seed), RFC8032_SEED);
  assert.equal(key.id, nodeIdFromPublicKey(bytes(RFC8032_PUBLIC)));
  assert.equal(hex(key.sign(new Uint8Array(0))), RFC8032_SIGNATURE);
  assert.equal(verifyEd25519(bytes(RFC8032_PUBLIC), new Uint8Array(0), bytes(RFC8032_SIGNATURE)), true);
});

test('fromSeed is deterministic and copies the seed', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 64, size: 'max' }),
      (seed, message) => {
        const a = NodeKey.fromSeed(seed);
        const b = NodeKey.fromSeed(seed);
        assert.deepEqual(a.publicKey, b.publicKey);
        assert.equal(a.id, b.id);
        assert.deepEqual(a.sign(message), b.sign(message), 'Ed25519 signatures are deterministic');
      },
    ),
    { numRuns: Math.min(FC_RUNS, 100) },
  );
  const seed = new Uint8Array(32).fill(7);
  const key = NodeKey.fromSeed(seed);
  seed.fill(0);
  assert.deepEqual(key.seed, new Uint8Array(32).fill(7));
  for (const length of [0, 31, 33, 64]) {
    assert.throws(() => NodeKey.fromSeed(new Uint8Array(length)), isCode(ErrorCode.InvalidArgument));
  }
});

test('generate makes distinct valid keys that round trip through their seed', () => {
  const a = NodeKey.generate();
  const b = NodeKey.generate();
  assert.equal(a.seed.length, ED25519_KEY_BYTES);
  assert.equal(a.publicKey.length, ED25519_KEY_BYTES);
  assert.equal(a.id, nodeIdFromPublicKey(a.publicKey));
  assert.notEqual(a.id, b.id);
  const again = NodeKey.fromSeed(a.seed);
  assert.deepEqual(again.publicKey, a.publicKey);
  assert.equal(again.id, a.id);
});

test('sign and verify: valid signatures verify, any change does not', () => {
  const key = NodeKey.generate();
  const other = NodeKey.generate();
  const message = new TextEncoder().encode('challenge');
  const signature = key.sign(message);
  assert.equal(signature.length, ED25519_SIGNATURE_BYTES);
  assert.equal(verifyEd25519(key.publicKey, message, signature), true);
  assert.equal(
    verifyEd25519(importEd25519PublicKey(key.publicKey), message, signature),
    true,
    'KeyObject form',
  );
  assert.equal(verifyEd25519(other.publicKey, message, signature), false, 'wrong key');
  assert.equal(
    verifyEd25519(key.publicKey, new TextEncoder().encode('challengE'), signature),
    false,
    'wrong message',
  );
  for (let i = 0; i < signature.length; i += 7) {
    const bad = new Uint8Array(signature);
    bad[i] = bad[i]! ^ 1;
    assert.equal(verifyEd25519(key.publicKey, message, bad), false, `flipped signature byte ${i}`);
  }
  assert.equal(verifyEd25519(key.publicKey, message, signature.subarray(0, 63)), false, 'short signature');
  assert.equal(verifyEd25519(key.publicKey.subarray(0, 31), message, signature), false, 'short key');
});

test('verifyEd25519 never throws on garbage keys, messages and signatures', () => {
  const key = NodeKey.generate();
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 40, size: 'max' }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constant(key.publicKey),
      ),
      fc.uint8Array({ maxLength: 64, size: 'max' }),
      fc.oneof(
        fc.uint8Array({ maxLength: 70, size: 'max' }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
      ),
      (pub, message, signature) => {
        assert.equal(typeof verifyEd25519(pub, message, signature), 'boolean');
      },
    ),
    { numRuns: FC_RUNS },
  );
  // A public key that is not a curve point (y >= p) is rejected, not thrown.
  assert.equal(verifyEd25519(new Uint8Array(32).fill(0xff), new Uint8Array(1), new Uint8Array(64)), false);
});

test('importEd25519PublicKey refuses a wrong-length key as a ban-worthy typed error', () => {
  assert.throws(
    () => importEd25519PublicKey(new Uint8Array(31)),
    (e: unknown) => isCode(ErrorCode.InvalidArgument)(e) && (e as PeerwireError).action === 'ban',
  );
});
