// The Zcash wire against a real independent peer: bcoin 1.0.2 started as a child process on loopback
// (test/helpers/bcoin). Zcash-like mode (Zcash regtest magic, version 170160, NODE_NETWORK): outbound
// and inbound handshakes, ping/pong, getaddr → addr, its block `inv` reaching the inventory collector,
// its `sendcmpct` ignored and its `reject` (answer to our bad checksum) not fatal. Stock Bitcoin
// regtest: the handshake completes with the bitcoin-regtest parameters, and the same peer is refused
// as obsolete under Zcash minimum versions.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PeerwireError } from '../../../src/core/errors.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { tcpEndpoint } from '../../../src/transport/endpoint.ts';
import type { StreamTransport } from '../../../src/transport/stream-transport.ts';
import { writeFrameHeader } from '../../../src/zcash/wire/frame-header.ts';
import { displayHexToHash, hashToDisplayHex } from '../../../src/zcash/encoding/hashes.ts';
import { BcoinBlock } from '../chain/bcoin.ts';
import {
  BITCOIN_REGTEST,
  ZCASH_REGTEST,
  type NetworkParams,
} from '../../../src/zcash/params/network-params.ts';
import { ZcashConnection, type ZcashPeerWire } from '../../../src/zcash/connection/zcash-connection.ts';
import { Handshake } from '../../../src/zcash/handshake/handshake.ts';
import { ZcashPeerErrorCode } from '../../../src/zcash/handshake/peer-errors.ts';
import { zcashTcpTransport } from '../../../src/zcash/connection/transport.ts';
import { hashKey } from '../../../src/zcash/wire/requests.ts';
import {
  freePort,
  startBcoin,
  BCOIN_ZCASH_USER_AGENT,
  type BcoinPeer,
} from '../../helpers/bcoin/bcoin-process.ts';
import { waitFor } from '../../helpers/wait.ts';
import { localNode, RecordingAddressBook, RecordingInventory } from './connection-harness.ts';

const LONG_MS = 60_000;

interface Node {
  readonly transport: StreamTransport;
  readonly book: RecordingAddressBook;
  readonly inventory: RecordingInventory;
  readonly metrics: PromMetrics;
}

function ourNode(network: NetworkParams): Node {
  const book = new RecordingAddressBook();
  const inventory = new RecordingInventory();
  const metrics = new PromMetrics();
  const handshake = Handshake.builder()
    .withConfig({ network, handshakeTimeoutMs: 15_000 }) // generous: the machine may be loaded
    .withAddressBookUpdater(book)
    .withInventoryCollector(inventory)
    .withAdvertisedServices(1n)
    .withUserAgent('/peerwire:test/')
    .withMetrics(metrics)
    .finish();
  return { transport: zcashTcpTransport({ handshake }), book, inventory, metrics };
}

async function dialAndHandshake(node: Node, port: number): Promise<ZcashConnection> {
  const signal = AbortSignal.timeout(LONG_MS);
  const conn = await node.transport.dial(tcpEndpoint('127.0.0.1', port), signal);
  assert.ok(conn instanceof ZcashConnection);
  await conn.handshake(localNode('zcash'), signal);
  return conn;
}

describe('bcoin 1.0.2 in Zcash-like mode', { timeout: 240_000 }, () => {
  let bcoin: BcoinPeer;
  const node = ourNode(ZCASH_REGTEST);
  let conn: ZcashConnection;

  before(async () => {
    bcoin = await startBcoin({ zcashLike: true, hosts: ['203.0.113.7:18233'] });
  });
  after(async () => {
    await node.transport.close();
    await bcoin.stop();
  });

  it('completes an outbound handshake', async () => {
    conn = await dialAndHandshake(node, bcoin.port);
    const info = conn.info!;
    assert.equal(info.id, `127.0.0.1:${bcoin.port}`);
    assert.equal(info.userAgent, BCOIN_ZCASH_USER_AGENT);
    assert.equal(info.protocolVersion, '170160');
    assert.equal((info.wire as ZcashPeerWire).services, 1n);
    assert.deepEqual(node.book.changes[0], {
      kind: 'update-connected',
      addr: `127.0.0.1:${bcoin.port}`,
      services: 1n,
      isInbound: false,
      userAgent: BCOIN_ZCASH_USER_AGENT,
      negotiatedVersion: 170160,
    });
  });

  it('answers our ping with the same-nonce pong', async () => {
    const response = await conn.client.request(
      { kind: 'ping', nonce: 0xfeedn },
      AbortSignal.timeout(LONG_MS),
    );
    assert.equal(response.kind, 'pong');
  });

  it('answers getaddr with an addr (its address table)', async () => {
    const response = await conn.client.request({ kind: 'peers' }, AbortSignal.timeout(LONG_MS));
    assert.ok(response.kind === 'peers');
    // Its table: the address the launcher put there, and the loopback address its dialing is pinned to.
    assert.ok(response.addrs.some((a) => `${a.ip}:${a.port}` === '203.0.113.7:18233'));
    assert.ok(response.addrs.length <= 37);
  });

  it('announces a new block with an inv that reaches the inventory collector', async () => {
    const hash = await bcoin.mine();
    const wire = hashKey(displayHexToHash(hash));
    await waitFor(
      () => node.inventory.changes.some((c) => c.kind === 'available' && c.hashes.includes(wire)),
      'the block inv to reach the inventory collector',
      LONG_MS,
    );
    assert.deepEqual(
      node.inventory.changes.find((c) => c.hashes.includes(wire)),
      { kind: 'available', peer: `127.0.0.1:${bcoin.port}`, hashes: [wire] },
    );
  });

  it('sent sendcmpct, which was ignored and counted', async () => {
    const text = await node.metrics.text();
    assert.match(text, /peerwire_zcash_unknown_commands_total [1-9]/);
    assert.equal(conn.client.isClosed, false);
  });

  it('answers our bad checksum with a reject that we do not act on', async () => {
    const frame = new Uint8Array(24 + 8);
    writeFrameHeader(frame, 0, ZCASH_REGTEST.magic, 'ping', 8, new Uint8Array(32)); // wrong checksum
    const iterator = conn[Symbol.asyncIterator]();
    // Envelopes always get a correct checksum, so the corrupt frame goes straight to the link.
    (conn as unknown as { link: { write(b: Uint8Array): boolean } }).link.write(frame);
    let sawReject = false;
    const deadline = Date.now() + LONG_MS;
    while (!sawReject && Date.now() < deadline) {
      const next = await iterator.next();
      if (next.done === true) break;
      const command = Buffer.from(next.value.bytes.subarray(0, 12)).toString('latin1').replace(/\0+$/, '');
      sawReject = command === 'reject';
    }
    assert.ok(sawReject, 'bcoin sent reject');
    const pong = await conn.client.request({ kind: 'ping', nonce: 1n }, AbortSignal.timeout(LONG_MS));
    assert.equal(pong.kind, 'pong', 'the connection is still up');
  });

  it('completes an inbound handshake when bcoin dials us', async () => {
    const inboundNode = ourNode(ZCASH_REGTEST);
    const port = await freePort();
    await inboundNode.transport.listen(tcpEndpoint('127.0.0.1', port));
    const dialer = await startBcoin({ zcashLike: true, connect: `127.0.0.1:${port}` });
    try {
      const accepted = await inboundNode.transport.accept(AbortSignal.timeout(LONG_MS));
      assert.ok(accepted instanceof ZcashConnection);
      const info = await accepted.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
      assert.equal(info.userAgent, BCOIN_ZCASH_USER_AGENT);
      const connected = inboundNode.book.changes[0];
      assert.equal(connected?.kind === 'update-connected' && connected.isInbound, true);
      const pong = await accepted.client.request({ kind: 'ping', nonce: 2n }, AbortSignal.timeout(LONG_MS));
      assert.equal(pong.kind, 'pong');
    } finally {
      await inboundNode.transport.close();
      await dialer.stop();
    }
  });
});

