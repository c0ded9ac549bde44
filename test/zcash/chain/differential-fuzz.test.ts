// Differential and fuzz tests of the chain decoders. Generated transactions (arbitraries.ts, written
// from the spec layouts) round-trip through the parsers; generated and real Bitcoin transactions and
// blocks agree field by field with bcoin's independent parsers. Fuzz: each decoder (Zcash and Bitcoin
// transactions, Zcash and Bitcoin blocks, every message body, the dissector-only messages) takes FUZZ_BATCH × FUZZ_RUNS
// inputs — by default 100 × 1,000 = 10^5, cheap mutations of valid seeds (flipped bytes, cuts,
// appended bytes) and random bytes generated in batches inside one fast-check run — and may only
// return a result whose item counts fit the input's size or throw a `disconnect` PeerwireError.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  type ChainFormat,
  decodeBlock,
  decodeTransaction,
  hashToDisplayHex,
  type Transaction,
} from '../../../src/zcash/index.ts';
import { IGNORED_COMMANDS, decodeIgnoredMessage } from '../../../src/zcash/wire/ignored-messages.ts';
import { decodeMessageBody } from '../../../src/zcash/wire/message-body.ts';
import { DECODE_ONLY_COMMANDS, ENCODABLE_COMMANDS, type KnownCommand } from '../../../src/zcash/wire/messages.ts';
import { bitcoinTransaction, mutate, xorshift, zcashTransaction } from './arbitraries.ts';
import { BcoinBlock, BcoinTX, type BcoinTx } from './bcoin.ts';

const CHAIN = new URL('../../vectors/chain/', import.meta.url);
const loadHex = (path: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(new URL(path, CHAIN), 'utf8').trim(), 'hex'));

const env = (name: string, fallback: number): number => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};
const RUNS = env('FUZZ_RUNS', 1_000);
const BATCH = env('FUZZ_BATCH', 100);

function agreeWithBcoin(ours: Transaction, theirs: BcoinTx): void {
  assert.ok(ours.chain === 'bitcoin');
  assert.equal(hashToDisplayHex(ours.txid), theirs.txid());
  assert.equal(hashToDisplayHex(ours.wtxid), theirs.wtxid());
  assert.equal(ours.witnesses !== undefined, theirs.hasWitness());
  assert.equal(ours.version >>> 0, theirs.version >>> 0); // bcoin reads the signed version unsigned
  assert.equal(ours.lockTime, theirs.locktime);
  assert.equal(ours.inputs.length, theirs.inputs.length);
  ours.inputs.forEach((input, i) => {
    assert.equal(input.sequence, theirs.inputs[i]!.sequence);
    assert.deepEqual(Buffer.from(input.script), theirs.inputs[i]!.script.toRaw());
    assert.deepEqual((ours.witnesses?.[i] ?? []).map((w) => Buffer.from(w)), theirs.inputs[i]!.witness.items.map((w) => Buffer.from(w)));
  });
  assert.equal(ours.outputs.length, theirs.outputs.length);
  ours.outputs.forEach((output, i) => {
    assert.equal(Number(output.value), theirs.outputs[i]!.value);
    assert.deepEqual(Buffer.from(output.script), theirs.outputs[i]!.script.toRaw());
  });
}

describe('generated transactions round-trip', () => {
  it('Zcash v1-v5: every byte is parsed, counts and fields come back', () => {
    fc.assert(
      fc.property(zcashTransaction, (g) => {
        const tx = decodeTransaction(g.bytes, 'zcash');
        assert.ok(tx.chain === 'zcash');
        assert.equal(tx.bytes.length, g.bytes.length);
        assert.equal(tx.version, g.version);
        assert.equal(tx.inputs.length, g.inputs);
        assert.equal(tx.outputs.length, g.outputs);
        assert.equal(tx.lockTime, g.lockTime);
        assert.equal(tx.sprout?.joinSplits.length ?? 0, g.joinSplits);
        assert.equal(tx.sapling?.spends.length ?? 0, g.spends);
        assert.equal(tx.sapling?.outputs.length ?? 0, g.saplingOutputs);
        assert.equal(tx.orchard?.actions.length ?? 0, g.actions);
        assert.equal(tx.txid.length, 32);
        assert.equal(tx.authDigest !== undefined, g.version === 5);
        // One byte less is a typed truncation error; one byte more a trailing-bytes error.
        assert.throws(() => decodeTransaction(g.bytes.subarray(0, g.bytes.length - 1), 'zcash'), PeerwireError);
        assert.throws(() => decodeTransaction(new Uint8Array([...g.bytes, 0]), 'zcash'), /trailing bytes/);
      }),
      { numRuns: env('FC_RUNS', 300) },
    );
  });

  it('Bitcoin legacy and segwit: bcoin parses the same transaction', () => {
    fc.assert(
      fc.property(bitcoinTransaction, (g) => {
        const tx = decodeTransaction(g.bytes, 'bitcoin');
        assert.equal(tx.bytes.length, g.bytes.length);
        agreeWithBcoin(tx, BcoinTX.fromRaw(Buffer.from(g.bytes)));
      }),
      { numRuns: env('FC_RUNS', 300) },
    );
  });

  it('real Bitcoin blocks: every transaction agrees with bcoin', () => {
    for (const file of ['main-0-100-002.hex', 'main-0-482-683.hex', 'test3-0-924-634.hex', 'test3-1-087-400.hex']) {
      const bytes = loadHex(`bitcoin/${file}`);
      const ours = decodeBlock(bytes, 'bitcoin');
      const theirs = BcoinBlock.fromRaw(Buffer.from(bytes));
      assert.equal(hashToDisplayHex(ours.hash), theirs.rhash(), file);
      assert.equal(ours.transactions.length, theirs.txs.length);
      ours.transactions.forEach((tx, i) => agreeWithBcoin(tx, theirs.txs[i]!));
    }
  });
});

