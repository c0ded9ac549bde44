// fast-check round trips for every encodable message type: any list of messages, encoded with the
// codec, concatenated and split at arbitrary points, decodes back to the same messages. Also the
// v1 address entries of `addr` and the header hash. Run count from FC_RUNS.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type AddrEntry,
  type BlockHeaderFields,
  type InventoryItem,
  MAX_VERSION_TIMESTAMP,
  MIN_VERSION_TIMESTAMP,
  type NetAddress,
  type OutboundMessage,
  REJECT_CODES,
  type RejectCodeValue,
  ZCASH_MAINNET,
  ZcashCodec,
  type ZcashMessage,
  decodeBlock,
  decodeTransaction,
  ipFromBytes16,
  ipv4FromBytes,
  sha256d,
} from '../../../src/zcash/index.ts';
import { zcashTransaction } from '../chain/arbitraries.ts';
import { fcRuns } from './vectors.ts';

const VERSION = 170160;
const utf8 = new TextEncoder();

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonZeroHash = hash.filter((h) => h.some((b) => b !== 0));
const ip = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipv4FromBytes(b)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipFromBytes16(b)),
);
const port = fc.integer({ min: 0, max: 0xffff });
const netAddr: fc.Arbitrary<NetAddress> = fc.record({ services: u64, ip, port });
const addrEntry: fc.Arbitrary<AddrEntry> = fc.record({ time: u32, services: u64, ip, port });
const boundedString = (maxBytes: number) =>
  fc
    .string({ unit: 'grapheme', maxLength: maxBytes, size: 'max' })
    .filter((s) => utf8.encode(s).length <= maxBytes);

const inventoryItem: fc.Arbitrary<InventoryItem> = fc.oneof(
  hash.map((h) => ({ type: 'error' as const, hash: h })),
  hash.map((h) => ({ type: 'tx' as const, hash: h })),
  hash.map((h) => ({ type: 'block' as const, hash: h })),
  hash.map((h) => ({ type: 'filtered-block' as const, hash: h })),
  fc.record({ txid: hash, authDigest: hash }).map((w) => ({ type: 'wtx' as const, ...w })),
);

const headerFields: fc.Arbitrary<BlockHeaderFields> = fc.record({
  version: fc.integer({ min: 4, max: 0x7fffffff }),
  previousBlockHash: hash,
  merkleRoot: hash,
  commitments: hash,
  time: u32,
  bits: u32,
  nonce: hash,
  solution: fc.oneof(
    fc.uint8Array({ minLength: 36, maxLength: 36 }),
    fc.uint8Array({ minLength: 1344, maxLength: 1344 }),
  ),
});

/** Transaction bytes with a valid v1/v2/v4 header and arbitrary contents (opaque for the codec). */

function writeHeaderBytes(h: BlockHeaderFields): Uint8Array {
  const codec = new ZcashCodec({ network: ZCASH_MAINNET });
  codec.completeHandshake(VERSION);
  const frame = codec.encode({ command: 'headers', headers: [h] });
  return frame.subarray(25, frame.length - 1);
}

const message: fc.Arbitrary<OutboundMessage> = fc.oneof(
  fc.record({
    command: fc.constant('version' as const),
    version: u32,
    services: u64,
    timestamp: fc
      .bigInt({ min: BigInt(MIN_VERSION_TIMESTAMP), max: BigInt(MAX_VERSION_TIMESTAMP) })
      .map(Number),
    addrRecv: netAddr,
    addrFrom: netAddr,
    nonce: u64,
    userAgent: boundedString(256),
    startHeight: u32,
    relay: fc.boolean(),
  }),
  fc.constantFrom(
    { command: 'verack' as const },
    { command: 'getaddr' as const },
    { command: 'mempool' as const },
    { command: 'filterclear' as const },
  ),
  fc.record({ command: fc.constantFrom('ping' as const, 'pong' as const), nonce: u64 }),
  fc.record({
    command: fc.constant('reject' as const),
    message: boundedString(12),
    ccode: fc.constantFrom(...([...REJECT_CODES] as RejectCodeValue[])),
    reason: boundedString(111),
    data: fc.option(hash, { nil: undefined }),
  }),
  fc.record({
    command: fc.constant('addr' as const),
    addrs: fc.array(addrEntry, { maxLength: 40, size: 'max' }),
  }),
  fc.record({
    command: fc.constantFrom('inv' as const, 'getdata' as const, 'notfound' as const),
    items: fc.array(inventoryItem, { maxLength: 40, size: 'max' }),
  }),
  fc.record({
    command: fc.constantFrom('getblocks' as const, 'getheaders' as const),
    locator: fc.array(hash, { maxLength: 101, size: 'max' }),
    stop: fc.option(nonZeroHash, { nil: undefined }),
  }),
  fc.record({ command: fc.constant('headers' as const), headers: fc.array(headerFields, { maxLength: 3 }) }),
  fc.tuple(headerFields, fc.array(zcashTransaction, { maxLength: 4 })).map(([h, txs]) => {
    const header = writeHeaderBytes(h);
    const bytes = new Uint8Array([...header, txs.length, ...txs.flatMap((t) => [...t.bytes])]);
    return { command: 'block' as const, block: decodeBlock(bytes) };
  }),
  zcashTransaction.map((t) => ({ command: 'tx' as const, tx: decodeTransaction(t.bytes) })),
  fc.record({
    command: fc.constant('filterload' as const),
    filter: fc.uint8Array({ maxLength: 600, size: 'max' }),
    hashFunctions: u32,
    tweak: u32,
    flags: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    command: fc.constant('filteradd' as const),
    data: fc.uint8Array({ maxLength: 520, size: 'max' }),
  }),
);

