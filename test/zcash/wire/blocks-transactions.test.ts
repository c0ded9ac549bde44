// Real blocks (hash = SHA-256d of the 1487-byte header) and transactions (v4 txid = SHA-256d, v5
// txid and auth digest = ZIP-244) carried in `block`/`tx`/`headers`/`inv` messages.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAINNET_HEADER_LENGTH,
  ZCASH_MAINNET,
  ZCASH_TESTNET,
  ZcashCodec,
  type ZcashMessage,
  decodeBlock,
  decodeTransaction,
  hashToDisplayHex,
  transactionInventory,
} from '../../../src/zcash/index.ts';
import { hex, loadHexFile, loadJson, toHex } from './vectors.ts';

interface BlockVector {
  readonly file: string;
  readonly network: 'mainnet' | 'testnet';
  readonly size: number;
  readonly header_len: number;
  readonly block_hash_display: string;
  readonly prev_hash_display: string;
  readonly header_version: number;
  readonly header_time: number;
  readonly tx_count: number;
  readonly block_msg_checksum: string;
}

function roundTrip(
  codec: ZcashCodec,
  m: Parameters<ZcashCodec['encode']>[0],
): { frame: Uint8Array; decoded: ZcashMessage } {
  const frame = codec.encode(m);
  codec.push(frame);
  const decoded = codec.next();
  assert.ok(decoded !== undefined);
  return { frame, decoded };
}

describe('blocks', () => {
  const { blocks } = loadJson<{ blocks: BlockVector[] }>('blocks/blocks.json');
  for (const v of blocks) {
    it(`${v.file}: hash, header and block message checksum`, () => {
      const bytes = loadHexFile(v.file);
      assert.equal(bytes.length, v.size);
      const block = decodeBlock(bytes);
      assert.equal(hashToDisplayHex(block.hash), v.block_hash_display);
      assert.equal(hashToDisplayHex(block.header.previousBlockHash), v.prev_hash_display);
      assert.equal(block.header.version, v.header_version);
      assert.equal(block.header.time, v.header_time);
      assert.ok(block.header.format !== 'bitcoin');
      assert.equal(block.header.solution.length, 1344);
      assert.equal(block.transactionCount, v.tx_count);
      assert.equal(v.header_len, MAINNET_HEADER_LENGTH);

      const network = v.network === 'mainnet' ? ZCASH_MAINNET : ZCASH_TESTNET;
      const codec = new ZcashCodec({ network });
      codec.completeHandshake(170160);
      const { frame, decoded } = roundTrip(codec, { command: 'block', block });
      assert.equal(toHex(frame.subarray(20, 24)), v.block_msg_checksum);
      assert.ok(decoded.command === 'block');
      assert.equal(hashToDisplayHex(decoded.block.hash), v.block_hash_display);

      // The same header in a `headers` message hashes to the same value.
      const h = roundTrip(codec, { command: 'headers', headers: [block.header] }).decoded;
      assert.ok(h.command === 'headers');
      assert.equal(hashToDisplayHex(h.headers[0]!.hash), v.block_hash_display);
      assert.equal(
        toHex(
          codec
            .encode({ command: 'headers', headers: [h.headers[0]!] })
            .subarray(25, 25 + MAINNET_HEADER_LENGTH),
        ),
        toHex(bytes.subarray(0, MAINNET_HEADER_LENGTH)),
      );
    });
  }

  it('genesis hashes match the network parameters', () => {
    assert.equal(
      hashToDisplayHex(decodeBlock(loadHexFile('blocks/main-0-000-000.hex')).hash),
      ZCASH_MAINNET.genesisHash,
    );
    assert.equal(
      hashToDisplayHex(decodeBlock(loadHexFile('blocks/test-0-000-000.hex')).hash),
      ZCASH_TESTNET.genesisHash,
    );
  });

  it('rejects a truncated header and a bad solution length', () => {
    const bytes = loadHexFile('blocks/main-0-000-001.hex');
    assert.throws(() => decodeBlock(bytes.subarray(0, 1000)), /unexpected end/);
    const bad = bytes.slice();
    bad[141] = 0x41; // solution CompactSize fd 41 05 = 1345
    assert.throws(() => decodeBlock(bad), /equihash solution/);
  });
});

