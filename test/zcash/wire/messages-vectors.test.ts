// Every case of zebra-codec-messages.json through the full codec (frame → message), with byte-exact
// re-encoding of the accepted frames, plus the generated cases the file describes as recipes
// (filterload 35,999 / 40,000, headers 160 / 161, maximum body length).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  type BlockHeaderFields,
  RejectCode,
  ZCASH_MAINNET,
  ZcashCodec,
  ZcashErrorCode,
  type ZcashMessage,
  encodeMessage,
  hashToDisplayHex,
  sha256d,
  writeFrameHeader,
} from '../../../src/zcash/index.ts';
import { hex, loadJson, toHex } from './vectors.ts';

interface CodecCase {
  readonly name: string;
  readonly frame?: string;
  readonly body?: string;
  readonly expect: string;
  readonly decoded?: unknown;
}

const file = loadJson<{ cases: CodecCase[] }>('zebra-codec-messages.json');
const MAGIC = ZCASH_MAINNET.magic;
const VERSION = 170160;

/** Command of a body-only case, from its name. */
function commandOf(name: string): string {
  if (name.startsWith('version')) return 'version';
  if (name.startsWith('reject')) return 'reject';
  if (name.startsWith('getdata')) return 'getdata';
  if (name.startsWith('inv')) return 'inv';
  throw new Error(`no command for ${name}`);
}

function frameOf(command: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + body.length);
  writeFrameHeader(out, 0, MAGIC, command, body.length, sha256d(body));
  out.set(body, 24);
  return out;
}

function decodeAll(bytes: Uint8Array, handshakeDone = true): ZcashMessage[] {
  const codec = new ZcashCodec({ network: ZCASH_MAINNET });
  if (handshakeDone) codec.completeHandshake(VERSION);
  codec.push(bytes);
  const out: ZcashMessage[] = [];
  for (let m = codec.next(); m !== undefined; m = codec.next()) out.push(m);
  return out;
}

function reencode(m: ZcashMessage): Uint8Array {
  assert.ok(m.command !== 'addrv2' && m.command !== 'unknown');
  return encodeMessage(m, { magic: MAGIC, protocolVersion: VERSION, maxBodyLength: 2 * 1024 * 1024 });
}

function frameFor(c: CodecCase): Uint8Array {
  if (c.frame !== undefined) return hex(c.frame);
  return frameOf(commandOf(c.name), hex(c.body!));
}

describe('zebra codec message vectors', () => {
  for (const c of file.cases) {
    it(`${c.name} (${c.expect})`, () => {
      const bytes = frameFor(c);
      if (c.expect.startsWith('error')) {
        assert.throws(
          () => decodeAll(bytes, !c.name.startsWith('version')),
          (e: unknown) => e instanceof PeerwireError && e.action === 'disconnect',
        );
        return;
      }
      const msgs = decodeAll(bytes, !c.name.startsWith('version'));
      assert.equal(msgs.length, 1);
      const m = msgs[0]!;
      if (c.expect === 'ignored') {
        assert.ok(m.command === 'unknown');
        assert.equal(m.name, 'sendcmpct');
        return;
      }
      assert.ok(c.expect.startsWith('ok'));
      // Byte-exact re-encoding, except a version whose optional relay byte was omitted.
      if (c.name !== 'version_relay_omitted') assert.equal(toHex(reencode(m)), toHex(bytes));
    });
  }

  it('decodes the version test vector field by field', () => {
    const [m] = decodeAll(hex(file.cases[0]!.frame!), false);
    assert.ok(m?.command === 'version');
    assert.equal(m.version, 170160);
    assert.equal(m.services, 1n);
    assert.equal(m.timestamp, 1568000000);
    assert.deepEqual(m.addrRecv, { services: 1n, ip: '203.0.113.6', port: 8233 });
    assert.deepEqual(m.addrFrom, { services: 1n, ip: '203.0.113.6', port: 8233 });
    assert.equal(m.nonce, 0x9082490889279238n);
    assert.equal(m.userAgent, 'Zebra');
    assert.equal(m.startHeight, 540000);
    assert.equal(m.relay, true);
    assert.equal(hex(file.cases[0]!.body!).length, 91);
  });

  it('reads the optional relay byte: omitted → true, 0 → false, 2 → parse error', () => {
    const byName = (n: string) => file.cases.find((c) => c.name === n)!;
    const [omitted] = decodeAll(frameFor(byName('version_relay_omitted')), false);
    assert.ok(omitted?.command === 'version' && omitted.relay);
    const [off] = decodeAll(frameFor(byName('version_relay_false')), false);
    assert.ok(off?.command === 'version' && !off.relay);
    assert.throws(() => decodeAll(frameFor(byName('version_relay_value_2')), false), /non-bool/);
    assert.throws(() => decodeAll(frameFor(byName('version_user_agent_257')), false), /user agent too long/);
  });

  it('decodes reject fields and the optional data hash', () => {
    const [a] = decodeAll(frameFor(file.cases.find((c) => c.name === 'reject_no_data')!));
    assert.deepEqual(a, {
      command: 'reject',
      message: 'experimental',
      ccode: RejectCode.Malformed,
      reason: 'message could not be decoded',
      data: undefined,
    });
    const [b] = decodeAll(frameFor(file.cases.find((c) => c.name === 'reject_with_data')!));
    assert.ok(b?.command === 'reject');
    assert.equal(b.ccode, RejectCode.Invalid);
    assert.equal(b.reason, 'invalid block difficulty');
    assert.equal(toHex(b.data!), 'ff'.repeat(32));
  });

  it('decodes inventory: MSG_WTX 64-byte entries mixed with 36-byte ones, and type 0', () => {
    const [mixed] = decodeAll(frameFor(file.cases.find((c) => c.name === 'inv_mixed_tx_wtx_block')!));
    assert.ok(mixed?.command === 'inv');
    const seq = Array.from({ length: 32 }, (_, i) => i);
    assert.deepEqual(mixed.items, [
      { type: 'tx', hash: new Uint8Array(seq) },
      { type: 'wtx', txid: new Uint8Array(seq), authDigest: new Uint8Array(seq.map((i) => i + 32)) },
      { type: 'block', hash: new Uint8Array([...seq].reverse()) },
    ]);
    const [err] = decodeAll(frameFor(file.cases.find((c) => c.name === 'inv_error_type_0')!));
    assert.ok(err?.command === 'inv' && err.items[0]?.type === 'error');
  });

  it('requires the negotiated version in getheaders/getblocks', () => {
    for (const name of ['getheaders_genesis_locator', 'getblocks_genesis_locator']) {
      const bytes = frameFor(file.cases.find((c) => c.name === name)!);
      const [m] = decodeAll(bytes);
      assert.ok(m?.command === 'getheaders' || m?.command === 'getblocks');
      assert.equal(m.locator.length, 1);
      assert.equal(hashToDisplayHex(m.locator[0]!), ZCASH_MAINNET.genesisHash);
      assert.equal(m.stop, undefined);
      const codec = new ZcashCodec({ network: ZCASH_MAINNET });
      codec.completeHandshake(170150);
      codec.push(bytes);
      assert.throws(() => codec.next(), /did not match negotiation/);
    }
  });
});

