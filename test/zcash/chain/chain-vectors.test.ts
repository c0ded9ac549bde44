// Real chain data (test/vectors/chain, copied from the team's vector set with per-entry provenance:
// Zebra's block vectors, rust-bitcoin, bcoin, python-bitcoinlib, BIP-143): every Zcash block v1-v5
// (transparent, Sprout BCTV14 and Groth16, Sapling, Orchard) and Bitcoin block (legacy and segwit)
// parses to its last byte, and every hash printed in display order equals what zcashd / Bitcoin Core
// RPCs print. The merkle root rebuilt from our txids equals the header's, which checks every txid.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  type ZcashTransaction,
  decodeBlock,
  decodeTransaction,
  hashToDisplayHex,
  merkleRoot,
} from '../../../src/zcash/index.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors', 'chain');

function load<T>(path: string): T {
  return JSON.parse(readFileSync(join(DIR, path), 'utf8')) as T;
}

function loadHex(path: string): Uint8Array {
  return new Uint8Array(Buffer.from(readFileSync(join(DIR, path), 'utf8').trim(), 'hex'));
}

interface ZcashTxVector {
  index: number;
  offset: number;
  size: number;
  coinbase: boolean;
  version: number;
  overwintered: boolean;
  version_group_id: string | null;
  consensus_branch_id: string | null;
  txid_display: string;
  auth_digest_display?: string;
  lock_time: number;
  expiry_height: number | null;
  transparent_inputs: number;
  transparent_outputs: number;
  transparent_output_total_zat: number;
  joinsplits: number;
  joinsplit_proof: 'BCTV14' | 'Groth16' | null;
  joinsplit_vpub_old_total_zat: number | null;
  joinsplit_vpub_new_total_zat: number | null;
  sapling_spends: number;
  sapling_outputs: number;
  value_balance_sapling_zat: number | null;
  orchard_actions: number;
  orchard_flags: number | null;
  value_balance_orchard_zat: number | null;
}

interface BlockVector<T> {
  file: string;
  size: number;
  block_hash_display: string;
  header: { version: number; prev_hash_display: string; merkle_root_display: string; time: number; bits: string; nonce_display?: string; nonce?: number };
  tx_count: number;
  txs: T[];
}

const u32hex = (n: number | undefined): string | null => (n === undefined ? null : n.toString(16).padStart(8, '0'));
const sum = (values: bigint[]): number => Number(values.reduce((a, b) => a + b, 0n));

function checkZcashTx(tx: ZcashTransaction, v: ZcashTxVector): void {
  assert.equal(hashToDisplayHex(tx.txid), v.txid_display);
  if (v.auth_digest_display !== undefined) assert.equal(hashToDisplayHex(tx.authDigest!), v.auth_digest_display);
  assert.equal(tx.version, v.version);
  assert.equal(tx.overwintered, v.overwintered);
  assert.equal(u32hex(tx.versionGroupId), v.version_group_id);
  assert.equal(u32hex(tx.consensusBranchId), v.consensus_branch_id);
  assert.equal(tx.lockTime, v.lock_time);
  assert.equal(tx.expiryHeight ?? null, v.expiry_height);
  assert.equal(tx.inputs.length, v.transparent_inputs);
  assert.equal(tx.outputs.length, v.transparent_outputs);
  assert.equal(sum(tx.outputs.map((o) => o.value)), v.transparent_output_total_zat);
  assert.equal(tx.inputs[0]?.coinbaseHeight !== undefined, v.coinbase);
  const joinSplits = tx.sprout?.joinSplits ?? [];
  assert.equal(joinSplits.length, v.joinsplits);
  if (v.joinsplits > 0) {
    assert.equal(tx.sprout!.proofSystem, v.joinsplit_proof === 'BCTV14' ? 'bctv14' : 'groth16');
    assert.equal(sum(joinSplits.map((j) => j.vpubOld)), v.joinsplit_vpub_old_total_zat);
    assert.equal(sum(joinSplits.map((j) => j.vpubNew)), v.joinsplit_vpub_new_total_zat);
  }
  assert.equal(tx.sapling?.spends.length ?? 0, v.sapling_spends);
  assert.equal(tx.sapling?.outputs.length ?? 0, v.sapling_outputs);
  assert.equal(tx.sapling === undefined ? null : Number(tx.sapling.valueBalance), v.value_balance_sapling_zat);
  assert.equal(tx.orchard?.actions.length ?? 0, v.orchard_actions);
  assert.equal(tx.orchard?.flags ?? null, v.orchard_flags);
  assert.equal(tx.orchard === undefined ? null : Number(tx.orchard.valueBalance), v.value_balance_orchard_zat);
}