describe('transactions', () => {
  it('v4 (Sapling) txid is SHA-256d and the tx message checksum matches', () => {
    const v = loadJson<{
      tx_hex: string;
      tx_len: number;
      txid_display: string;
      txid_wire: string;
      tx_msg_checksum: string;
    }>('transactions/generic-testnet-v4-tx.json');
    const tx = decodeTransaction(hex(v.tx_hex));
    assert.equal(tx.version, 4);
    assert.ok(tx.chain === 'zcash' && tx.overwintered);
    assert.equal(tx.bytes.length, v.tx_len);
    assert.equal(hashToDisplayHex(tx.txid), v.txid_display);
    assert.equal(toHex(tx.txid), v.txid_wire);
    assert.equal(tx.authDigest, undefined);
    assert.deepEqual(transactionInventory(tx), { type: 'tx', hash: tx.txid });

    const codec = new ZcashCodec({ network: ZCASH_TESTNET });
    codec.completeHandshake(170160);
    const { frame, decoded } = roundTrip(codec, { command: 'tx', tx });
    assert.equal(toHex(frame.subarray(20, 24)), v.tx_msg_checksum);
    assert.ok(decoded.command === 'tx');
    assert.equal(toHex(decoded.tx.txid), v.txid_wire); // reused from the frame digest
  });

  const v5 = loadJson<{
    vectors: {
      index: number;
      tx_hex: string;
      tx_len: number;
      txid_wire_hex: string;
      txid_display_hex: string;
      auth_digest_wire_hex: string;
      wtxid_inv_payload_hex: string;
    }[];
  }>('transactions/zip244-v5-txids.json');
  for (const v of v5.vectors) {
    it(`v5 ZIP-244 vector ${v.index}: txid, auth digest and MSG_WTX entry`, () => {
      const bytes = hex(v.tx_hex);
      const tx = decodeTransaction(bytes);
      assert.equal(tx.version, 5);
      assert.equal(tx.bytes.length, v.tx_len);
      assert.equal(toHex(tx.txid), v.txid_wire_hex);
      assert.equal(hashToDisplayHex(tx.txid), v.txid_display_hex);
      assert.equal(toHex(tx.authDigest!), v.auth_digest_wire_hex);

      const codec = new ZcashCodec({ network: ZCASH_MAINNET });
      codec.completeHandshake(170160);
      const inv = codec.encode({ command: 'inv', items: [transactionInventory(tx)] });
      assert.equal(toHex(inv.subarray(24)), `0105000000${v.wtxid_inv_payload_hex}`);
      const { decoded } = roundTrip(codec, { command: 'tx', tx });
      assert.ok(decoded.command === 'tx');
      assert.equal(toHex(decoded.tx.txid), v.txid_wire_hex);
      // Trailing bytes after a transaction are a parse error naming the offset.
      const padded = new Uint8Array([...bytes, 1, 2, 3]);
      assert.throws(() => decodeTransaction(padded), new RegExp(`3 trailing bytes after the transaction at offset ${v.tx_len}`));
      // Truncation is a parse error.
      assert.throws(() => decodeTransaction(bytes.subarray(0, bytes.length - 1)), /unexpected end/);
    });
  }

  it('rejects unsupported versions and wrong version group ids', () => {
    assert.throws(() => decodeTransaction(hex('03000000')), /unsupported transaction version 3/);
    assert.throws(() => decodeTransaction(hex('0400008000000000')), /bad version group id/);
    assert.throws(
      () => decodeTransaction(hex('06000080aabbccdd')),
      /unsupported overwintered transaction version 6/,
    );
    assert.throws(() => decodeTransaction(hex('0100')), /unexpected end/);
    const v1 = decodeTransaction(hex('01000000000000000000'));
    assert.equal(v1.version, 1);
    assert.ok(v1.chain === 'zcash' && !v1.overwintered);
  });
});
