// `peerwire decode --wire zcash`: what the dissector prints for every message the Zcash-family codec
// may meet, on Zcash and Bitcoin networks. Hashes come out in display order and equal the RPC values
// of the chain vectors; blocks and transactions show their structure; rules that need a connection
// are notes with exit 0; malformed bytes exit 1 with the frame, offset and reason.

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the
   dissector's output is JSON read back from text: untyped by nature, and every field read is asserted. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { dissectZcash } from '../../src/cli/dissector.ts';
import { toJson } from '../../src/cli/options.ts';
import { BITCOIN_MAINNET, ZCASH_MAINNET, ZCASH_TESTNET, type NetworkParams } from '../../src/zcash/params/network-params.ts';
import { writeFrameHeader } from '../../src/zcash/wire/frame-header.ts';
import { displayHexToHash, sha256d } from '../../src/zcash/encoding/hashes.ts';
import { runCli } from './run-cli.ts';

const CHAIN = new URL('../vectors/chain/', import.meta.url);
const chainHex = (path: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(new URL(path, CHAIN), 'utf8').trim(), 'hex'));
const chainJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, CHAIN), 'utf8')) as T;

function frame(network: NetworkParams, command: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + body.length);
  writeFrameHeader(out, 0, network.magic, command, body.length, sha256d(body));
  out.set(body, 24);
  return out;
}

type Frame = { command: string; offset: number; message: Record<string, any>; notes?: string[] };