function expectTypedOrBounded(decode: () => number, input: Uint8Array): void {
  try {
    // The decoder returns how many items it allocated; each needs at least one input byte.
    assert.ok(decode() <= input.length, 'allocation bounded by the input');
  } catch (error) {
    if (!(error instanceof PeerwireError)) throw new Error(`non-PeerwireError: ${String(error)}`, { cause: error });
    assert.equal(error.action, 'disconnect');
  }
}

function itemsOf(tx: Transaction): number {
  const shielded = tx.chain === 'zcash' ? (tx.sprout?.joinSplits.length ?? 0) + (tx.sapling?.spends.length ?? 0) + (tx.sapling?.outputs.length ?? 0) + (tx.orchard?.actions.length ?? 0) : 0;
  const witness = tx.chain === 'bitcoin' ? (tx.witnesses ?? []).reduce((n, s) => n + s.length, 0) : 0;
  return tx.inputs.length + tx.outputs.length + shielded + witness;
}

function fuzz(seeds: readonly Uint8Array[], decode: (input: Uint8Array) => number): void {
  fc.assert(
    fc.property(fc.nat({ max: seeds.length - 1 }), fc.integer(), (pick, seed) => {
      const next = xorshift(seed);
      for (let i = 0; i < BATCH; i++) {
        const input = mutate(seeds[(pick + i) % seeds.length]!, next);
        expectTypedOrBounded(() => decode(input), input);
      }
    }),
    { numRuns: RUNS },
  );
}

const sampleOf = <T>(arb: fc.Arbitrary<T>, n: number): T[] => fc.sample(arb, { numRuns: n, seed: 11 });

describe(`chain decoder fuzzing (${RUNS} × ${BATCH} inputs per decoder)`, () => {
  const zcashTxs = sampleOf(zcashTransaction, 40).map((g) => g.bytes);
  const bitcoinTxs = sampleOf(bitcoinTransaction, 40).map((g) => g.bytes);
  // Small blocks keep the run cheap: a Regtest-sized Zcash header (36-byte solution) or a Bitcoin
  // header, then two or three generated transactions.
  const zcashHeader = Buffer.concat([Buffer.from([4, 0, 0, 0]), Buffer.alloc(32 * 3 + 8 + 32, 7), Buffer.from([36]), Buffer.alloc(36, 9)]);
  const block = (header: Uint8Array, txs: Uint8Array[]) => new Uint8Array(Buffer.concat([header, Buffer.from([txs.length]), ...txs]));
  const zcashBlocks = [0, 3, 6, 9].map((i) => block(zcashHeader, zcashTxs.slice(i, i + 3).filter((t) => t.length < 3000).slice(0, 2)));
  const bitcoinBlocks = [loadHex('bitcoin/main-0-000-000.hex'), ...[0, 3, 6].map((i) => block(loadHex('bitcoin/main-0-000-000.hex').subarray(0, 80), bitcoinTxs.slice(i, i + 3)))];
  const blockItems = (format: ChainFormat) => (input: Uint8Array) => decodeBlock(input, format).transactions.reduce((n, tx) => n + itemsOf(tx), 0);

  it('Zcash transactions', () => fuzz(zcashTxs, (input) => itemsOf(decodeTransaction(input, 'zcash'))));
  it('Bitcoin transactions', () => fuzz(bitcoinTxs, (input) => itemsOf(decodeTransaction(input, 'bitcoin'))));
  it('Zcash blocks', () => fuzz(zcashBlocks, blockItems('zcash')));
  it('Bitcoin blocks', () => fuzz(bitcoinBlocks, blockItems('bitcoin')));
  it('dissector-only messages (sendcmpct, feefilter, merkleblock, alert, ...)', () => {
    const seeds = [Uint8Array.of(1, 2, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(0xe8, 3, 0, 0, 0, 0, 0, 0), loadHex('bitcoin/main-0-000-000.hex').subarray(0, 120)];
    fuzz(seeds, (input) => {
      let n = 0;
      for (const command of IGNORED_COMMANDS) {
        const out = decodeIgnoredMessage(command, input, command === 'merkleblock' ? 'bitcoin' : 'zcash');
        n = Math.max(n, Array.isArray(out?.hashes) ? out.hashes.length : 0);
      }
      return n;
    });
  });
  it('message bodies of every command, on Zcash and Bitcoin networks', () => {
    const commands: KnownCommand[] = [...ENCODABLE_COMMANDS, ...DECODE_ONLY_COMMANDS];
    const seeds = [...zcashTxs.slice(0, 8), ...bitcoinTxs.slice(0, 8), ...zcashBlocks, ...bitcoinBlocks, new Uint8Array(0), Uint8Array.of(1, 1, 0, 0, 0, ...new Uint8Array(32))];
    let turn = 0;
    fuzz(seeds, (input) => {
      const command = commands[turn++ % commands.length]!;
      const m = decodeMessageBody(command, input, { protocolVersion: 170160, checkLocatorVersion: false, chainFormat: turn % 2 === 0 ? 'zcash' : 'bitcoin' });
      if ('items' in m) return m.items.length;
      if ('addrs' in m) return m.addrs.length;
      if ('locator' in m) return m.locator.length;
      if ('headers' in m) return m.headers.length;
      if (m.command === 'block') return m.block.transactions.length;
      return 0;
    });
  });
});
