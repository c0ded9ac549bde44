// The assembled Zcash node (Router + PeerManager with Zebra's policy + address book + crawler +
// inventory registry + peer set): peerwire nodes on 127.0.0.1 find each other from one seed through
// Zebra-style crawling (getaddr -> addr, at most 37 per answer, alternates via the connection cache),
// requests route through the peer set, and a node joins a real bcoin peer in Zcash-like mode.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import { ZcashNode } from '../../../src/zcash/node/zcash-node.ts';
import { TcpCarrier } from '../../../src/transport/tcp-carrier.ts';
import { StreamTransport } from '../../../src/transport/stream-transport.ts';
import { ZCASH_REGTEST } from '../../../src/zcash/params/network-params.ts';
import type { ZcashWire } from '../../../src/zcash/connection/zcash-wire.ts';
import { startBcoin, type BcoinPeer } from '../../helpers/bcoin/bcoin-process.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { waitFor } from '../../helpers/wait.ts';

const tcp = (wire: ZcashWire): StreamTransport => new StreamTransport({ carrier: new TcpCarrier(), wire });

async function localZcashNode(initialPeers: readonly string[] = []): Promise<ZcashNode> {
  return ZcashNode.create({
    network: ZCASH_REGTEST,
    transport: tcp,
    listen: { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    initialPeers: initialPeers.map((a) => parseNodeAddress(a)),
    localNetwork: true,
    crawlIntervalMs: 300,
    minCrawlIntervalMs: 100,
  });
}

const nodes: ZcashNode[] = [];
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
});

test('four Zcash nodes find each other from one seed through crawling and route requests', { timeout: 120_000 }, async () => {
  const baseline = handleCounts();
  const local: ZcashNode[] = [];
  try {
    const seed = await localZcashNode();
    local.push(seed);
    for (let i = 0; i < 3; i++) local.push(await localZcashNode([seed.address!]));
    nodes.push(...local);
    for (const n of local) n.start();
    await waitFor(() => local.every((n) => n.router.connectedPeers().length >= 2), 'every node has two or more peers', 60_000);
    // A ping through the peer set reaches a ready peer and comes back with a round-trip time.
    const pong = await local[1]!.peerSet.route({ kind: 'ping', nonce: 7n }, AbortSignal.timeout(20_000));
    assert.equal(pong.kind, 'pong');
    // The seed's book knows the others by their listen addresses (learned from alternates, not addr_from).
    const listenPorts = new Set(local.slice(1).map((n) => n.listenEndpoint!.port));
    await waitFor(
      () => local.slice(1).every((n) => n.router.connectedPeers().some((id) => listenPorts.has(Number(id.split(':').at(-1))))),
      'nodes dialed each other at listen addresses',
      60_000,
    );
  } finally {
    await Promise.allSettled(local.map((n) => n.stop()));
  }
  await waitForHandlesAtMost(baseline);
});

test('a Zcash node joins a real bcoin peer (Zcash-like mode) and asks it for peers through the peer set', { timeout: 120_000 }, async () => {
  let bcoin: BcoinPeer | undefined;
  try {
    bcoin = await startBcoin({ zcashLike: true, hosts: ['203.0.113.7:18233'] });
    const node = await ZcashNode.create({ network: ZCASH_REGTEST, transport: tcp, initialPeers: [parseNodeAddress(`127.0.0.1:${bcoin.port}`)], localNetwork: true, crawl: false });
    nodes.push(node);
    node.start();
    await waitFor(() => node.peerSet.readyCount === 1, 'bcoin is a ready peer', 60_000);
    const answer = await node.peerSet.route({ kind: 'peers' }, AbortSignal.timeout(20_000));
    assert.equal(answer.kind, 'peers');
    assert.ok(answer.kind === 'peers' && answer.addrs.some((a) => a.ip === '203.0.113.7'));
    await node.stop();
  } finally {
    await bcoin?.stop();
  }
});
