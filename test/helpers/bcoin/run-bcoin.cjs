// Launches bcoin 1.0.2 (a devDependency) as a real, independent Bitcoin-family peer for the Zcash
// wire tests (docs/protocols/zcash.md §10.1). Loopback only: P2P and HTTP listen on 127.0.0.1, no DNS
// seeds, no configured nodes unless --connect is given, and `only` pins its outbound dialing to one
// loopback address so it can never dial anything else (e.g. the documentation-range addresses that
// --hosts puts in its address table so that it has something to answer `getaddr` with).
//
// Options:
//   --port=N             P2P port on 127.0.0.1 (required)
//   --http-port=N        HTTP API port on 127.0.0.1 (required)
//   --zcash-magic        use Zcash regtest magic aae83f5f instead of bcoin's regtest magic
//   --proto-version=N    patch net/common PROTOCOL_VERSION (e.g. 170160)
//   --services=N         patch net/common LOCAL_SERVICES (e.g. 1 = NODE_NETWORK)
//   --user-agent=S       patch net/common USER_AGENT
//   --connect=H:P        dial this loopback peer (nodes + only)
//   --hosts=A:P,B:P      add these addresses to its address table (answered to getaddr, never dialed)
// stdout protocol: `READY <port>` once listening; for each stdin line `mine`: mines one block and
// prints `MINED <hash hex, display order>` (the chain announces it to peers with an inv).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: bcoin is CommonJS, and its
   networks/common modules must be patched in place (same module instances) before the node is built. */
'use strict';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.length === 0 ? true : v.join('=')];
  }),
);

const networks = require('bcoin/lib/protocol/networks');
const common = require('bcoin/lib/net/common');
const NetAddress = require('bcoin/lib/net/netaddress');

networks.regtest.seeds = [];
if (args['zcash-magic']) networks.regtest.magic = 0x5f3fe8aa; // wire bytes aa e8 3f 5f
if (args['proto-version']) common.PROTOCOL_VERSION = Number(args['proto-version']);
if (args.services !== undefined) common.LOCAL_SERVICES = Number(args.services);
if (args['user-agent']) common.USER_AGENT = String(args['user-agent']);

const { FullNode } = require('bcoin');

const port = Number(args.port);
const httpPort = Number(args['http-port']);
if (!Number.isInteger(port) || !Number.isInteger(httpPort)) {
  console.error('usage: run-bcoin.cjs --port=N --http-port=N [...]');
  process.exit(2);
}
const connect = typeof args.connect === 'string' ? args.connect : undefined;
if (connect !== undefined && !/^127\.\d+\.\d+\.\d+:\d+$/.test(connect)) {
  console.error('--connect must be a 127.0.0.0/8 address');
  process.exit(2);
}
// Without --connect, outbound dialing is pinned to a loopback port nobody listens on (the HTTP port + 1
// would be a guess; port 9 "discard" is never served on test machines): refused at once, retried on loopback.
const pinned = connect ?? '127.0.0.1:9';

const node = new FullNode({
  network: 'regtest',
  memory: true,
  workers: false,
  listen: true,
  host: '127.0.0.1',
  port,
  publicHost: '127.0.0.1',
  httpHost: '127.0.0.1',
  httpPort,
  maxOutbound: 1,
  seeds: [],
  nodes: connect === undefined ? [] : [connect],
  only: [pinned],
  logLevel: process.env.BCOIN_LOG_LEVEL || 'none',
  logConsole: Boolean(process.env.BCOIN_LOG_LEVEL),
});

async function mine() {
  const block = await node.miner.mineBlock(node.chain.tip);
  await node.chain.add(block);
  return block.rhash();
}

async function main() {
  await node.ensure();
  await node.open();
  if (typeof args.hosts === 'string') {
    for (const host of args.hosts.split(',')) node.pool.hosts.add(NetAddress.fromHostname(host, 'regtest'));
  }
  await node.connect();
  // One block with a current timestamp makes the chain "synced", after which bcoin announces new
  // blocks to its peers.
  await mine();
  process.stdout.write(`READY ${port}\n`);
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line === 'mine') {
        mine().then(
          (hash) => process.stdout.write(`MINED ${hash}\n`),
          (err) => process.stdout.write(`ERROR ${err.message}\n`),
        );
      }
    }
  });
  process.stdin.on('end', () => shutdown(0));
}

let closing = false;
function shutdown(code) {
  if (closing) return;
  closing = true;
  node.close().then(
    () => process.exit(code),
    () => process.exit(code),
  );
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
