// The allocation-free transaction walk (zcash-transaction-walk.ts) against the full parse
// (zcash-transaction.ts): on generated and real transactions and on mutations of them, the walk ends at
// the same offset when the parse accepts and refuses exactly when the parse throws. Amount bounds are
// checked at their edges, where the walk's double arithmetic could differ from the parse's bigints.
// Decoded blocks and transactions report the full parse's error, and parse their fields once, on read.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PeerwireError } from '../../../src/core/errors.ts';
import { decodeBlock } from '../../../src/zcash/chain/block.ts';
import { decodeTransaction } from '../../../src/zcash/chain/transaction.ts';
import { MAX_MONEY } from '../../../src/zcash/chain/transparent.ts';
import { walkZcashTransaction } from '../../../src/zcash/chain/zcash-transaction-walk.ts';
import { readZcashTransaction } from '../../../src/zcash/chain/zcash-transaction.ts';
import { ByteReader } from '../../../src/zcash/encoding/byte-reader.ts';
import { ByteWriter } from '../../../src/zcash/encoding/byte-writer.ts';
import fc from 'fast-check';
import { mutate, xorshift, zcashTransaction } from './arbitraries.ts';

const CHAIN = new URL('../../vectors/chain/zcash/', import.meta.url);
/** Mutations per seed: with ~130 seeds, 6.5 × 10^4 inputs (each a few µs to walk and parse). */
const MUTATIONS_PER_SEED = 500;

/** Where the full parse ends, or -1 when it throws (it may only throw typed errors). */
function parseEnd(bytes: Uint8Array): number {
  const r = new ByteReader(bytes);
  try {
    readZcashTransaction(r);
    return r.offset;
  } catch (err) {
    assert.ok(err instanceof PeerwireError, String(err));
    return -1;
  }
}

/** Every transaction of the real blocks (Zebra's vectors, v1-v5, coinbase included). */
function realTransactions(): Uint8Array[] {
  const { blocks } = JSON.parse(readFileSync(new URL('blocks.json', CHAIN), 'utf8')) as {
    blocks: { file: string; txs: { offset: number; size: number }[] }[];
  };
  return blocks.flatMap((b) => {
    const bytes = new Uint8Array(Buffer.from(readFileSync(new URL(b.file, CHAIN), 'utf8').trim(), 'hex'));
    return b.txs.map((t) => bytes.subarray(t.offset, t.offset + t.size));
  });
}

/** A v1 transaction: no inputs, one output of `value` (raw u64) with an empty script. */
function v1WithOutputValue(value: bigint): Uint8Array {
  const w = new ByteWriter(32);
  w.u32le(1);
  w.compactSize(0);
  w.compactSize(1);
  w.u64le(BigInt.asUintN(64, value));
  w.compactSize(0);
  w.u32le(0);
  return w.finish();
}

describe('Zcash transaction walk', () => {
  const seeds = [...realTransactions(), ...fc.sample(zcashTransaction, { numRuns: 60, seed: 5 }).map((g) => g.bytes)];

  it('ends where the full parse ends on every real and generated transaction', () => {
    assert.ok(seeds.length > 60);
    for (const tx of seeds) {
      assert.equal(walkZcashTransaction(tx, 0), tx.length);
      assert.equal(parseEnd(tx), tx.length);
    }
  });

  it('refuses exactly what the full parse refuses, on mutations of them', () => {
    const next = xorshift(0x5eed);
    let refused = 0;
    let total = 0;
    for (const seed of seeds) {
      for (let i = 0; i < MUTATIONS_PER_SEED; i++) {
        const input = mutate(seed, next);
        const expected = parseEnd(input);
        assert.equal(walkZcashTransaction(input, 0), expected, `mutation ${i} of a ${seed.length}-byte transaction`);
        if (expected < 0) refused++;
        total++;
      }
    }
    // Both outcomes must be well represented for the comparison to mean something.
    assert.ok(refused > total / 10 && refused < total - total / 10, `${refused} of ${total} refused`);
  });

  it('checks amounts at the edges of 0 ..= MAX_MONEY as the parse does', () => {
    const edges = [0n, 1n, MAX_MONEY - 1n, MAX_MONEY, MAX_MONEY + 1n, 1n << 51n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, -1n, -MAX_MONEY];
    for (const value of edges) {
      const tx = v1WithOutputValue(value);
      const ok = value >= 0n && value <= MAX_MONEY;
      assert.equal(parseEnd(tx), ok ? tx.length : -1, `parse, value ${value}`);
      assert.equal(walkZcashTransaction(tx, 0), ok ? tx.length : -1, `walk, value ${value}`);
    }
  });

  it('a refused transaction reports the full parse error, in a tx and in a block', () => {
    const tx = v1WithOutputValue(MAX_MONEY + 1n);
    assert.throws(() => decodeTransaction(tx), /output value 2100000000000001 outside 0 \.\.= MAX_MONEY/);
    const header = Buffer.concat([Buffer.from([4, 0, 0, 0]), Buffer.alloc(32 * 3 + 8 + 32, 7), Buffer.from([36]), Buffer.alloc(36, 9)]);
    const good = seeds[0]!;
    const block = new Uint8Array(Buffer.concat([header, Buffer.from([2]), good, tx]));
    const at = header.length + 1 + good.length;
    assert.throws(() => decodeBlock(block), (err: Error) => {
      assert.ok(err instanceof PeerwireError);
      assert.match(err.message, new RegExp(`^block transaction 1 at offset ${at}: output value 2100000000000001 outside`));
      return true;
    });
  });

  it('a decoded block builds its transactions on first read and parses each one once', () => {
    const header = Buffer.concat([Buffer.from([4, 0, 0, 0]), Buffer.alloc(32 * 3 + 8 + 32, 7), Buffer.from([36]), Buffer.alloc(36, 9)]);
    const txs = seeds.slice(0, 5);
    const bytes = new Uint8Array(Buffer.concat([header, Buffer.from([txs.length]), ...txs]));
    const block = decodeBlock(bytes);
    assert.equal(block.transactionCount, txs.length);
    const list = block.transactions;
    assert.equal(block.transactions, list, 'built once');
    let at = header.length + 1;
    list.forEach((tx, i) => {
      assert.equal(tx.bytes.buffer, bytes.buffer, 'a view, not a copy');
      assert.equal(tx.bytes.byteOffset, at);
      assert.equal(tx.bytes.length, txs[i]!.length);
      at += tx.bytes.length;
      assert.equal(tx.inputs, tx.inputs, 'fields parsed once');
      assert.equal(tx.lockTime, decodeTransaction(txs[i]!).lockTime);
    });
  });
});
