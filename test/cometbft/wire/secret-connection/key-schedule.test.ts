// Key schedule against upstream vectors: the Go HKDF golden file, the tendermint-rs nonce checkpoints,
// node-ID derivation, the 7 low-order X25519 points, and the derived handshake's shared values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeIdFromPublicKey, NodeKey } from '../../../../src/core/node-key.ts';
import { PeerwireError } from '../../../../src/core/errors.ts';
import {
  computeChallenge,
  computeSharedSecret,
  createEphemeralKeyPair,
  deriveSecrets,
  LOW_ORDER_POINTS,
  sortEphemeralKeys,
} from '../../../../src/cometbft/wire/secret-connection/key-schedule.ts';
import { FrameNonce } from '../../../../src/cometbft/wire/secret-connection/frame-format.ts';
import { SecretConnectionErrorCode } from '../../../../src/cometbft/wire/secret-connection/errors.ts';
import { derivedVector, hex, miscVectors, readVector, unhex } from './vectors.ts';

test('HKDF key split reproduces all 32 lines of TestDeriveSecretsAndChallengeGolden.golden', () => {
  const lines = readVector('TestDeriveSecretsAndChallengeGolden.golden')
    .split('\n')
    .filter((l) => l.length > 0);
  assert.equal(lines.length, 32);
  for (const line of lines) {
    const [dh, locIsLeast, recv, send, legacy] = line.split(',');
    assert.ok(locIsLeast === 'true' || locIsLeast === 'false');
    const secrets = deriveSecrets(unhex(dh!), locIsLeast === 'true');
    assert.equal(hex(secrets.recvKey), recv);
    assert.equal(hex(secrets.sendKey), send);
    assert.equal(hex(secrets.legacyChallenge), legacy);
  }
});

test('nonce counter checkpoints and the overflow nonce match tendermint-rs', () => {
  const misc = miscVectors();
  const nonce = new FrameNonce();
  let done = 0;
  for (const checkpoint of misc.nonce_increment.checkpoints) {
    while (done < checkpoint.after_increments) {
      nonce.check('send');
      nonce.advance();
      done++;
    }
    assert.equal(hex(nonce.bytes), checkpoint.nonce_hex);
  }
  const overflow = new FrameNonce(0xffff_ffff_ffff_ffffn);
  assert.equal(hex(overflow.bytes), misc.nonce_increment.overflow.nonce_hex);
  assert.throws(() => overflow.check('send'), { code: SecretConnectionErrorCode.NonceExhausted });
  // The carry from the low into the high 32-bit half.
  const carry = new FrameNonce(0xffff_ffffn);
  carry.advance();
  assert.equal(hex(carry.bytes), '000000000000000001000000');
  assert.equal(carry.value, 0x1_0000_0000n);
  assert.throws(() => new FrameNonce(2n ** 64n), { code: 'ERR_INVALID_ARGUMENT' });
});

test('node ID derivation: vector case and both derived identities', () => {
  for (const c of miscVectors().node_id_from_pubkey.cases) {
    assert.equal(nodeIdFromPublicKey(unhex(c.ed25519_pubkey_hex)), c.node_id);
  }
  const v = derivedVector();
  for (const node of [v.nodes.A, v.nodes.B]) {
    const key = NodeKey.fromSeed(unhex(node.ed25519_seed));
    assert.equal(hex(key.publicKey), node.ed25519_pubkey);
    assert.equal(key.id, node.node_id);
  }
});

test('each of the 7 low-order points is refused, before and without the blacklist', () => {
  const points = miscVectors().x25519_low_order_points.points;
  assert.equal(points.length, 7);
  assert.deepEqual(
    points.map((p) => p.hex),
    LOW_ORDER_POINTS,
  );
  const ours = createEphemeralKeyPair();
  for (const point of points) {
    assert.throws(
      () => computeSharedSecret(ours, unhex(point.hex)),
      (error: unknown) => {
        assert.ok(error instanceof PeerwireError);
        assert.equal(error.code, SecretConnectionErrorCode.LowOrderPoint);
        assert.equal(error.action, 'ban');
        return true;
      },
    );
  }
  // The same points with the (ignored) top bit set are not in the blacklist: the DH check catches them.
  for (const point of points) {
    const variant = unhex(point.hex);
    variant[31] = variant[31]! | 0x80;
    assert.throws(() => computeSharedSecret(ours, variant), {
      code: SecretConnectionErrorCode.LowOrderPoint,
    });
  }
});

test('derived vector: DH secret, key order, challenge and HKDF output from the fixed ephemeral keys', () => {
  const v = derivedVector();
  const a = createEphemeralKeyPair(unhex(v.nodes.A.x25519_ephemeral_private));
  const b = createEphemeralKeyPair(unhex(v.nodes.B.x25519_ephemeral_private));
  assert.equal(hex(a.publicKey), v.nodes.A.x25519_ephemeral_public);
  assert.equal(hex(b.publicKey), v.nodes.B.x25519_ephemeral_public);
  const dhA = computeSharedSecret(a, b.publicKey);
  assert.equal(hex(dhA), v.shared.dh_secret);
  assert.equal(hex(computeSharedSecret(b, a.publicKey)), v.shared.dh_secret);
  const sorted = sortEphemeralKeys(a.publicKey, b.publicKey);
  assert.equal(sorted.locIsLeast, v.nodes.A.loc_is_least);
  assert.equal(hex(sorted.lower), v.shared.eph_lower);
  assert.equal(hex(sorted.upper), v.shared.eph_upper);
  assert.equal(hex(computeChallenge(sorted.lower, sorted.upper, dhA)), v.shared.merlin_challenge);
  const secretsA = deriveSecrets(dhA, sorted.locIsLeast);
  assert.equal(hex(secretsA.sendKey), v.nodes.A.send_secret);
  assert.equal(hex(secretsA.recvKey), v.nodes.A.recv_secret);
  assert.equal(
    hex(secretsA.recvKey) + hex(secretsA.sendKey) + hex(secretsA.legacyChallenge),
    v.shared.hkdf_output_96,
  );
  const secretsB = deriveSecrets(dhA, !sorted.locIsLeast);
  assert.equal(hex(secretsB.sendKey), v.nodes.B.send_secret);
  assert.equal(hex(secretsB.recvKey), v.nodes.B.recv_secret);
});

test('equal ephemeral keys (reflection) are refused', () => {
  const key = createEphemeralKeyPair().publicKey;
  assert.throws(() => sortEphemeralKeys(key, key.slice()), {
    code: SecretConnectionErrorCode.ReflectedEphemeralKey,
  });
});