describe('stock bcoin 1.0.2 on Bitcoin regtest', { timeout: 240_000 }, () => {
  let bcoin: BcoinPeer;

  before(async () => {
    bcoin = await startBcoin();
  });
  after(async () => {
    await bcoin.stop();
  });

  it('completes the handshake with the bitcoin-regtest parameters', async () => {
    const node = ourNode(BITCOIN_REGTEST);
    try {
      const conn = await dialAndHandshake(node, bcoin.port);
      assert.equal(conn.info?.protocolVersion, '70015');
      assert.match(conn.info?.userAgent ?? '', /^\/bcoin:v?1\.0\.2\//);
      const pong = await conn.client.request({ kind: 'ping', nonce: 3n }, AbortSignal.timeout(LONG_MS));
      assert.equal(pong.kind, 'pong');
    } finally {
      await node.transport.close();
    }
  });

  it('relays Bitcoin bodies: a mined block (segwit coinbase) by getdata and its 80-byte header by getheaders', async () => {
    const node = ourNode(BITCOIN_REGTEST);
    try {
      const conn = await dialAndHandshake(node, bcoin.port);
      const mined = await bcoin.mine();
      const hash = displayHexToHash(mined);
      const blocks = await conn.client.request({ kind: 'blocks-by-hash', hashes: [hash] }, AbortSignal.timeout(LONG_MS));
      assert.ok(blocks.kind === 'blocks');
      const [block] = blocks.blocks;
      assert.ok(block !== undefined && block.header.format === 'bitcoin');
      assert.equal(hashToDisplayHex(block.hash), mined);
      const coinbase = block.transactions[0]!;
      assert.ok(coinbase.chain === 'bitcoin');
      // bcoin's own parser agrees on the txid and the witness hash.
      const theirs = BcoinBlock.fromRaw(Buffer.from(block.bytes));
      assert.equal(hashToDisplayHex(coinbase.txid), theirs.txs[0]!.txid());
      assert.equal(hashToDisplayHex(coinbase.wtxid), theirs.txs[0]!.wtxid());
      const genesis = displayHexToHash(BITCOIN_REGTEST.genesisHash!);
      const headers = await conn.client.request({ kind: 'find-headers', locator: [genesis] }, AbortSignal.timeout(LONG_MS));
      assert.ok(headers.kind === 'block-headers');
      const last = headers.headers.at(-1);
      assert.ok(last !== undefined && last.format === 'bitcoin' && 'hash' in last);
      assert.equal(hashToDisplayHex(last.hash), mined);
    } finally {
      await node.transport.close();
    }
  });

  it('is refused as obsolete under Zcash minimum versions', async () => {
    const zcashMinimums: NetworkParams = {
      ...BITCOIN_REGTEST,
      name: 'bitcoin-regtest-zcash-minimums',
      protocolVersion: ZCASH_REGTEST.protocolVersion,
      activations: ZCASH_REGTEST.activations,
      initialMinPeerVersion: ZCASH_REGTEST.initialMinPeerVersion,
    };
    const node = ourNode(zcashMinimums);
    try {
      await assert.rejects(dialAndHandshake(node, bcoin.port), (error: unknown) => {
        assert.ok(error instanceof PeerwireError);
        assert.equal(error.code, ZcashPeerErrorCode.ObsoleteVersion);
        return true;
      });
    } finally {
      await node.transport.close();
    }
  });
});
