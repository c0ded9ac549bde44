// Using peerwire as a library on the Zcash wire: two nodes on 127.0.0.1 (Regtest magic); bob pings
// alice through his peer set (ping/pong with a nonce) and pushes her a transaction on the
// Transactions channel, which alice's node hands to its onTransaction handler.
// It imports the package by its own name, as a program that depends on peerwire would.
// Run: npx tsx examples/zcash-messages.ts (that loads the built dist/; the test suite runs it against
// the sources).
import { decodeTransaction, ZCASH_REGTEST, ZcashChannel, ZcashNode, zcashMessageCodec, type Transaction } from 'peerwire/zcash';

let received: (tx: Transaction) => void = () => undefined;
const arrived = new Promise<Transaction>((resolve) => (received = resolve));
const alice = await ZcashNode.create({
  network: ZCASH_REGTEST,
  listen: { host: '127.0.0.1', port: 0 },
  localNetwork: true, // two nodes on one host: loopback peers, several per IP
  onTransaction: (tx) => received(tx),
});
const bob = await ZcashNode.create({ network: ZCASH_REGTEST, listen: { host: '127.0.0.1', port: 0 }, localNetwork: true, peers: [alice.address!] });
const transactions = bob.router.openChannel(ZcashChannel.Transactions, zcashMessageCodec);
alice.start();
bob.start();

const connected = new Promise<string>((resolve) => bob.router.subscribe((u) => u.status === 'up' && resolve(u.id)));
const peer = await connected;
const pong = await bob.peerSet.route({ kind: 'ping', nonce: 42n }, AbortSignal.timeout(20_000));
console.log(`bob pinged ${peer}: ${pong.kind === 'pong' ? `${pong.rttMs} ms` : pong.kind}`);
// A version-1 transaction with no inputs and one empty output (enough to travel as a `tx` message).
const tx = decodeTransaction(new Uint8Array(Buffer.from('01000000' + '00' + '01' + '0000000000000000' + '00' + '00000000', 'hex')));
await transactions.send({ to: peer, message: { command: 'tx', tx } });
const got = await arrived;
console.log(`alice received tx ${Buffer.from(got.txid).reverse().toString('hex')}`);
await bob.stop();
await alice.stop();
