// The honest newcomer of the attack probes as a real node, in its own process: a CometBFT or Zcash
// node with the real-network profile, built through the library as `peerwire node` builds it (like
// victim.ts), with the victim as its only configured peer, dialing from its own 127.x address. Each
// try is a fresh node (new key, next source address 127.0.2.<try + 1>) that starts, dials, and is
// timed from start() (its first dial) until a handshake the victim keeps: the peer is up and still
// up 200 ms later. Prints `join <ms>` per try (`join Infinity` when not in within the timeout), then
// `done`, and exits. Every node is stopped before the next one starts.
// Usage: node --import tsx test/attack/joiner.ts cometbft|zcash <victim port> <victim id> <tries> <timeout ms>

import { parseNodeAddress } from '../../src/core/node-address.ts';
import { createCometbftNode } from '../../src/cometbft/node/cometbft-node.ts';
import type { PeerUpdate } from '../../src/engine/peers/types.ts';
import { StreamTransport } from '../../src/transport/stream-transport.ts';
import { TcpCarrier } from '../../src/transport/tcp-carrier.ts';
import { ZcashNode } from '../../src/zcash/node/zcash-node.ts';
import { ZCASH_REGTEST } from '../../src/zcash/params/network-params.ts';
import { CHAIN_ID } from '../cometbft/wire/evil-peer-harness.ts';

/** How long the joined peer must stay up to count as kept (ms): the raw probe's hold. */
const KEPT_AFTER_MS = 200;

const [wire, portText, victimId, triesText, timeoutText] = process.argv.slice(2);
const port = Number(portText);
const tries = Number(triesText);
const timeoutMs = Number(timeoutText);

interface JoiningNode {
  subscribe(listener: (update: PeerUpdate) => void): () => void;
  start(): void;
  stop(): Promise<void>;
}

async function buildNode(source: string): Promise<JoiningNode> {
  if (wire === 'cometbft') {
    const node = await createCometbftNode({
      chainId: CHAIN_ID,
      listen: { host: source, port: 0 },
      carrier: new TcpCarrier({ localAddress: source }),
      persistentPeers: [parseNodeAddress(`${victimId}@127.0.0.1:${port}`)],
    });
    return { subscribe: (l) => node.router.subscribe(l), start: () => node.start(), stop: () => node.stop() };
  }
  const node = await ZcashNode.create({
    network: ZCASH_REGTEST,
    peers: [`127.0.0.1:${port}`],
    crawler: false,
    transport: (zcashWire) => new StreamTransport({ carrier: new TcpCarrier({ localAddress: source }), wire: zcashWire }),
  });
  return { subscribe: (l) => node.router.subscribe(l), start: () => node.start(), stop: () => node.stop() };
}

/** Ms from start() until an outbound peer is up and still up KEPT_AFTER_MS later; Infinity after timeoutMs. */
function timeJoin(node: JoiningNode): Promise<number> {
  return new Promise((resolve) => {
    let started = 0;
    let kept: NodeJS.Timeout | undefined;
    const finish = (ms: number): void => {
      clearTimeout(kept);
      clearTimeout(deadline);
      unsubscribe();
      resolve(ms);
    };
    const unsubscribe = node.subscribe((update) => {
      if (update.status === 'down') {
        clearTimeout(kept);
        kept = undefined;
        return;
      }
      if (update.direction !== 'outbound' || kept !== undefined) return;
      const upAt = performance.now();
      kept = setTimeout(() => finish(upAt - started), KEPT_AFTER_MS);
    });
    const deadline = setTimeout(() => finish(Number.POSITIVE_INFINITY), timeoutMs);
    started = performance.now();
    node.start();
  });
}

for (let t = 0; t < tries; t++) {
  const node = await buildNode(`127.0.2.${t + 1}`);
  const ms = await timeJoin(node);
  await node.stop();
  process.stdout.write(`join ${ms}\n`);
}
process.stdout.write('done\n');
