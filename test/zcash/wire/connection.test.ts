// The Zcash connection after the handshake (docs/protocols/zcash.md §7): request/response matching for every request
// kind against a scripted raw peer, timeouts, unsolicited traffic (router channels or the inbound
// service), inventory changes, codec errors, the router envelope, and bounded memory under a ping
// flood.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { PeerwireError } from '../../../src/core/errors.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { decodeBlock, type Block } from '../../../src/zcash/chain/block.ts';
import { ZcashErrorCode } from '../../../src/zcash/encoding/errors.ts';
import { writeFrameHeader } from '../../../src/zcash/wire/frame-header.ts';
import { sha256d } from '../../../src/zcash/encoding/hashes.ts';
import type { ZcashMessage } from '../../../src/zcash/wire/messages.ts';
import type { AddrEntry } from '../../../src/zcash/wire/net-address.ts';
import { ZCASH_REGTEST } from '../../../src/zcash/params/network-params.ts';
import { decodeTransaction, type Transaction } from '../../../src/zcash/chain/transaction.ts';
import { ZcashChannel, zcashMessageCodec } from '../../../src/zcash/connection/channels.ts';
import { hashKey } from '../../../src/zcash/wire/requests.ts';
import { ZcashPeerErrorCode } from '../../../src/zcash/handshake/peer-errors.ts';
import { parseZcashAddress } from '../../../src/zcash/connection/transport.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { waitFor } from '../../helpers/wait.ts';
import {
  handshakeWith,
  LONG_MS,
  makePair,
  peerVersion,
  RecordingInboundService,
  type Pair,
  type PairOptions,
} from './connection-harness.ts';

function block(name: string): Block {
  return decodeBlock(
    Buffer.from(readFileSync(`test/vectors/zcash/blocks/${name}.hex`, 'utf8').trim(), 'hex'),
  );
}
const A = block('main-0-000-000');
const B = block('main-0-000-001');
const C = block('test-0-000-000');
const txHex = (
  JSON.parse(readFileSync('test/vectors/zcash/transactions/generic-testnet-v4-tx.json', 'utf8')) as {
    tx_hex: string;
  }
).tx_hex;
const TX1 = decodeTransaction(Buffer.from(txHex, 'hex'));
/** A second "transaction": same valid header, one byte changed, so a different SHA-256d txid. */
const TX2 = ((): Transaction => {
  const bytes = Buffer.from(txHex, 'hex');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return decodeTransaction(bytes);
})();