describe('Zcash chain vectors (blocks with v1-v5 transactions)', () => {
  const { blocks } = load<{ blocks: BlockVector<ZcashTxVector>[] }>('zcash/blocks.json');
  const counts = new Map<string, number>();
  for (const v of blocks) {
    it(`${v.file}: block hash, header and every transaction`, () => {
      const bytes = loadHex(`zcash/${v.file}`);
      assert.equal(bytes.length, v.size);
      const block = decodeBlock(bytes, 'zcash');
      assert.equal(hashToDisplayHex(block.hash), v.block_hash_display);
      const h = block.header;
      assert.ok(h.format === 'zcash');
      assert.equal(h.version, v.header.version);
      assert.equal(hashToDisplayHex(h.previousBlockHash), v.header.prev_hash_display);
      assert.equal(hashToDisplayHex(h.merkleRoot), v.header.merkle_root_display);
      assert.equal(hashToDisplayHex(h.nonce), v.header.nonce_display);
      assert.equal(h.time, v.header.time);
      assert.equal(u32hex(h.bits), v.header.bits);
      assert.equal(block.transactions.length, v.tx_count);
      block.transactions.forEach((tx, i) => {
        const t = v.txs[i]!;
        assert.ok(tx.chain === 'zcash');
        assert.equal(tx.bytes.byteOffset - bytes.byteOffset, t.offset);
        assert.equal(tx.bytes.length, t.size);
        checkZcashTx(tx, t);
        counts.set(`v${tx.version}`, (counts.get(`v${tx.version}`) ?? 0) + 1);
        // The same bytes as a standalone transaction give the same ids.
        const alone = decodeTransaction(tx.bytes, 'zcash');
        assert.equal(hashToDisplayHex(alone.txid), t.txid_display);
      });
      assert.equal(hashToDisplayHex(merkleRoot(block.transactions.map((tx) => tx.txid))), v.header.merkle_root_display);
    });
  }
  it('the set covers every transaction version and every shielded pool', () => {
    const all = blocks.flatMap((b) => b.txs);
    for (const version of [1, 2, 3, 4, 5]) assert.ok(all.some((t) => t.version === version), `v${version}`);
    assert.ok(all.some((t) => t.joinsplit_proof === 'BCTV14') && all.some((t) => t.joinsplit_proof === 'Groth16'));
    assert.ok(all.some((t) => t.sapling_spends > 0 && t.version === 4) && all.some((t) => t.sapling_spends > 0 && t.version === 5));
    assert.ok(all.some((t) => t.orchard_actions > 0));
  });

  it('the invalid block 202 parses (well-formed bytes) but its merkle root no longer matches', () => {
    const [bad] = load<{ invalid_blocks: { file: string; block_hash_display: string; coinbase_txid_display: string; merkle_root_in_header_display: string }[] }>('zcash/blocks.json').invalid_blocks;
    const block = decodeBlock(loadHex(`zcash/${bad!.file}`), 'zcash');
    assert.equal(hashToDisplayHex(block.hash), bad!.block_hash_display);
    assert.equal(hashToDisplayHex(block.transactions[0]!.txid), bad!.coinbase_txid_display);
    assert.notEqual(hashToDisplayHex(merkleRoot(block.transactions.map((t) => t.txid))), bad!.merkle_root_in_header_display);
  });
});

interface BitcoinTxVector {
  index: number;
  offset: number;
  size: number;
  segwit: boolean;
  version: number;
  txid_display: string;
  wtxid_display?: string;
  inputs: number;
  outputs: number;
  output_total_sat: number;
  lock_time: number;
  witness_items?: number;
}

describe('Bitcoin chain vectors (legacy and segwit blocks, BIP-143 transactions)', () => {
  const { blocks } = load<{ blocks: BlockVector<BitcoinTxVector>[] }>('bitcoin/blocks.json');
  for (const v of blocks) {
    it(`${v.file}: block hash, 80-byte header, txids and wtxids`, () => {
      const bytes = loadHex(`bitcoin/${v.file}`);
      const block = decodeBlock(bytes, 'bitcoin');
      assert.equal(hashToDisplayHex(block.hash), v.block_hash_display);
      const h = block.header;
      assert.ok(h.format === 'bitcoin');
      assert.equal(h.version, v.header.version);
      assert.equal(hashToDisplayHex(h.previousBlockHash), v.header.prev_hash_display);
      assert.equal(hashToDisplayHex(h.merkleRoot), v.header.merkle_root_display);
      assert.equal(h.nonce, v.header.nonce);
      assert.equal(u32hex(h.bits), v.header.bits);
      assert.equal(block.transactions.length, v.tx_count);
      block.transactions.forEach((tx, i) => {
        const t = v.txs[i]!;
        assert.ok(tx.chain === 'bitcoin');
        assert.equal(tx.bytes.byteOffset - bytes.byteOffset, t.offset);
        assert.equal(tx.bytes.length, t.size);
        assert.equal(hashToDisplayHex(tx.txid), t.txid_display);
        assert.equal(tx.witnesses !== undefined, t.segwit);
        if (t.wtxid_display !== undefined) assert.equal(hashToDisplayHex(tx.wtxid), t.wtxid_display);
        else assert.equal(hashToDisplayHex(tx.wtxid), t.txid_display);
        assert.equal(tx.version, t.version);
        assert.equal(tx.inputs.length, t.inputs);
        assert.equal(tx.outputs.length, t.outputs);
        assert.equal(sum(tx.outputs.map((o) => o.value)), t.output_total_sat);
        assert.equal(tx.lockTime, t.lock_time);
      });
      assert.equal(hashToDisplayHex(merkleRoot(block.transactions.map((tx) => tx.txid))), v.header.merkle_root_display);
    });
  }

  const { txs } = load<{ txs: { name: string; tx_hex: string; stripped_tx_hex: string; txid_display: string; wtxid_display: string }[] }>('bitcoin/bip143-segwit-txs.json');
  for (const v of txs) {
    it(`BIP-143 ${v.name}: txid and wtxid; the stripped form has the same txid`, () => {
      const tx = decodeTransaction(new Uint8Array(Buffer.from(v.tx_hex, 'hex')), 'bitcoin');
      assert.ok(tx.chain === 'bitcoin' && tx.witnesses !== undefined);
      assert.equal(hashToDisplayHex(tx.txid), v.txid_display);
      assert.equal(hashToDisplayHex(tx.wtxid), v.wtxid_display);
      const stripped = decodeTransaction(new Uint8Array(Buffer.from(v.stripped_tx_hex, 'hex')), 'bitcoin');
      assert.equal(hashToDisplayHex(stripped.txid), v.txid_display);
    });
  }
});
