// The SecretConnection handshake state machine: the derived vector byte for byte from its fixed keys
// (with node:crypto frames, then with libsodium's), full handshakes between two machines over arbitrary chunkings, and every rejection path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { NodeKey } from '../../../../src/core/node-key.ts';
import { PeerwireError } from '../../../../src/core/errors.ts';
import {
  SecretConnectionHandshake,
  type HandshakeStep,
} from '../../../../src/cometbft/wire/secret-connection/handshake.ts';
import type { SecretSession } from '../../../../src/cometbft/wire/secret-connection/session.ts';
import { SecretConnectionErrorCode as Code } from '../../../../src/cometbft/wire/secret-connection/errors.ts';
import { encodeAuthSigMessage } from '../../../../src/cometbft/wire/secret-connection/handshake-messages.ts';
import { frameAead, loadFrameAead } from '../../../../src/cometbft/wire/secret-connection/frame-aead.ts';
import { derivedVector, hex, miscVectors, runs, unhex } from './vectors.ts';
import { delimited, field, ScriptedPeer, splitAt } from './scripted-peer.ts';

const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

test('derived vector reproduced byte for byte from its fixed keys (node:crypto frames)', () => {
  assert.equal(frameAead().name, 'node:crypto', 'libsodium not loaded yet in this process');
  reproduceDerivedVector();
});

test('the derived vector again with libsodium sealing and opening the frames', async () => {
  assert.equal((await loadFrameAead()).name, 'libsodium');
  reproduceDerivedVector();
});

/** The handshake of the derived vector's two fixed identities, then NodeInfo and MConnection frames. */
function reproduceDerivedVector(): void {
  const v = derivedVector();
  const { A, B } = v.nodes;
  const a = new SecretConnectionHandshake({
    nodeKey: NodeKey.fromSeed(unhex(A.ed25519_seed)),
    ephemeralPrivateKey: unhex(A.x25519_ephemeral_private),
  });
  const b = new SecretConnectionHandshake({
    nodeKey: NodeKey.fromSeed(unhex(B.ed25519_seed)),
    ephemeralPrivateKey: unhex(B.x25519_ephemeral_private),
  });
  const helloA = a.start();
  const helloB = b.start();
  assert.equal(hex(helloA), A.eph_pubkey_wire);
  assert.equal(hex(helloB), B.eph_pubkey_wire);
  assert.ok(hex(helloA).startsWith(miscVectors().ephemeral_key_wire.prefix_hex));

  const stepA = a.receive(helloB);
  const stepB = b.receive(helloA);
  assert.equal(stepA.done, undefined);
  assert.equal(stepB.done, undefined);
  assert.equal(A.auth_sig_sealed_frames.length, 1);
  assert.equal(hex(stepA.send!), A.auth_sig_sealed_frames[0]!.sealed);
  assert.equal(hex(stepB.send!), B.auth_sig_sealed_frames[0]!.sealed);
  // The plaintext AuthSigMessages and signatures (deterministic Ed25519).
  const challenge = unhex(v.shared.merlin_challenge);
  for (const node of [A, B]) {
    const key = NodeKey.fromSeed(unhex(node.ed25519_seed));
    assert.equal(hex(key.sign(challenge)), node.challenge_signature);
    const authSig = encodeAuthSigMessage(key.publicKey, key.sign(challenge));
    assert.equal(hex(authSig), node.auth_sig_message_delimited);
    assert.equal(authSig.length, miscVectors().auth_sig_message_length.bytes_including_length_prefix);
  }

  const doneA = a.receive(stepB.send!);
  const doneB = b.receive(stepA.send!);
  const sessionA = doneA.done!;
  const sessionB = doneB.done!;
  assert.equal(doneA.send, undefined);
  assert.deepEqual(doneA.data, []);
  assert.deepEqual(doneB.data, []);
  assert.equal(sessionA.remoteNodeId, B.node_id);
  assert.equal(sessionB.remoteNodeId, A.node_id);
  assert.equal(hex(sessionA.remotePublicKey), B.ed25519_pubkey);
  assert.equal(hex(sessionB.remotePublicKey), A.ed25519_pubkey);

  // NodeInfo frames use nonce 1 in both directions.
  const niA = sessionA.seal([unhex(A.node_info_delimited)]);
  const niB = sessionB.seal([unhex(B.node_info_delimited)]);
  assert.equal(A.node_info_sealed_frames[0]!.nonce, '000000000100000000000000');
  assert.equal(hex(niA), A.node_info_sealed_frames[0]!.sealed);
  assert.equal(hex(niB), B.node_info_sealed_frames[0]!.sealed);
  assert.equal(hex(concat(sessionB.open(niA))), A.node_info_delimited);
  assert.equal(hex(concat(sessionA.open(niB))), B.node_info_delimited);

  // A's MConnection stream: two frames with nonces 2 and 3, in one contiguous buffer.
  const mconn = v.mconn_after_handshake_from_A;
  const sealed = sessionA.seal([unhex(mconn.stream_hex)]);
  assert.equal(hex(sealed), mconn.sealed_frames.map((f) => f.sealed).join(''));
  assert.equal(hex(concat(sessionB.open(sealed))), mconn.stream_hex);
}