function addrs(n: number, base = 1): AddrEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    time: 1_700_000_000,
    services: 1n,
    ip: `10.${base}.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    port: 8233,
  }));
}

async function open(options: PairOptions = {}, version = peerVersion()): Promise<Pair> {
  const pair = await makePair(options);
  await handshakeWith(pair, version);
  return pair;
}

async function collectInbox(
  pair: Pair,
  count: number,
): Promise<{ channelId: number; message: ZcashMessage }[]> {
  const out: { channelId: number; message: ZcashMessage }[] = [];
  const iterator = pair.conn[Symbol.asyncIterator]();
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done === true) break;
    out.push({ channelId: next.value.channelId, message: zcashMessageCodec.decode(next.value.bytes) });
  }
  return out;
}

function code(error: unknown): string {
  return error instanceof PeerwireError ? error.code : String(error);
}

describe('zcash connection: request/response matching', () => {
  it('Peers: from the address cache when it has entries, else getaddr; at most 37 returned', async () => {
    const pair = await open();
    try {
      const client = pair.conn.client;
      // The handshake seeded the cache with the peer's canonical address (an alternate address).
      const first = await client.request({ kind: 'peers' });
      assert.deepEqual(first.kind === 'peers' && first.addrs.map((a) => `${a.ip}:${a.port}`), [
        '127.0.0.9:18233',
      ]);
      assert.equal(pair.raw.count('getaddr'), 0);
      const second = client.request({ kind: 'peers' });
      await pair.raw.next('getaddr');
      pair.raw.send({ command: 'addr', addrs: addrs(50) });
      const answer = await second;
      assert.equal(answer.kind === 'peers' && answer.addrs.length, 37);
      assert.equal(pair.conn.addressCache.size, 13);
      const third = await client.request({ kind: 'peers' });
      assert.equal(third.kind === 'peers' && third.addrs.length, 13);
      assert.equal(pair.raw.count('getaddr'), 0);
    } finally {
      await pair.close();
    }
  });

  it('Ping: completes on the pong with the same nonce, ignores others', async () => {
    const pair = await open();
    try {
      const pong = pair.conn.client.request({ kind: 'ping', nonce: 77n });
      const ping = await pair.raw.next('ping');
      assert.equal(ping.command === 'ping' && ping.nonce, 77n);
      pair.raw.send({ command: 'pong', nonce: 78n });
      pair.raw.send({ command: 'pong', nonce: 77n });
      assert.equal((await pong).kind, 'pong');
    } finally {
      await pair.close();
    }
  });

  it('BlocksByHash: collects requested blocks, ignores others, ends early on notfound', async () => {
    const pair = await open();
    try {
      const client = pair.conn.client;
      const both = client.request({ kind: 'blocks-by-hash', hashes: [A.hash, B.hash] });
      const getdata = await pair.raw.next('getdata');
      assert.deepEqual(getdata.command === 'getdata' && getdata.items.map((i) => i.type), ['block', 'block']);
      pair.raw.send({ command: 'block', block: C }); // unrequested: left to unsolicited handling
      pair.raw.send({ command: 'block', block: B });
      pair.raw.send({ command: 'block', block: A });
      const r1 = await both;
      assert.deepEqual(r1.kind === 'blocks' && r1.blocks.map((b) => hashKey(b.hash)), [
        hashKey(B.hash),
        hashKey(A.hash),
      ]);
      const [unsolicited] = await collectInbox(pair, 1);
      assert.equal(unsolicited?.channelId, ZcashChannel.Blocks);
      assert.equal(
        unsolicited.message.command === 'block' && hashKey(unsolicited.message.block.hash),
        hashKey(C.hash),
      );

      const partial = client.request({ kind: 'blocks-by-hash', hashes: [A.hash, B.hash] });
      await pair.raw.next('getdata');
      pair.raw.send({ command: 'block', block: A });
      pair.raw.send({ command: 'notfound', items: [{ type: 'block', hash: B.hash }] });
      const r2 = await partial;
      assert.ok(r2.kind === 'blocks');
      assert.equal(r2.blocks.length, 1);
      assert.deepEqual(r2.missing.map(hashKey), [hashKey(B.hash)]);

      const none = client.request({ kind: 'blocks-by-hash', hashes: [B.hash] });
      await pair.raw.next('getdata');
      pair.raw.send({ command: 'notfound', items: [{ type: 'block', hash: B.hash }] });
      await assert.rejects(none, (e: unknown) => code(e) === ZcashPeerErrorCode.NotFound);
    } finally {
      await pair.close();
    }
  });

  it('TransactionsById: matching txs, notfound for the rest, an unexpected tx ends it early', async () => {
    const service = new RecordingInboundService();
    const pair = await open({ build: (b) => b.withInboundService(service) });
    try {
      const client = pair.conn.client;
      const both = client.request({
        kind: 'transactions-by-id',
        ids: [{ txid: TX1.txid }, { txid: TX2.txid }],
      });
      const getdata = await pair.raw.next('getdata');
      assert.deepEqual(getdata.command === 'getdata' && getdata.items.map((i) => i.type), ['tx', 'tx']);
      pair.raw.send({ command: 'tx', tx: TX1 });
      pair.raw.send({ command: 'notfound', items: [{ type: 'tx', hash: TX2.txid }] });
      const r1 = await both;
      assert.ok(r1.kind === 'transactions');
      assert.equal(r1.transactions.length, 1);
      assert.deepEqual(
        r1.missing.map((m) => hashKey(m.txid)),
        [hashKey(TX2.txid)],
      );

      const nothing = client.request({ kind: 'transactions-by-id', ids: [{ txid: TX2.txid }] });
      await pair.raw.next('getdata');
      pair.raw.send({ command: 'notfound', items: [{ type: 'tx', hash: TX2.txid }] });
      await assert.rejects(nothing, (e: unknown) => code(e) === ZcashPeerErrorCode.NotFound);

      const early = client.request({
        kind: 'transactions-by-id',
        ids: [{ txid: TX1.txid }, { txid: new Uint8Array(32).fill(9) }],
      });
      await pair.raw.next('getdata');
      pair.raw.send({ command: 'tx', tx: TX1 });
      pair.raw.send({ command: 'tx', tx: TX2 }); // unexpected: ends the request, then pushed inbound
      const r3 = await early;
      assert.ok(r3.kind === 'transactions');
      assert.equal(r3.transactions.length, 1);
      assert.equal(r3.missing.length, 1);
      await waitFor(
        () => service.requests.some((r) => r.kind === 'push-transaction'),
        'tx pushed to the inbound service',
      );
    } finally {
      await pair.close();
    }
  });

  it('FindBlocks, FindHeaders and MempoolTransactionIds match only their answers', async () => {
    const pair = await open({}, peerVersion({ version: 170150 }));
    try {
      const client = pair.conn.client;
      const hashes = client.request({ kind: 'find-blocks', locator: [A.hash] });
      await pair.raw.next('getblocks'); // the raw codec checks the version field equals 170150
      pair.raw.send({ command: 'inv', items: [{ type: 'tx', hash: TX1.txid }] }); // not all blocks
      pair.raw.send({
        command: 'inv',
        items: [
          { type: 'block', hash: A.hash },
          { type: 'block', hash: B.hash },
        ],
      });
      const r1 = await hashes;
      assert.deepEqual(r1.kind === 'block-hashes' && r1.hashes.map(hashKey), [
        hashKey(A.hash),
        hashKey(B.hash),
      ]);

      const headers = client.request({ kind: 'find-headers', locator: [A.hash], stop: B.hash });
      await pair.raw.next('getheaders');
      pair.raw.send({ command: 'headers', headers: [A.header, B.header] });
      const r2 = await headers;
      assert.equal(r2.kind === 'block-headers' && r2.headers.length, 2);

      const mempool = client.request({ kind: 'mempool-transaction-ids' });
      await pair.raw.next('mempool');
      pair.raw.send({
        command: 'inv',
        items: [
          { type: 'block', hash: C.hash },
          { type: 'tx', hash: TX1.txid },
        ],
      });
      pair.raw.send({
        command: 'inv',
        items: [
          { type: 'tx', hash: TX1.txid },
          { type: 'tx', hash: TX2.txid },
        ],
      });
      const r3 = await mempool;
      assert.equal(r3.kind === 'transaction-ids' && r3.ids.length, 2);
    } finally {
      await pair.close();
    }
  });

  it('PushTransaction and Advertise* complete once sent', async () => {
    const pair = await open();
    try {
      const client = pair.conn.client;
      assert.equal((await client.request({ kind: 'push-transaction', tx: TX1 })).kind, 'nil');
      const tx = await pair.raw.next('tx');
      assert.equal(tx.command === 'tx' && hashKey(tx.tx.txid), hashKey(TX1.txid));
      const ids = Array.from({ length: 25_001 }, (_, i) => {
        const txid = new Uint8Array(32);
        new DataView(txid.buffer).setUint32(0, i);
        return { txid };
      });
      assert.equal((await client.request({ kind: 'advertise-transaction-ids', ids })).kind, 'nil');
      const inv = await pair.raw.next('inv');
      assert.equal(
        inv.command === 'inv' && inv.items.length,
        25_000,
        'truncated to MAX_TX_INV_IN_SENT_MESSAGE',
      );
      assert.equal((await client.request({ kind: 'advertise-block', hash: A.hash })).kind, 'nil');
      const one = await pair.raw.next('inv');
      assert.deepEqual(one.command === 'inv' && one.items.map((i) => i.type), ['block']);
    } finally {
      await pair.close();
    }
  });
});

describe('zcash connection: timeouts and cancellation', () => {
  it('a request timeout fails that request only; a ping timeout fails the connection', async () => {
    const pair = await open({ config: { requestTimeoutMs: 150 } });
    try {
      const client = pair.conn.client;
      await assert.rejects(
        client.request({ kind: 'find-headers', locator: [] }),
        (e: unknown) => code(e) === ZcashPeerErrorCode.RequestTimeout,
      );
      // still usable
      const pong = client.request({ kind: 'ping', nonce: 1n });
      await pair.raw.next('ping');
      pair.raw.send({ command: 'pong', nonce: 1n });
      assert.equal((await pong).kind, 'pong');
      await assert.rejects(
        client.request({ kind: 'ping', nonce: 2n }),
        (e: unknown) => code(e) === ZcashPeerErrorCode.RequestTimeout,
      );
      const reason = await pair.conn.closed;
      assert.equal(reason?.code, ZcashPeerErrorCode.RequestTimeout);
      await assert.rejects(
        client.request({ kind: 'peers' }),
        (e: unknown) => code(e) === ZcashPeerErrorCode.RequestTimeout,
      );
    } finally {
      await pair.close();
    }
  });

  it('an abandoned request frees the connection; its late answer is unsolicited', async () => {
    const pair = await open();
    try {
      const controller = new AbortController();
      const abandoned = pair.conn.client.request({ kind: 'find-headers', locator: [] }, controller.signal);
      await pair.raw.next('getheaders');
      controller.abort();
      await assert.rejects(abandoned, (e: unknown) => code(e) === 'ERR_ABORTED');
      const queued = pair.conn.client.request({ kind: 'ping', nonce: 5n });
      await pair.raw.next('ping');
      pair.raw.send({ command: 'headers', headers: [A.header] });
      pair.raw.send({ command: 'pong', nonce: 5n });
      assert.equal((await queued).kind, 'pong');
      const [late] = await collectInbox(pair, 1);
      assert.equal(late?.message.command, 'headers');
    } finally {
      await pair.close();
    }
  });

  it('queues requests one at a time and bounds the queue', async () => {
    const pair = await open({ maxQueuedRequests: 2 });
    try {
      const client = pair.conn.client;
      const p1 = client.request({ kind: 'ping', nonce: 1n });
      const p2 = client.request({ kind: 'ping', nonce: 2n });
      const p3 = client.request({ kind: 'ping', nonce: 3n });
      await assert.rejects(
        client.request({ kind: 'ping', nonce: 4n }),
        (e: unknown) => code(e) === 'ERR_QUEUE_FULL',
      );
      await pair.raw.next('ping');
      assert.equal(pair.raw.count('ping'), 0, 'one in flight');
      for (const nonce of [1n, 2n, 3n]) {
        if (nonce > 1n) await pair.raw.next('ping');
        pair.raw.send({ command: 'pong', nonce });
      }
      await Promise.all([p1, p2, p3]);
    } finally {
      await pair.close();
    }
  });
});

describe('zcash connection: unsolicited traffic', () => {
  it('answers pings internally and delivers other messages to the router by family', async () => {
    const pair = await open();
    try {
      pair.raw.send({ command: 'ping', nonce: 11n });
      const pong = await pair.raw.next('pong');
      assert.equal(pong.command === 'pong' && pong.nonce, 11n);
      pair.raw.send({ command: 'getaddr' });
      pair.raw.send({ command: 'mempool' });
      pair.raw.send({ command: 'tx', tx: TX1 });
      pair.raw.send({ command: 'reject', message: 'tx', ccode: 0x10, reason: 'bad', data: undefined });
      pair.raw.send({ command: 'filterclear' });
      pair.raw.send({ command: 'pong', nonce: 999n }); // unsolicited pong: ignored
      const got = await collectInbox(pair, 5);
      assert.deepEqual(
        got.map((g) => [g.channelId, g.message.command]),
        [
          [ZcashChannel.Addresses, 'getaddr'],
          [ZcashChannel.Inventory, 'mempool'],
          [ZcashChannel.Transactions, 'tx'],
          [ZcashChannel.Control, 'reject'],
          [ZcashChannel.Filters, 'filterclear'],
        ],
      );
    } finally {
      await pair.close();
    }
  });

  it('hands requests to the inbound service and sends its responses back', async () => {
    const service = new RecordingInboundService();
    service.respond = (request) => {
      switch (request.kind) {
        case 'peers':
          return { kind: 'peers', addrs: addrs(3) };
        case 'blocks-by-hash':
          return { kind: 'blocks', blocks: [A], missing: [B.hash] };
        case 'find-blocks':
          return { kind: 'block-hashes', hashes: [A.hash, B.hash] };
        default:
          return { kind: 'nil' };
      }
    };
    const pair = await open({ build: (b) => b.withInboundService(service) });
    try {
      pair.raw.send({ command: 'getaddr' });
      const addr = await pair.raw.next('addr');
      assert.equal(addr.command === 'addr' && addr.addrs.length, 3);
      pair.raw.send({
        command: 'getdata',
        items: [
          { type: 'block', hash: A.hash },
          { type: 'tx', hash: TX1.txid },
          { type: 'block', hash: B.hash },
        ],
      });
      const got = await pair.raw.next('block');
      assert.equal(got.command === 'block' && hashKey(got.block.hash), hashKey(A.hash));
      const notfound = await pair.raw.next('notfound');
      assert.equal(notfound.command === 'notfound' && notfound.items.length, 1);
      pair.raw.send({ command: 'getblocks', locator: [], stop: undefined });
      await pair.raw.next('inv');
      pair.raw.send({ command: 'inv', items: [{ type: 'block', hash: C.hash }] });
      pair.raw.send({
        command: 'inv',
        items: [
          { type: 'tx', hash: TX1.txid },
          { type: 'block', hash: C.hash },
        ],
      });
      await waitFor(() => service.requests.length === 5, 'five inbound requests');
      assert.deepEqual(
        service.requests.map((r) => r.kind),
        ['peers', 'blocks-by-hash', 'find-blocks', 'advertise-block', 'advertise-transaction-ids'],
      );
      const blocksRequest = service.requests[1];
      assert.equal(
        blocksRequest?.kind === 'blocks-by-hash' && blocksRequest.hashes.length,
        2,
        'non-block entries dropped',
      );
    } finally {
      await pair.close();
    }
  });

  it('keeps unsolicited addr/addrv2 in the address cache (bounded at 1000)', async () => {
    const pair = await open();
    try {
      pair.conn.addressCache.take(1000); // drop the handshake's alternate
      pair.raw.send({ command: 'addr', addrs: addrs(1000, 1) });
      pair.raw.send({ command: 'addr', addrs: addrs(200, 2) });
      pair.raw.send({ command: 'ping', nonce: 1n });
      await pair.raw.next('pong');
      assert.equal(pair.conn.addressCache.size, 1000);
      const answer = await pair.conn.client.request({ kind: 'peers' });
      assert.equal(answer.kind === 'peers' && answer.addrs.length, 37);
      assert.equal(pair.raw.count('getaddr'), 0);
    } finally {
      await pair.close();
    }
  });

  it('reports inventory: one block, tx ids (≤ 1000), notfound; never several blocks', async () => {
    const pair = await open();
    try {
      const wtx = {
        type: 'wtx' as const,
        txid: new Uint8Array(32).fill(4),
        authDigest: new Uint8Array(32).fill(5),
      };
      pair.raw.send({ command: 'inv', items: [{ type: 'block', hash: A.hash }] });
      pair.raw.send({
        command: 'inv',
        items: [
          { type: 'block', hash: A.hash },
          { type: 'block', hash: B.hash },
        ],
      });
      pair.raw.send({
        command: 'inv',
        items: [{ type: 'block', hash: A.hash }, { type: 'tx', hash: TX1.txid }, wtx],
      });
      pair.raw.send({
        command: 'inv',
        items: Array.from({ length: 1500 }, (_, i) => ({
          type: 'tx' as const,
          hash: new Uint8Array(32).fill(i % 256),
        })),
      });
      pair.raw.send({
        command: 'notfound',
        items: [
          { type: 'tx', hash: TX2.txid },
          { type: 'error', hash: new Uint8Array(32) },
        ],
      });
      await waitFor(() => pair.inventory.changes.length === 4, 'four inventory changes');
      const [one, txs, many, missing] = pair.inventory.changes;
      assert.deepEqual(one, { kind: 'available', peer: 'memory:them', hashes: [hashKey(A.hash)] });
      assert.deepEqual(txs?.hashes, [hashKey(TX1.txid), '04'.repeat(32) + '05'.repeat(32)]);
      assert.equal(many?.hashes.length, 1000);
      assert.deepEqual(missing, { kind: 'missing', peer: 'memory:them', hashes: [hashKey(TX2.txid)] });
    } finally {
      await pair.close();
    }
  });

  it('closes on version or verack after the handshake', async () => {
    const pair = await open();
    try {
      pair.raw.send({ command: 'verack' });
      assert.equal((await pair.conn.closed)?.code, ZcashPeerErrorCode.DuplicateHandshake);
      assert.deepEqual(pair.book.changes.at(-1), { kind: 'update-failed', addr: 'memory:them' });
    } finally {
      await pair.close();
    }
  });

  for (const [command, body] of [
    ['tx', Uint8Array.of(1, 0, 0, 0, 0xff)], // a v1 transaction whose input count runs past the body
    ['tx', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99)], // a v1 transaction and a trailing byte
    ['block', new Uint8Array(200)], // a header with version 0
  ] as const) {
    it(`fails the connection on a malformed ${command} (${body.length} bytes), as Zebra does`, async () => {
      const metrics = new PromMetrics();
      const pair = await open({ build: (b) => b.withMetrics(metrics) });
      try {
        const frame = new Uint8Array(24 + body.length);
        writeFrameHeader(frame, 0, ZCASH_REGTEST.magic, command, body.length, sha256d(body));
        frame.set(body, 24);
        pair.raw.sendRaw(frame);
        assert.equal((await pair.conn.closed)?.code, ZcashErrorCode.Malformed);
        assert.match(await metrics.text(), /peerwire_zcash_codec_errors_total\{code="ERR_ZCASH_MALFORMED"\} 1/);
      } finally {
        await pair.close();
      }
    });
  }

  it('ignores and counts unknown commands; closes on a bad checksum, counted, with update-failed', async () => {
    const metrics = new PromMetrics();
    const pair = await open({ build: (b) => b.withMetrics(metrics) });
    try {
      const body = new Uint8Array([1]);
      const frame = new Uint8Array(25);
      writeFrameHeader(frame, 0, ZCASH_REGTEST.magic, 'sendcmpct', 1, sha256d(body));
      frame.set(body, 24);
      pair.raw.sendRaw(frame);
      pair.raw.send({ command: 'ping', nonce: 3n });
      await pair.raw.next('pong');
      const bad = new Uint8Array(24 + 8);
      writeFrameHeader(bad, 0, ZCASH_REGTEST.magic, 'ping', 8, new Uint8Array(32));
      pair.raw.sendRaw(bad);
      assert.equal((await pair.conn.closed)?.code, ZcashErrorCode.BadChecksum);
      assert.deepEqual(pair.book.changes.at(-1), {
        kind: 'update-failed',
        addr: 'memory:them',
        services: 1n,
      });
      assert.equal(pair.book.kinds().filter((k) => k === 'update-failed').length, 1);
      const text = await metrics.text();
      assert.match(text, /peerwire_zcash_unknown_commands_total 1/);
      assert.match(text, /peerwire_zcash_codec_errors_total\{code="ERR_ZCASH_BAD_CHECKSUM"\} 1/);
      assert.doesNotMatch(text, /command="sendcmpct"/);
    } finally {
      await pair.close();
    }
  });
});

describe('zcash connection: router envelope', () => {
  it('sends envelopes on their family channel and rewrites the getblocks version', async () => {
    const pair = await open({}, peerVersion({ version: 170150 }));
    try {
      assert.equal(
        pair.conn.send(ZcashChannel.Control, zcashMessageCodec.encode({ command: 'ping', nonce: 4n })),
        true,
      );
      const ping = await pair.raw.next('ping');
      assert.equal(ping.command === 'ping' && ping.nonce, 4n);
      pair.conn.send(
        ZcashChannel.Blocks,
        zcashMessageCodec.encode({ command: 'getblocks', locator: [A.hash], stop: undefined }),
      );
      await pair.raw.next('getblocks'); // decodes only if the version field is 170150
      pair.conn.send(ZcashChannel.Blocks, zcashMessageCodec.encode({ command: 'block', block: A }));
      const got = await pair.raw.next('block');
      assert.equal(got.command === 'block' && hashKey(got.block.hash), hashKey(A.hash));
      assert.throws(() =>
        pair.conn.send(ZcashChannel.Blocks, zcashMessageCodec.encode({ command: 'ping', nonce: 1n })),
      );
      assert.throws(() => pair.conn.send(ZcashChannel.Control, new Uint8Array([0x76, 0x65, 0x72])));
    } finally {
      await pair.close();
    }
  });
});

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('zcash connection: resources', () => {
  it('a ping flood does not grow memory', async () => {
    const gc = gcFunction();
    const pair = await open();
    try {
      const flood = async (count: number): Promise<void> => {
        const batch = 1000;
        for (let sent = 0; sent < count; sent += batch) {
          for (let i = 0; i < batch; i++) pair.raw.send({ command: 'ping', nonce: BigInt(sent + i) });
          await waitFor(() => pair.raw.count('pong') >= batch, 'pongs for a batch', LONG_MS);
          pair.raw.received.length = 0;
        }
      };
      await flood(10_000); // warm up
      gc();
      const before = process.memoryUsage();
      await flood(100_000);
      gc();
      const after = process.memoryUsage();
      const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
      assert.ok(growth < 16 * 1024 * 1024, `memory grew by ${growth} bytes over 100k pings`);
      assert.equal(pair.conn.bufferedBytes, 0);
    } finally {
      await pair.close();
    }
  });

  it('leaves no handles behind', async () => {
    const before = handleCounts();
    const pair = await open();
    const pending = pair.conn.client.request({ kind: 'find-headers', locator: [] });
    await pair.raw.next('getheaders');
    await pair.close();
    await assert.rejects(pending, (e: unknown) => e instanceof PeerwireError);
    await waitForHandlesAtMost(before);
  });
});

describe('zcash peer addresses', () => {
  it('parses host:port, [ipv6]:port and memory:name, and refuses the rest', () => {
    assert.deepEqual(parseZcashAddress('127.0.0.1:8233'), { protocol: 'tcp', host: '127.0.0.1', port: 8233 });
    assert.deepEqual(parseZcashAddress('[::1]:18233'), { protocol: 'tcp', host: '::1', port: 18233 });
    assert.deepEqual(parseZcashAddress('memory:alice'), { protocol: 'memory', host: 'alice', port: 0 });
    for (const bad of ['::1:8233', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '[::1]8233', 'memory:']) {
      assert.throws(
        () => parseZcashAddress(bad),
        (e: unknown) => e instanceof PeerwireError,
        bad,
      );
    }
  });
});
