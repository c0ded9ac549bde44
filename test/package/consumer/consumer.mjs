// A program that depends on the installed peerwire package, in plain JavaScript run by `node` with no
// loader: it imports every entry point, runs the compiled code (a Zcash frame round trip, a CometBFT
// message between two nodes on 127.0.0.1) and prints one JSON line for test/package/pack.test.ts.
import * as engine from 'peerwire';
import * as cometbft from 'peerwire/cometbft';
import * as zcash from 'peerwire/zcash';

const codec = new zcash.ZcashCodec({ network: zcash.ZCASH_REGTEST });
codec.push(codec.encode({ command: 'ping', nonce: 7n }));
const ping = codec.next();

const alice = await cometbft.createCometbftNode({ chainId: 'pack-test', listen: { host: '127.0.0.1', port: 0 }, pex: false });
const bob = await cometbft.createCometbftNode({
  chainId: 'pack-test',
  listen: { host: '127.0.0.1', port: 0 },
  persistentPeers: [alice.address],
  pex: false,
});
const aliceChat = alice.openChannel(0x71, engine.utf8Codec);
const bobChat = bob.openChannel(0x71, engine.utf8Codec);
alice.start();
bob.start();
bob.router.subscribe((update) => {
  if (update.status === 'up') void bobChat.send({ to: update.id, message: 'hello from dist' });
});
let received = '';
for await (const envelope of aliceChat) {
  received = envelope.message;
  break;
}
await bob.stop();
await alice.stop();

console.log(
  JSON.stringify({
    engine: ['Router', 'PeerManager', 'TendermintPolicy', 'MemoryPeerStore', 'FilePeerStore', 'ManualClock', 'PeerwireError', 'MemoryNetwork', 'TcpCarrier'].filter((name) => typeof engine[name] === 'function'),
    cometbft: ['createCometbftNode', 'SecretConnectionHandshake', 'MConnectionCore', 'encodeNodeInfo', 'cometbftPex', 'protobufOneofCodec', 'loadOrGenerateNodeKey'].filter((name) => typeof cometbft[name] === 'function'),
    zcash: ['ZcashNode', 'ZcashCodec', 'Handshake', 'ZebraPolicy', 'AddressBook', 'PeerSet'].filter((name) => typeof zcash[name] === 'function'),
    mempoolSchema: cometbft.proto.mempool.MessageSchema.typeName,
    ping: ping === undefined ? null : { command: ping.command, nonce: String(ping.nonce) },
    received,
  }),
);
