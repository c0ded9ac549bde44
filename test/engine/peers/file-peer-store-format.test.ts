// The peer store file format, as pure functions: round trips of arbitrary valid records, every
// single-bit flip and every truncation detected, the decoder never throwing on arbitrary bytes, the
// record validator throwing only typed errors, and the caps.

import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  ERR_PEERS_RECORD_INVALID,
  ERR_PEERS_STORE_TOO_LARGE,
  MAX_PEER_FILE_BYTES,
  PEER_FILE_HEADER_BYTES,
  PEER_FILE_MAGIC,
  PEER_FILE_VERSION,
  decodePeerFile,
  encodePeerFile,
  normalisePeerRecord,
  serialisePeerRecord,
} from '../../../src/engine/peers/file-peer-store-format.ts';
import type { PeerAddressRecord, PeerRecord } from '../../../src/engine/peers/types.ts';

const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

const time = fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined });

const addressArb: fc.Arbitrary<PeerAddressRecord> = fc
  .record({
    address: fc.string({ minLength: 1, maxLength: 60, size: 'max' }),
    dialFailures: fc.nat({ max: 1000 }),
    lastDialSuccess: time,
    lastDialFailure: time,
  })
  .map((a) => {
    const out: PeerAddressRecord = { address: a.address, dialFailures: a.dialFailures };
    if (a.lastDialSuccess !== undefined) out.lastDialSuccess = a.lastDialSuccess;
    if (a.lastDialFailure !== undefined) out.lastDialFailure = a.lastDialFailure;
    return out;
  });

const recordArb: fc.Arbitrary<PeerRecord> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 50, size: 'max' }),
    addresses: fc.array(addressArb, { maxLength: 4 }),
    lastConnected: time,
    inactive: fc.boolean(),
    mutableScore: fc.integer({ min: -32768, max: 32767 }),
    bannedUntil: time,
    policy: fc.option(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      {
        nil: undefined,
      },
    ),
  })
  .map((r) => {
    const out: PeerRecord = {
      id: r.id,
      addresses: r.addresses,
      inactive: r.inactive,
      mutableScore: r.mutableScore,
    };
    if (r.lastConnected !== undefined) out.lastConnected = r.lastConnected;
    if (r.bannedUntil !== undefined) out.bannedUntil = r.bannedUntil;
    if (r.policy !== undefined) out.policy = r.policy;
    return out;
  });

const recordsArb = fc.uniqueArray(recordArb, { maxLength: 8, selector: (r) => r.id });

/** What a JSON round trip makes of a record (-0 becomes 0 and so on): the stored form. */
const viaJson = (records: PeerRecord[]): unknown => JSON.parse(JSON.stringify(records));

const encode = (records: PeerRecord[]): Buffer =>
  encodePeerFile(records.map((r) => serialisePeerRecord(normalisePeerRecord(r))));

test('header layout: magic, version, length, SHA-256 of the body', () => {
  const file = encode([{ id: 'x', addresses: [], inactive: false, mutableScore: 0 }]);
  assert.deepEqual(file.subarray(0, 8), Buffer.from(PEER_FILE_MAGIC));
  assert.equal(file.readUInt32BE(8), PEER_FILE_VERSION);
  assert.equal(file.readUInt32BE(12), file.length - PEER_FILE_HEADER_BYTES);
  assert.equal(
    file.subarray(PEER_FILE_HEADER_BYTES).toString('utf8'),
    '[{"id":"x","addresses":[],"inactive":false,"mutableScore":0}]',
  );
  assert.deepEqual(decodePeerFile(encodePeerFile([])), { ok: true, records: [] });
});

test('arbitrary valid records round trip through the file', () => {
  fc.assert(
    fc.property(recordsArb, (records) => {
      const decoded = decodePeerFile(encode(records));
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.records, viaJson(records));
    }),
    { numRuns: FC_RUNS },
  );
});

test('normalising keeps only known fields and copies the policy', () => {
  const policy = { state: 'responded' };
  const input = {
    id: 'p',
    addresses: [{ address: 'a:1', dialFailures: 0, extra: 1 }],
    inactive: true,
    mutableScore: 1,
    policy,
    junk: 'x',
  };
  const out = normalisePeerRecord(input);
  assert.deepEqual(out, {
    id: 'p',
    addresses: [{ address: 'a:1', dialFailures: 0 }],
    inactive: true,
    mutableScore: 1,
    policy,
  });
  assert.notEqual(out.policy, policy);
});

test('every single-bit flip and every truncation of a file is detected', () => {
  fc.assert(
    fc.property(recordsArb, fc.nat(), fc.nat(), (records, position, cut) => {
      const file = encode(records);
      const flipped = Buffer.from(file);
      const at = position % file.length;
      flipped[at] = flipped[at]! ^ (1 << (position % 8));
      assert.equal(decodePeerFile(flipped).ok, false);
      assert.equal(decodePeerFile(file.subarray(0, cut % file.length)).ok, false);
    }),
    { numRuns: FC_RUNS },
  );
});

/** A correct header (magic, version, length, checksum) around any body bytes. */
function withHeader(body: Uint8Array): Buffer {
  const header = Buffer.alloc(PEER_FILE_HEADER_BYTES);
  header.set(PEER_FILE_MAGIC, 0);
  header.writeUInt32BE(PEER_FILE_VERSION, 8);
  header.writeUInt32BE(body.length, 12);
  createHash('sha256').update(body).digest().copy(header, 16);
  return Buffer.concat([header, body]);
}

test('the decoder never throws on arbitrary bytes, bare or behind a valid header', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256, size: 'max' }), fc.boolean(), (bytes, framed) => {
      const decoded = decodePeerFile(framed ? withHeader(bytes) : bytes);
      assert.equal(typeof decoded.ok, 'boolean');
      // Random bytes never carry the magic, a valid length and a matching checksum by chance.
      if (!framed) assert.equal(decoded.ok, false);
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('the decoder never throws on arbitrary JSON bodies and accepts only valid records', () => {
  const body = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }).map((v) => JSON.stringify(v)),
    recordsArb.map((records) =>
      JSON.stringify(records.map((r) => ({ ...r, id: r.id.length > 3 ? r.id : 1 }))),
    ),
  );
  fc.assert(
    fc.property(body, (text) => {
      const decoded = decodePeerFile(withHeader(Buffer.from(text, 'utf8')));
      if (decoded.ok) {
        for (const record of decoded.records) assert.deepEqual(normalisePeerRecord(record), record);
      } else {
        assert.ok(['bad_body', 'bad_record'].includes(decoded.reason), decoded.reason);
      }
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('the record validator throws only typed errors on arbitrary values', () => {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      try {
        normalisePeerRecord(value);
      } catch (error) {
        assert.ok(error instanceof PeerwireError && error.code === ERR_PEERS_RECORD_INVALID);
      }
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test('an encoding over the file cap is refused before it is built', () => {
  const big = `"${'x'.repeat(MAX_PEER_FILE_BYTES)}"`;
  assert.throws(
    () => encodePeerFile([big]),
    (e: unknown) => e instanceof PeerwireError && e.code === ERR_PEERS_STORE_TOO_LARGE,
  );
});