/** Runs two machines against each other, delivering each direction's bytes in the given chunks. */
function runPair(
  a: SecretConnectionHandshake,
  b: SecretConnectionHandshake,
  cutsAB: readonly number[],
  cutsBA: readonly number[],
): { a: HandshakeStep; b: HandshakeStep } {
  // Each side sends its hello and (once it has the peer's hello) its AuthSig frame: 35 + 1044 bytes.
  const wireA: Uint8Array[] = [a.start()];
  const wireB: Uint8Array[] = [b.start()];
  let doneA: HandshakeStep | undefined;
  let doneB: HandshakeStep | undefined;
  let sentA = 0;
  let sentB = 0;
  // Deliver in rounds until both are done (at most a few rounds; bounded to catch bugs).
  for (let round = 0; round < 10 && (doneA === undefined || doneB === undefined); round++) {
    const fromA = concat(wireA.splice(0));
    const fromB = concat(wireB.splice(0));
    for (const chunk of splitAt(
      fromA,
      cutsAB.map((c) => c - sentA),
    )) {
      const step = b.receive(chunk);
      if (step.send !== undefined) wireB.push(step.send);
      if (step.done !== undefined) doneB = step;
    }
    for (const chunk of splitAt(
      fromB,
      cutsBA.map((c) => c - sentB),
    )) {
      const step = a.receive(chunk);
      if (step.send !== undefined) wireA.push(step.send);
      if (step.done !== undefined) doneA = step;
    }
    sentA += fromA.length;
    sentB += fromB.length;
  }
  assert.ok(doneA !== undefined && doneB !== undefined, 'both handshakes complete');
  return { a: doneA, b: doneB };
}

test('two state machines complete a handshake over arbitrary chunkings and talk both ways', () => {
  const keyA = NodeKey.generate();
  const keyB = NodeKey.generate();
  const cuts = fc.array(fc.integer({ min: 0, max: 1079 }), { maxLength: 12, size: 'max' });
  fc.assert(
    fc.property(cuts, cuts, fc.uint8Array({ maxLength: 3000, size: 'max' }), (cutsAB, cutsBA, payload) => {
      const a = new SecretConnectionHandshake({ nodeKey: keyA });
      const b = new SecretConnectionHandshake({ nodeKey: keyB });
      const result = runPair(a, b, cutsAB, cutsBA);
      const sa: SecretSession = result.a.done!;
      const sb: SecretSession = result.b.done!;
      assert.equal(sa.remoteNodeId, keyB.id);
      assert.equal(sb.remoteNodeId, keyA.id);
      assert.deepEqual(concat(sb.open(sa.seal([payload]))), payload);
      assert.deepEqual(concat(sa.open(sb.seal([payload]))), payload);
    }),
    { numRuns: runs('FC_RUNS', 60) },
  );
});