describe('zebra codec generated cases', () => {
  function filterload(filterLength: number): Uint8Array {
    return frameOf('filterload', new Uint8Array(filterLength + 9));
  }

  it('filterload with a 35,999-byte filter decodes; 40,000 is rejected', () => {
    const [m] = decodeAll(filterload(35_999));
    assert.ok(m?.command === 'filterload');
    assert.equal(m.filter.length, 35_999);
    assert.throws(() => decodeAll(filterload(40_000)), /Invalid filterload message body length/);
    assert.throws(() => decodeAll(frameOf('filterload', new Uint8Array(8))), /Invalid filterload/);
  });

  function headers(n: number): Uint8Array {
    const h: BlockHeaderFields = {
      version: 4,
      previousBlockHash: new Uint8Array(32).fill(1),
      merkleRoot: new Uint8Array(32).fill(2),
      commitments: new Uint8Array(32).fill(3),
      time: 1_600_000_000,
      bits: 0x1d00ffff,
      nonce: new Uint8Array(32).fill(4),
      solution: new Uint8Array(1344).fill(5),
    };
    const ok = encodeMessage(
      { command: 'headers', headers: Array.from({ length: Math.min(n, 160) }, () => h) },
      { magic: MAGIC, protocolVersion: VERSION, maxBodyLength: 2 * 1024 * 1024 },
    );
    if (n <= 160) return ok;
    // 161 entries cannot be encoded by us; build the body by hand: a one-byte count, then the entries.
    const entries = ok.subarray(24 + 1);
    const one = entries.subarray(0, entries.length / 160);
    const body = new Uint8Array(1 + one.length * n);
    body[0] = n;
    for (let i = 0; i < n; i++) body.set(one, 1 + i * one.length);
    return frameOf('headers', body);
  }

  it('headers with 160 entries decode (after the handshake); 161 are rejected', () => {
    const [m] = decodeAll(headers(160));
    assert.ok(m?.command === 'headers');
    assert.equal(m.headers.length, 160);
    assert.throws(() => decodeAll(headers(161)), /exceeds the limit of 160/);
    assert.throws(
      () => decodeAll(headers(160), false),
      (e: unknown) => e instanceof PeerwireError && e.code === ZcashErrorCode.FrameTooLarge,
    );
  });

  it('a body over the codec maximum is rejected from its header', () => {
    const tooBig = new Uint8Array(24);
    tooBig.set(MAGIC);
    tooBig.set(Buffer.from('block'), 4);
    new DataView(tooBig.buffer).setUint32(16, 2 * 1024 * 1024 + 1, true);
    assert.throws(
      () => decodeAll(tooBig),
      (e: unknown) => e instanceof PeerwireError && e.code === ZcashErrorCode.FrameTooLarge,
    );
    tooBig[16] = 0x01;
    tooBig[17] = 0x04;
    tooBig[18] = 0;
    tooBig[19] = 0; // 1025 bytes, before the handshake
    assert.throws(() => decodeAll(tooBig, false), /exceeded maximum size 1024/);
  });
});
