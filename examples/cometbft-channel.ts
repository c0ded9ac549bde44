// Using peerwire as a library on the CometBFT wire: two nodes on 127.0.0.1, each opening the same
// channel; one sends a message, the other receives it with `for await`. It imports the package by its
// own name, as a program that depends on peerwire would. Run: npx tsx examples/cometbft-channel.ts
// (that loads the built dist/; the test suite runs it against the sources).
import { utf8Codec } from 'peerwire';
import { createCometbftNode } from 'peerwire/cometbft';

const CHAT = 0x71; // any channel id 0..255 that is not a standard CometBFT one
const alice = await createCometbftNode({ chainId: 'example-chain', listen: { host: '127.0.0.1', port: 0 }, pex: false });
const bob = await createCometbftNode({
  chainId: 'example-chain',
  listen: { host: '127.0.0.1', port: 0 },
  persistentPeers: [alice.address], // bob dials alice (id@127.0.0.1:port)
  pex: false,
});
const aliceChat = alice.openChannel(CHAT, utf8Codec); // open channels before start(): they are advertised
const bobChat = bob.openChannel(CHAT, utf8Codec);
alice.start();
bob.start();

// Send once bob is connected to alice.
const unsubscribe = bob.router.subscribe((update) => {
  if (update.status === 'up') void bobChat.send({ to: update.id, message: 'hello over SecretConnection + MConnection' });
});
for await (const envelope of aliceChat) {
  console.log(`alice received "${envelope.message}" from ${envelope.from}`);
  break;
}
unsubscribe();
await bob.stop();
await alice.stop();