test('the peer key and AuthSig in one chunk give send and done at once; trailing plaintext is returned', () => {
  const peer = new ScriptedPeer();
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  const hello = us.start();
  const keys = peer.derive(hello);
  // The peer coalesces its AuthSig with the start of its next message; the AuthSig straddles frames.
  const trailing = randomBytes(1500);
  const sealed = keys.sealer.seal([
    peer.authSig(keys.challenge).subarray(0, 50),
    peer.authSig(keys.challenge).subarray(50),
    trailing,
  ]);
  const step = us.receive(concat([peer.hello(), sealed]));
  assert.ok(step.send !== undefined && step.send.length === 1044);
  assert.equal(step.done?.remoteNodeId, peer.nodeKey.id);
  assert.deepEqual(concat(step.data!), new Uint8Array(trailing));
  // Our AuthSig verifies on the peer side.
  const ours = keys.opener.open(step.send);
  assert.equal(concat(ours).length, 103);
});

test('an AuthSig delivered one byte at a time across frames completes', () => {
  const peer = new ScriptedPeer();
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  const keys = peer.derive(us.start());
  const authSig = peer.authSig(keys.challenge);
  const wire = concat([
    peer.hello(),
    ...Array.from(authSig, (byte) => keys.sealer.seal([Uint8Array.of(byte)])),
  ]);
  let done: SecretSession | undefined;
  for (let i = 0; i < wire.length; i++) {
    const step = us.receive(wire.subarray(i, i + 1));
    assert.ok(us.bufferedBytes < 35 + 1026 + 1044);
    if (step.done !== undefined) {
      assert.equal(i, wire.length - 1);
      done = step.done;
    }
  }
  assert.equal(done?.remoteNodeId, peer.nodeKey.id);
});

