// A Zcash block decoded from the pieces its body arrived in (block-pieces.ts) against `decodeBlock` of
// the joined bytes: on real blocks and on blocks with transactions far larger than a piece, cut at
// arbitrary points (pieces of one byte included), the same header, transactions and ids, with the bytes
// joined only when read; on mutations of them, the same refusal with the same message. Through the
// codec, a block framed and cut into reads decodes to the same block from its pieces (the default) and
// joined as it arrives (joinSplitBodies, as connections have it).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import { type Block, decodeBlock } from '../../../src/zcash/chain/block.ts';
import { MAINNET_HEADER_LENGTH } from '../../../src/zcash/chain/block-header.ts';
import { decodeBlockPieces } from '../../../src/zcash/chain/block-pieces.ts';
import { ByteWriter } from '../../../src/zcash/encoding/byte-writer.ts';
import { hashToDisplayHex } from '../../../src/zcash/encoding/hashes.ts';
import { ZcashCodec } from '../../../src/zcash/wire/codec.ts';
import type { ZcashMessage } from '../../../src/zcash/wire/messages.ts';
import { ZCASH_MAINNET } from '../../../src/zcash/params/network-params.ts';
import { mutate, xorshift } from './arbitraries.ts';

const CHAIN = new URL('../../vectors/chain/zcash/', import.meta.url);

/** Every Zcash block of the chain vectors (mainnet and testnet, v1-v5 transactions). */
function realBlocks(): Uint8Array[] {
  const { blocks } = JSON.parse(readFileSync(new URL('blocks.json', CHAIN), 'utf8')) as { blocks: { file: string }[] };
  return blocks.map((b) => new Uint8Array(Buffer.from(readFileSync(new URL(b.file, CHAIN), 'utf8').trim(), 'hex')));
}

const REAL = realBlocks();

/** A v1 transaction without inputs and one output whose script is `scriptLength` bytes. */
function v1Transaction(scriptLength: number, fill: number): Uint8Array {
  const w = new ByteWriter(scriptLength + 32);
  w.u32le(1);
  w.compactSize(0);
  w.compactSize(1);
  w.u64le(1000n);
  w.compactSize(scriptLength);
  w.bytes(new Uint8Array(scriptLength).fill(fill));
  w.u32le(0);
  return w.finish();
}

/** A mainnet block's header followed by transactions of the given script sizes (up to tens of KiB). */
function syntheticBlock(scriptLengths: readonly number[]): Uint8Array {
  const header = REAL.find((b) => b.length > MAINNET_HEADER_LENGTH + 100)!.subarray(0, MAINNET_HEADER_LENGTH);
  const w = new ByteWriter(MAINNET_HEADER_LENGTH + 9);
  w.bytes(header);
  w.compactSize(scriptLengths.length);
  for (const [i, n] of scriptLengths.entries()) w.bytes(v1Transaction(n, i));
  return w.finish();
}

/** `bytes` cut before each of the (sorted, deduplicated) offsets in `cuts`. */
function cut(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    pieces.push(Uint8Array.from(bytes.subarray(from, c))); // each piece its own buffer, as socket chunks are
    from = c;
  }
  return pieces;
}

/** Decodes `pieces` and counts how often the joined body was asked for. */
function decodePieces(bytes: Uint8Array, pieces: readonly Uint8Array[]): { block: Block; joins: () => number } {
  let joins = 0;
  const block = decodeBlockPieces(pieces, bytes.length, () => {
    joins++;
    return bytes;
  });
  return { block, joins: () => joins };
}

function assertSameBlock(actual: Block, expected: Block): void {
  assert.equal(hashToDisplayHex(actual.hash), hashToDisplayHex(expected.hash));
  assert.deepEqual(actual.header, expected.header);
  assert.equal(actual.transactionCount, expected.transactionCount);
  assert.equal(actual.transactions.length, expected.transactions.length);
  for (const [i, tx] of actual.transactions.entries()) {
    const want = expected.transactions[i]!;
    assert.deepEqual(Buffer.from(tx.bytes), Buffer.from(want.bytes), `transaction ${i}`);
    assert.equal(hashToDisplayHex(tx.txid), hashToDisplayHex(want.txid), `txid ${i}`);
  }
}

/** The joined decode's error message, or undefined when it accepts. */
function joinedRefusal(bytes: Uint8Array): string | undefined {
  try {
    decodeBlock(bytes);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof PeerwireError, String(err));
    return err.message;
  }
}

