// `peerwire crawl` as a child process against three peerwire Zcash nodes on 127.0.0.1 (in-process,
// local-network profile): from one seed the crawler reaches all three (the seed's getaddr answer leads
// it to the other two) and prints the census — address, protocol version, user agent, services, start
// height — as a table and as JSON, exiting 0 after --duration; with --until-done it stops once nothing
// is left to contact (long before its --duration bound). A seed nobody listens on ends in one line on
// stderr and exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { parseNodeAddress } from '../../src/core/node-address.ts';
import { ZcashNode } from '../../src/zcash/node/zcash-node.ts';
import { ZCASH_REGTEST } from '../../src/zcash/params/network-params.ts';
import { CURRENT_NETWORK_PROTOCOL_VERSION as PROTOCOL_VERSION } from '../../src/zcash/params/network-upgrades.ts';
import { handleCounts, waitForHandlesAtMost } from '../helpers/handles.ts';
import { waitFor } from '../helpers/wait.ts';
import { runCli } from './run-cli.ts';

/** Crawl length (s): long enough for getaddr answers and two more dials on a loaded machine. */
const CRAWL_SECONDS = '6';

async function localZcashNode(initialPeers: readonly string[]): Promise<ZcashNode> {
  return ZcashNode.create({
    network: ZCASH_REGTEST,
    listen: { protocol: 'tcp', host: '127.0.0.1', port: 0 },
    initialPeers: initialPeers.map((a) => parseNodeAddress(a)),
    localNetwork: true,
    crawlIntervalMs: 300,
    minCrawlIntervalMs: 100,
  });
}

interface CensusJson {
  network: string;
  reachable: number;
  known: number;
  peers: {
    address: string;
    version: number;
    userAgent: string;
    services: string;
    height: number;
    relay: boolean;
    addressesShared: number;
  }[];
}

test(
  'crawl reaches every node of a local Zcash network from one seed and prints the census (table and JSON)',
  { timeout: 300_000 },
  async () => {
    const baseline = handleCounts();
    const nodes: ZcashNode[] = [];
    try {
      const seed = await localZcashNode([]);
      nodes.push(seed);
      for (let i = 0; i < 2; i++) nodes.push(await localZcashNode([seed.address!]));
      for (const n of nodes) n.start();
      // The seed must know the others' listen addresses before it can share them: two peers each is
      // not enough (a node may have connected to the other by being dialed, its own address still
      // unknown to the seed until the seed's next crawl of it).
      await waitFor(
        () =>
          nodes.every((n) => n.router.connectedPeers().length >= 2) &&
          nodes.slice(1).every((n) => seed.peerManager.peer(n.address!) !== undefined),
        'every node has two peers and the seed knows every listen address',
        60_000,
      );
      const addresses = nodes.map((n) => n.address!).sort();
      const common = [
        'crawl',
        '--network',
        'zcash-regtest',
        '--seed',
        seed.address!,
        '--duration',
        CRAWL_SECONDS,
        '--local-network',
      ];
      const untilDoneArgs = ['crawl', '--network', 'zcash-regtest', '--seed', seed.address!, '--local-network', '--until-done', '--duration', '600'];
      const [json, plain, untilDone] = await Promise.all([
        runCli([...common, '--json']),
        runCli(common),
        runCli(untilDoneArgs, { timeoutMs: 300_000 }),
      ]);
      assert.equal(untilDone.code, 0, `stdout: ${untilDone.stdout}\nstderr: ${untilDone.stderr}`);
      assert.match(untilDone.stdout, /^zcash-regtest: 3 reachable peers, \d+ addresses known after \d+ s \(nothing left to contact\)\n/);

      assert.equal(json.code, 0, `stdout: ${json.stdout}\nstderr: ${json.stderr}`);
      const census = JSON.parse(json.stdout) as CensusJson;
      assert.equal(census.network, 'zcash-regtest');
      assert.equal(census.reachable, 3);
      assert.ok(census.known >= 3, `known ${census.known}`);
      assert.deepEqual(
        census.peers.map((p) => p.address),
        addresses,
      );
      for (const peer of census.peers) {
        assert.equal(peer.version, PROTOCOL_VERSION);
        assert.equal(peer.userAgent, '/peerwire:0.1.0/');
        assert.equal(peer.services, '1', 'NODE_NETWORK, a bigint printed as a decimal string');
        assert.equal(peer.height, 0);
        assert.equal(peer.relay, true);
      }
      // The seed answered getaddr with (at least) the two other nodes.
      assert.ok(census.peers.find((p) => p.address === seed.address)!.addressesShared >= 2);

      assert.equal(plain.code, 0, `stdout: ${plain.stdout}\nstderr: ${plain.stderr}`);
      const lines = plain.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^zcash-regtest: 3 reachable peers, \d+ addresses known after \d+ s$/);
      assert.match(lines[1]!, /^ADDRESS\s+VERSION\s+USER AGENT\s+SERVICES\s+HEIGHT\s+ADDRS$/);
      assert.equal(lines.length, 5, plain.stdout);
      for (const [i, address] of addresses.entries()) {
        assert.match(
          lines[2 + i]!,
          new RegExp(
            `^${address.replace(/\./g, '\\.')}\\s+${PROTOCOL_VERSION}\\s+/peerwire:0\\.1\\.0/\\s+0x1\\s+0\\s+\\d+$`,
          ),
        );
      }
      assert.equal(plain.stderr, '', 'no log output at the default level');
    } finally {
      await Promise.allSettled(nodes.map((n) => n.stop()));
    }
    await waitForHandlesAtMost(baseline);
  },
);

test('crawl from a seed nobody listens on fails with one line and exit 1', { timeout: 60_000 }, async () => {
  // A port that was free a moment ago: nothing listens there.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await runCli([
    'crawl',
    '--network',
    'zcash-regtest',
    '--seed',
    `127.0.0.1:${port}`,
    '--duration',
    '1',
    '--local-network',
    '--json',
  ]);
  assert.equal(result.code, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  assert.equal((JSON.parse(result.stdout) as CensusJson).reachable, 0);
  assert.match(result.stderr, new RegExp(`^peerwire: .*no peer reachable from 127\\.0\\.0\\.1:${port}`));
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
});