function expectCode(code: string, action?: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof PeerwireError, `expected a PeerwireError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (action !== undefined) assert.equal(error.action, action);
    return true;
  };
}

/** A started handshake and a scripted peer that already knows the keys. */
function setup(): {
  us: SecretConnectionHandshake;
  peer: ScriptedPeer;
  keys: ReturnType<ScriptedPeer['derive']>;
} {
  const peer = new ScriptedPeer();
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  const keys = peer.derive(us.start());
  us.receive(peer.hello());
  return { us, peer, keys };
}

test('each of the 7 low-order points as the peer ephemeral key aborts the handshake', () => {
  for (const point of miscVectors().x25519_low_order_points.points) {
    const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
    us.start();
    assert.throws(
      () => us.receive(concat([Uint8Array.of(0x22, 0x0a, 0x20), unhex(point.hex)])),
      expectCode(Code.LowOrderPoint, 'ban'),
    );
  }
});

test('a reflected ephemeral key is refused', () => {
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  const hello = us.start();
  assert.throws(() => us.receive(hello), expectCode(Code.ReflectedEphemeralKey));
});

test('malformed, truncated and oversized ephemeral-key messages are refused at the first wrong byte', () => {
  const key = randomBytes(32);
  const cases: [string, Uint8Array][] = [
    [
      'length 33 (value truncated to 31 bytes)',
      concat([Uint8Array.of(0x21, 0x0a, 0x1f), key.subarray(0, 31)]),
    ],
    ['length 35 (value of 33 bytes)', concat([Uint8Array.of(0x23, 0x0a, 0x21), key, Uint8Array.of(0)])],
    ['inner length 31', concat([Uint8Array.of(0x22, 0x0a, 0x1f), key])],
    ['inner length 33', concat([Uint8Array.of(0x22, 0x0a, 0x21), key])],
    ['wrong field tag', concat([Uint8Array.of(0x22, 0x12, 0x20), key])],
    ['two-byte length varint', concat([Uint8Array.of(0xa2, 0x00, 0x0a, 0x20), key])],
    ['amino-style 1 MiB length', Uint8Array.of(0x80, 0x80, 0x40)],
  ];
  for (const [name, bytes] of cases) {
    const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
    us.start();
    assert.throws(() => us.receive(bytes), expectCode(Code.MalformedEphemeralKey, 'ban'), name);
  }
  // A truncated message is simply incomplete: nothing happens until more bytes arrive.
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  us.start();
  assert.deepEqual(us.receive(concat([Uint8Array.of(0x22, 0x0a, 0x20), key.subarray(0, 20)])), {});
  assert.equal(us.bufferedBytes, 23);
});

test('AuthSig with a secp256k1 key, an empty key, or an unknown key type is refused as a key type error', () => {
  const variants: [string, Uint8Array][] = [
    ['secp256k1', field(1, field(2, randomBytes(33)))],
    ['empty PublicKey', field(1, new Uint8Array(0))],
    ['unknown oneof member', field(1, field(9, randomBytes(32)))],
    ['no pub_key at all', new Uint8Array(0)],
  ];
  for (const [name, pubKeyPart] of variants) {
    const { us, keys } = setup();
    const body = concat([pubKeyPart, field(2, randomBytes(64))]);
    assert.throws(
      () => us.receive(keys.sealer.seal([delimited(body)])),
      expectCode(Code.UnsupportedKeyType, 'ban'),
      name,
    );
  }
});

test('AuthSig with a 31-byte ed25519 key, a bad varint or an oversized length prefix is malformed', () => {
  const variants: [string, Uint8Array][] = [
    ['31-byte key', delimited(concat([field(1, field(1, randomBytes(31))), field(2, randomBytes(64))]))],
    ['field overrun', delimited(Uint8Array.of(0x0a, 0x7f, 0x00))],
    ['group wire type', delimited(Uint8Array.of(0x0b))],
    ['field number 0', delimited(Uint8Array.of(0x02, 0x00))],
    ['length 1025', Uint8Array.of(0x81, 0x08)],
    ['length prefix of 3 continuation bytes', Uint8Array.of(0xff, 0xff, 0xff)],
  ];
  for (const [name, plaintext] of variants) {
    const { us, keys } = setup();
    assert.throws(
      () => us.receive(keys.sealer.seal([plaintext])),
      expectCode(Code.MalformedAuthSig, 'ban'),
      name,
    );
  }
});

test('a bad signature, a signature over another challenge, or a short signature fails verification', () => {
  const other = new Uint8Array(32).fill(7);
  const variants: ((peer: ScriptedPeer, challenge: Uint8Array) => Uint8Array)[] = [
    (peer) => encodeAuthSigMessage(peer.nodeKey.publicKey, randomBytes(64)),
    (peer) => encodeAuthSigMessage(peer.nodeKey.publicKey, peer.nodeKey.sign(other)),
    (peer, challenge) => encodeAuthSigMessage(NodeKey.generate().publicKey, peer.nodeKey.sign(challenge)),
    (peer, challenge) =>
      delimited(
        concat([
          field(1, field(1, peer.nodeKey.publicKey)),
          field(2, peer.nodeKey.sign(challenge).subarray(0, 63)),
        ]),
      ),
  ];
  for (const make of variants) {
    const { us, peer, keys } = setup();
    assert.throws(
      () => us.receive(keys.sealer.seal([make(peer, keys.challenge)])),
      expectCode(Code.ChallengeVerification, 'ban'),
    );
  }
});

test('a tampered AuthSig frame fails to decrypt, and errors are final', () => {
  const { us, peer, keys } = setup();
  const frame = keys.sealer.seal([peer.authSig(keys.challenge)]);
  frame[200] = frame[200]! ^ 1;
  let first: unknown;
  assert.throws(
    () => us.receive(frame),
    (error: unknown) => {
      first = error;
      return expectCode(Code.DecryptFailed, 'disconnect')(error);
    },
  );
  assert.throws(
    () => us.receive(new Uint8Array(1)),
    (error: unknown) => error === first,
  );
});

test('calls out of order are refused with InvalidState', () => {
  const us = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  assert.throws(() => us.receive(new Uint8Array(1)), expectCode(Code.InvalidState));
  us.start();
  assert.throws(() => us.start(), expectCode(Code.InvalidState));
  const peer = new ScriptedPeer();
  const done = new SecretConnectionHandshake({ nodeKey: NodeKey.generate() });
  const keys = peer.derive(done.start());
  assert.ok(done.receive(concat([peer.hello(), keys.sealer.seal([peer.authSig(keys.challenge)])])).done);
  assert.throws(() => done.receive(new Uint8Array(1)), expectCode(Code.InvalidState));
});