/** Plain comparable data: bytes as hex, bigints as text, prototype-free records as plain objects. */
function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return `0x${Buffer.from(x).toString('hex')}`;
  if (typeof x === 'bigint') return `${x}n`;
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return x;
}

/** What a decoded message must equal: headers gain their hash; blocks/txs compare by bytes and ids. */
function normalise(m: OutboundMessage | ZcashMessage): unknown {
  return plain(shape(m));
}

function shape(m: OutboundMessage | ZcashMessage): unknown {
  switch (m.command) {
    case 'headers':
      return {
        command: 'headers',
        headers: m.headers.map((h) => ({ ...h, format: 'zcash', hash: new Uint8Array(sha256d(writeHeaderBytes(h as BlockHeaderFields))) })),
      };
    case 'getblocks':
    case 'getheaders':
      // The version field is the codec's own on encode and reported on decode.
      return { command: m.command, locator: m.locator, stop: m.stop };
    case 'block':
      return {
        command: 'block',
        bytes: Buffer.from(m.block.bytes).toString('hex'),
        hash: Buffer.from(m.block.hash).toString('hex'),
      };
    case 'tx':
      return {
        command: 'tx',
        bytes: Buffer.from(m.tx.bytes).toString('hex'),
        txid: Buffer.from(m.tx.txid).toString('hex'),
        version: m.tx.version,
      };
    default:
      return m;
  }
}

describe('zcash message round trips (fast-check)', () => {
  it('every encodable message survives encode → split stream → decode', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (msgs, cuts) => {
          const enc = new ZcashCodec({ network: ZCASH_MAINNET });
          enc.completeHandshake(VERSION);
          const frames = msgs.map((m) => enc.encode(m));
          const stream = Buffer.concat(frames);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const dec = new ZcashCodec({ network: ZCASH_MAINNET });
          dec.completeHandshake(VERSION);
          const out: ZcashMessage[] = [];
          let last = 0;
          for (const p of [...points, stream.length]) {
            dec.push(new Uint8Array(stream.subarray(last, p)));
            last = p;
            for (let m = dec.next(); m !== undefined; m = dec.next()) out.push(m);
          }
          assert.equal(out.length, msgs.length);
          out.forEach((m, i) => assert.deepEqual(normalise(m), normalise(msgs[i]!)));
          assert.equal(dec.bufferedBytes, 0);
        },
      ),
      { numRuns: fcRuns(200) },
    );
  });

  it('each message type round-trips on its own', () => {
    fc.assert(
      fc.property(message, (m) => {
        const codec = new ZcashCodec({ network: ZCASH_MAINNET });
        codec.completeHandshake(VERSION);
        codec.push(codec.encode(m));
        const d = codec.next();
        assert.ok(d !== undefined);
        assert.deepEqual(normalise(d), normalise(m));
        // Re-encoding the decoded message gives the same bytes.
        assert.ok(d.command !== 'addrv2' && d.command !== 'unknown');
        assert.deepEqual(codec.encode(d as OutboundMessage), codec.encode(m));
      }),
      { numRuns: fcRuns(500) },
    );
  });
});