function decodeOne(network: NetworkParams, command: string, body: Uint8Array): Frame {
  const out = JSON.parse(toJson(dissectZcash(frame(network, command, body), { network: network.name }))) as { frames: Frame[] };
  assert.equal(out.frames.length, 1);
  return out.frames[0]!;
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const u32 = (n: number): string => Buffer.from(Uint32Array.of(n).buffer).toString('hex');

test('block: display-order hashes and the structure of every transaction (Zcash Sprout, Sapling, Orchard)', () => {
  const { blocks } = chainJson<{ blocks: { file: string; network: string; block_hash_display: string; header: { prev_hash_display: string; merkle_root_display: string }; txs: { txid_display: string; auth_digest_display?: string; joinsplits: number; sapling_spends: number; orchard_actions: number }[] }[] }>('zcash/blocks.json');
  for (const file of ['main-0-000-396.hex', 'main-0-419-202.hex', 'test-1-842-468.hex', 'main-2-222-000.hex']) {
    const v = blocks.find((b) => b.file === file)!;
    const network = v.network === 'mainnet' ? ZCASH_MAINNET : ZCASH_TESTNET;
    const f = decodeOne(network, 'block', chainHex(`zcash/${file}`));
    const block = f.message.block;
    assert.equal(block.hash, v.block_hash_display);
    assert.equal(block.header.previousBlockHash, v.header.prev_hash_display);
    assert.equal(block.header.merkleRoot, v.header.merkle_root_display);
    assert.equal(f.notes, undefined, 'a valid block has no notes');
    v.txs.forEach((t, i) => {
      const tx = block.transactions[i];
      assert.equal(tx.txid, t.txid_display);
      if (t.auth_digest_display !== undefined) assert.equal(tx.authDigest, t.auth_digest_display);
      assert.equal(tx.joinSplits, t.joinsplits);
      assert.equal(tx.saplingSpends, t.sapling_spends);
      assert.equal(tx.orchardActions, t.orchard_actions);
      if (t.joinsplits > 0) assert.match(tx.sprout.joinSplits[0].nullifiers[0], /^[0-9a-f]{64}$/);
      if (t.sapling_spends > 0) assert.match(tx.sapling.spends[0].nullifier, /^[0-9a-f]{64}$/);
      if (t.orchard_actions > 0) assert.match(tx.orchard.actions[0].cmx, /^[0-9a-f]{64}$/);
    });
  }
});

test('the invalid block 202 decodes with a note that its merkle root does not match', () => {
  const f = decodeOne(ZCASH_MAINNET, 'block', chainHex('zcash/main-0-000-202-bad.hex'));
  assert.match(f.notes!.join(' '), /merkle root/);
});

test('bitcoin-mainnet: 80-byte headers, legacy and segwit transactions with txid and wtxid', () => {
  const { blocks } = chainJson<{ blocks: { file: string; block_hash_display: string; txs: { txid_display: string; wtxid_display?: string }[] }[] }>('bitcoin/blocks.json');
  const v = blocks.find((b) => b.file === 'main-0-482-683.hex')!;
  const bytes = chainHex('bitcoin/main-0-482-683.hex');
  const f = decodeOne(BITCOIN_MAINNET, 'block', bytes);
  assert.equal(f.message.block.hash, v.block_hash_display);
  v.txs.forEach((t, i) => {
    assert.equal(f.message.block.transactions[i].txid, t.txid_display);
    assert.equal(f.message.block.transactions[i].wtxid, t.wtxid_display ?? t.txid_display);
  });
  const headers = decodeOne(BITCOIN_MAINNET, 'headers', new Uint8Array([1, ...bytes.subarray(0, 80), 0]));
  assert.equal(headers.message.headers[0].hash, v.block_hash_display);
  const segwitTx = f.message.block.transactions.find((t: { segwit: boolean; txid: string }, i: number) => i > 0 && t.segwit);
  const txBytes = bytes.subarray(...(() => {
    const j = chainJson<{ blocks: { file: string; txs: { offset: number; size: number; txid_display: string }[] }[] }>('bitcoin/blocks.json').blocks.find((b) => b.file === v.file)!.txs.find((t) => t.txid_display === segwitTx.txid)!;
    return [j.offset, j.offset + j.size] as const;
  })());
  const tx = decodeOne(BITCOIN_MAINNET, 'tx', txBytes);
  assert.equal(tx.message.tx.txid, segwitTx.txid);
  assert.notEqual(tx.message.tx.wtxid, tx.message.tx.txid);
});

test('inventory and locators print hashes in display order', () => {
  const txid = '4e3670eae21d0c7225716abacb3a95c203a75d7601594afddb07d175c3babe83';
  const inv = decodeOne(ZCASH_MAINNET, 'inv', new Uint8Array([1, ...hex(u32(1)), ...displayHexToHash(txid)]));
  assert.deepEqual(inv.message.items, [{ type: 'tx', hash: txid }]);
});

test("a Satoshi node's getblocks (version 70002) decodes with exit 0 and a note", async () => {
  const genesis = displayHexToHash('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  const body = new Uint8Array([...hex(u32(70002)), 1, ...genesis, ...new Uint8Array(32)]);
  const f = decodeOne(BITCOIN_MAINNET, 'getblocks', body);
  assert.equal(f.message.version, 70002);
  assert.deepEqual(f.message.locator, ['000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f']);
  assert.match(f.notes![0]!, /a connection would refuse this unless 70002 is the negotiated version/);
  const run = await runCli(['decode', '--wire', 'zcash', '--network', 'bitcoin-mainnet', '--compact', Buffer.from(frame(BITCOIN_MAINNET, 'getblocks', body)).toString('hex')]);
  assert.equal(run.code, 0, run.stderr);
});

test('malformed bytes exit 1 with the frame, offset and reason', async () => {
  const truncated = Buffer.from(frame(ZCASH_MAINNET, 'tx', hex('01000000ff'))).toString('hex');
  const run = await runCli(['decode', '--wire', 'zcash', truncated]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^peerwire: frame 0 \(tx\) at offset 0, body from offset 24: unexpected end of body reading transparent inputs count at offset 5/);
  assert.throws(() => dissectZcash(frame(ZCASH_MAINNET, 'tx', hex('01000000 00 00 00000000 00'))), /1 trailing bytes after the transaction at offset 10/);
});

test('every other message the codec may meet decodes', () => {
  const header80 = chainHex('bitcoin/main-0-000-000.hex').subarray(0, 80);
  const cases: [string, Uint8Array, (m: Record<string, any>) => void][] = [
    ['sendheaders', new Uint8Array(0), (m) => assert.equal(m.command, 'sendheaders')],
    ['sendaddrv2', new Uint8Array(0), (m) => assert.equal(m.command, 'sendaddrv2')],
    ['wtxidrelay', new Uint8Array(0), (m) => assert.equal(m.command, 'wtxidrelay')],
    ['feefilter', hex('e803000000000000'), (m) => assert.equal(m.feeRate, '1000')],
    ['sendcmpct', hex('00 0200000000000000'), (m) => assert.deepEqual([m.announce, m.version], [false, '2'])],
    ['merkleblock', new Uint8Array([...header80, ...hex(u32(1)), 1, ...displayHexToHash('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'), 1, 1]), (m) => {
      assert.equal(m.header.hash, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
      assert.deepEqual(m.hashes, ['4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b']);
    }],
    ['reject', new Uint8Array([2, 0x74, 0x78, 0x10, 3, 0x62, 0x61, 0x64, ...new Uint8Array(32).fill(1)]), (m) => assert.deepEqual([m.message, m.ccode, m.reason], ['tx', 16, 'bad'])],
    ['filterload', hex('00ff 05000000 07000000 01'), (m) => assert.deepEqual([m.filter, m.hashFunctions], ['00ff', 5])],
    ['filteradd', hex('abcd'), (m) => assert.equal(m.data, 'abcd')],
    ['filterclear', new Uint8Array(0), (m) => assert.equal(m.command, 'filterclear')],
    ['addrv2', hex(`01 ${u32(1)} 01 01 04 7f000001 208d`), (m) => assert.equal(m.addrs[0].ip, '127.0.0.1')],
  ];
  for (const [command, body, check] of cases) {
    const f = decodeOne(BITCOIN_MAINNET, command, body);
    assert.equal(f.command, command);
    check(f.message);
  }
  // A retired signed alert (the payload format of Bitcoin Core's CAlert), built field by field.
  const text = (s: string) => [s.length, ...Buffer.from(s)];
  const payload = [...hex(u32(1)), ...new Uint8Array(16), ...hex(u32(1010)), ...hex(u32(1009)), 0, ...hex(u32(0)), ...hex(u32(70000)), 0, ...hex(u32(5000)), ...text(''), ...text('URGENT'), ...text('')];
  const alert = decodeOne(BITCOIN_MAINNET, 'alert', new Uint8Array([payload.length, ...payload, 2, 0x30, 0x00]));
  assert.equal(alert.message.payload.statusBar, 'URGENT');
  assert.equal(alert.message.payload.id, 1010);
  assert.match(alert.notes![0]!, /a Zebra connection ignores/);
});
