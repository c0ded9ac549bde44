// The plain handshake, sans-I/O: two sides complete it and learn each other's verified info; forged
// signatures, foreign IDs, malformed or oversize fields and out-of-order frames fail with typed errors
// and the right action; decodeInfo never throws anything but PeerwireError (fuzz).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { NodeKey } from '../../src/core/node-key.ts';
import type { LocalNode } from '../../src/transport/types.ts';
import {
  AUTH_TYPE,
  decodeInfo,
  encodeInfo,
  HELLO_BYTES,
  MAX_HANDSHAKE_BYTES,
  PlainHandshake,
} from '../../src/plain/handshake.ts';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

function local(key = NodeKey.generate(), overrides: Partial<LocalNode['info']> = {}): LocalNode {
  return {
    key,
    channels: [],
    info: {
      id: key.id,
      protocolVersion: '1',
      channels: [1, 2],
      network: 'net',
      userAgent: 'ua',
      listenAddress: `${key.id}@127.0.0.1:1`,
      ...overrides,
    },
  };
}

function isCode(code: string, action?: string): (error: unknown) => boolean {
  return (error) =>
    error instanceof PeerwireError &&
    error.code === code &&
    (action === undefined || error.action === action);
}

describe('plain handshake', () => {
  it('completes both ways and returns the verified PeerInfo', () => {
    const a = local();
    const b = local();
    const ha = new PlainHandshake(a);
    const hb = new PlainHandshake(b);
    const helloA = ha.hello();
    const helloB = hb.hello();
    assert.equal(helloA.length, HELLO_BYTES);
    const authA = ha.onHello(helloB);
    const authB = hb.onHello(helloA);
    const infoOfB = ha.onAuth(authB);
    const infoOfA = hb.onAuth(authA);
    assert.equal(infoOfB.id, b.key.id);
    assert.deepEqual(infoOfB.publicKey, b.key.publicKey);
    assert.deepEqual(infoOfB.channels, [1, 2]);
    assert.equal(infoOfB.listenAddress, b.info.listenAddress);
    assert.equal(infoOfA.id, a.key.id);
    assert.deepEqual(infoOfA.wire, { kind: 'plain', version: 1 });
    assert.ok(ha.isDone && hb.isDone);
  });

  it('rejects a signature over another challenge (replay) with action ban', () => {
    const a = local();
    const b = local();
    const ha = new PlainHandshake(a);
    const hb = new PlainHandshake(b);
    ha.onHello(hb.hello());
    // b signs a different challenge than the one a sent.
    const authB = hb.onHello(new PlainHandshake(local()).hello());
    assert.throws(() => ha.onAuth(authB), isCode(ErrorCode.HandshakeFailed, 'ban'));
  });

  it('rejects a tampered info with action ban', () => {
    const ha = new PlainHandshake(local());
    const hb = new PlainHandshake(local());
    ha.onHello(hb.hello());
    const authB = Buffer.from(hb.onHello(ha.hello()));
    authB[authB.length - 2] = authB[authB.length - 2]! ^ 1;
    assert.throws(() => ha.onAuth(authB), isCode(ErrorCode.HandshakeFailed, 'ban'));
  });

  it('rejects an id that is not the key holder’s with ERR_PEER_ID_MISMATCH and action ban', () => {
    const signer = NodeKey.generate();
    const other = NodeKey.generate();
    const liar: LocalNode = {
      key: signer,
      channels: [],
      info: { id: signer.id, protocolVersion: '1', channels: [] },
    };
    const ha = new PlainHandshake(local());
    const hb = new PlainHandshake(liar);
    ha.onHello(hb.hello());
    // Forge an AUTH whose info claims another id, correctly signed by `signer`.
    const challenge = ha.hello().subarray(2);
    const info = encodeInfo({ id: other.id, protocolVersion: '1', channels: [] });
    const signature = signer.sign(Buffer.concat([Buffer.from('peerwire/plain/v1 auth\0'), challenge, info]));
    const auth = Buffer.concat([Buffer.from([AUTH_TYPE]), signer.publicKey, signature, info]);
    assert.throws(() => ha.onAuth(auth), isCode(ErrorCode.PeerIdMismatch, 'ban'));
  });

  it('refuses frames out of order, unknown types and malformed hellos', () => {
    const ha = new PlainHandshake(local());
    const hb = new PlainHandshake(local());
    assert.throws(() => ha.onAuth(Buffer.alloc(200, AUTH_TYPE)), isCode(ErrorCode.HandshakeFailed));
    assert.throws(() => ha.receive(Buffer.from([9])), isCode(ErrorCode.HandshakeFailed));
    assert.throws(() => ha.receive(Buffer.alloc(0)), isCode(ErrorCode.HandshakeFailed));
    assert.throws(() => ha.onHello(Buffer.alloc(5, 1)), isCode(ErrorCode.HandshakeFailed));
    const badVersion = hb.hello();
    badVersion[1] = 9;
    assert.throws(() => new PlainHandshake(local()).onHello(badVersion), isCode(ErrorCode.HandshakeFailed));
    ha.onHello(hb.hello());
    assert.throws(() => ha.onHello(hb.hello()), isCode(ErrorCode.HandshakeFailed));
  });

  it('refuses a local info that does not match its key or does not fit a frame', () => {
    const key = NodeKey.generate();
    assert.throws(
      () => new PlainHandshake(local(key, { id: NodeKey.generate().id })),
      isCode(ErrorCode.InvalidArgument),
    );
    assert.throws(
      () => new PlainHandshake(local(key, { userAgent: 'x'.repeat(MAX_HANDSHAKE_BYTES) })),
      isCode(ErrorCode.InvalidArgument),
    );
  });

  it('bounds every info field', () => {
    const id = NodeKey.generate().id;
    const good = { id, protocolVersion: '1', channels: [1] };
    const bad: unknown[] = [
      [],
      'text',
      { ...good, id: 'ABC' },
      { ...good, protocolVersion: undefined },
      { ...good, protocolVersion: 'v'.repeat(65) },
      { ...good, channels: [0xffff] },
      { ...good, channels: [1.5] },
      { ...good, channels: [1, 1] },
      { ...good, channels: Array.from({ length: 257 }, (_, i) => i) },
      { ...good, network: 5 },
      { ...good, userAgent: 'u'.repeat(257) },
      { ...good, listenAddress: 'a'.repeat(401) },
    ];
    for (const value of bad) {
      assert.throws(
        () => decodeInfo(Buffer.from(JSON.stringify(value))),
        isCode(ErrorCode.HandshakeFailed),
        JSON.stringify(value).slice(0, 80),
      );
    }
    assert.throws(() => decodeInfo(Buffer.from('{')), isCode(ErrorCode.HandshakeFailed));
    assert.deepEqual(decodeInfo(Buffer.from(JSON.stringify({ ...good, extra: 1 }))), good);
  });

  it('decodeInfo and onAuth throw only PeerwireError on random input (fuzz)', () => {
    const ha = new PlainHandshake(local());
    ha.onHello(new PlainHandshake(local()).hello());
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300, size: 'max' }),
          fc.json().map((j) => new Uint8Array(Buffer.from(j))),
        ),
        (bytes) => {
          for (const run of [
            () => decodeInfo(bytes),
            () => ha.onAuth(Buffer.concat([Buffer.from([AUTH_TYPE]), Buffer.alloc(96), bytes])),
          ]) {
            try {
              run();
            } catch (error) {
              assert.ok(error instanceof PeerwireError, String(error));
            }
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