describe('Zcash block decoded from its pieces', () => {
  it('matches the joined decode on every real block cut at arbitrary points, and joins nothing until its bytes are read', () => {
    assert.ok(REAL.length > 40);
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL),
        fc.array(fc.nat(), { maxLength: 40, size: 'max' }),
        (bytes, cuts) => {
          const { block, joins } = decodePieces(bytes, cut(bytes, cuts));
          assertSameBlock(block, decodeBlock(bytes));
          assert.equal(joins(), 0, 'walked without joining');
          assert.equal(block.bytes, bytes);
          assert.equal(joins(), 1);
        },
      ),
      { numRuns: 300, seed: 0x9e1 },
    );
  });

  it('walks transactions much larger than a piece, and pieces of one byte', () => {
    const bytes = syntheticBlock([100, 70_000, 3, 9_000, 200_000, 5]);
    for (const cuts of [
      Array.from({ length: 40 }, (_, i) => i * 16_384 + 7), // 16 KiB reads
      Array.from({ length: 3_000 }, (_, i) => MAINNET_HEADER_LENGTH + i), // one-byte pieces over the first transactions
      [1, 2, 3, 1000, 1500, 80_000],
    ]) {
      const { block, joins } = decodePieces(bytes, cut(bytes, cuts));
      assertSameBlock(block, decodeBlock(bytes));
      assert.equal(joins(), 0);
    }
  });

  it('refuses exactly what the joined decode refuses, with its message, on mutations cut at arbitrary points', () => {
    const next = xorshift(0xb10c);
    const seeds = [...REAL, syntheticBlock([30_000, 10, 40_000])];
    let refused = 0;
    let total = 0;
    for (const seed of seeds) {
      for (let i = 0; i < 40; i++) {
        const bytes = mutate(seed, next);
        const cuts = Array.from({ length: 1 + (next() % 12) }, () => next());
        const expected = joinedRefusal(bytes);
        total++;
        if (expected === undefined) {
          const { block, joins } = decodePieces(bytes, cut(bytes, cuts));
          assertSameBlock(block, decodeBlock(bytes));
          assert.equal(joins(), 0, 'accepted by the walk over the pieces, not by the joined decode');
          continue;
        }
        refused++;
        assert.throws(
          () => decodePieces(bytes, cut(bytes, cuts)),
          (err: unknown) => err instanceof PeerwireError && err.message === expected,
        );
      }
    }
    assert.ok(refused > total / 4 && refused < total, `${refused} of ${total} refused`);
  });

  it('refuses trailing bytes after the last transaction and a count beyond the bytes left, as the joined decode does', () => {
    const block = REAL[0]!;
    const trailing = new Uint8Array(block.length + 3);
    trailing.set(block);
    const message = joinedRefusal(trailing);
    assert.match(message ?? '', /trailing/);
    assert.throws(() => decodePieces(trailing, cut(trailing, [700, 1600])), (e: unknown) => e instanceof PeerwireError && e.message === message);
    const short = syntheticBlock([10]);
    short[MAINNET_HEADER_LENGTH] = 200; // 200 transactions announced, one present
    const countMessage = joinedRefusal(short);
    assert.ok(countMessage !== undefined);
    assert.throws(() => decodePieces(short, cut(short, [900])), (e: unknown) => e instanceof PeerwireError && e.message === countMessage);
  });
});

describe('ZcashCodec: blocks split across reads', () => {
  it('decodes a block from its pieces by default and joined as it arrives with joinSplitBodies, both as the whole block', () => {
    const blocks = REAL.filter((b) => b.length > 4096);
    assert.ok(blocks.length >= 4);
    fc.assert(
      fc.property(fc.constantFrom(...blocks), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.boolean(), (bytes, cuts, join) => {
        const expected = decodeBlock(bytes);
        const codec = new ZcashCodec({ network: ZCASH_MAINNET, joinSplitBodies: join });
        codec.completeHandshake(ZCASH_MAINNET.protocolVersion);
        const frame = codec.encode({ command: 'block', block: expected });
        const reads = cut(frame, [...cuts, 100]); // at least two reads: the body is split
        const decoded: ZcashMessage[] = [];
        for (const read of reads) {
          codec.push(read);
          for (let m = codec.next(); m !== undefined; m = codec.next()) decoded.push(m);
        }
        assert.equal(decoded.length, 1);
        const m = decoded[0]!;
        assert.ok(m.command === 'block');
        assertSameBlock(m.block, expected);
        assert.deepEqual(Buffer.from(m.block.bytes), Buffer.from(bytes));
      }),
      { numRuns: 120, seed: 0xc0dec },
    );
  });
});
