// `npm start` until the command line exists: a small local network on the memory transport and one
// on 127.0.0.1 TCP, each bootstrapped from one seed through address exchange, with every node
// gossiping a few messages on a demo channel. Prints what happened and exits 0 only if every node
// found peers and every message reached every node.

import { EngineNode } from '../node/engine-node.ts';
import { localNetworkProfile, TendermintPolicy } from '../peers/tendermint-policy.ts';
import { utf8Codec } from '../router/codec.ts';
import { LOCAL_NETWORK_ROUTER_OPTIONS } from '../router/router-options.ts';
import { MemoryNetwork } from '../transport/memory-network.ts';
import type { Transport } from '../transport/types.ts';
import { memoryTransport, tcpTransport } from '../wire/plain/transports.ts';

const DEMO_CHANNEL = 0x42;
/** Messages each node originates. */
const MESSAGES_PER_NODE = 5;
/** The demo gives up after this long (ms): a local network forms in well under a second. */
const DEADLINE_MS = 20_000;

interface Run {
  readonly label: string;
  readonly nodes: number;
  readonly transport: (i: number) => { transport: Transport; listen: { protocol: string; host: string; port: number } };
}

async function runNetwork(run: Run): Promise<boolean> {
  const started = Date.now();
  const nodes: EngineNode[] = [];
  const seen: Set<string>[] = [];
  try {
    for (let i = 0; i < run.nodes; i++) {
      const { transport, listen } = run.transport(i);
      const seed = nodes[0];
      nodes.push(
        await EngineNode.create({
          transports: [transport],
          listen: [listen],
          network: 'peerwire-demo',
          policy: new TendermintPolicy({ ...localNetworkProfile, maxConnected: 12, maxOutgoing: 4 }),
          router: LOCAL_NETWORK_ROUTER_OPTIONS,
          addressExchange: { requestIntervalMs: 200, minInboundRequestIntervalMs: 0, crawlIntervalMs: 200 },
          ...(seed === undefined ? {} : { bootstrap: [seed.address] }),
        }),
      );
    }
    const channels = nodes.map((node, i) => {
      const set = new Set<string>();
      seen.push(set);
      const channel = node.openChannel(DEMO_CHANNEL, utf8Codec);
      void (async () => {
        for await (const envelope of channel) {
          if (set.has(envelope.message)) continue;
          set.add(envelope.message);
          await channel.send({ broadcast: true, message: envelope.message }).catch(() => undefined);
        }
      })();
      return { channel, index: i };
    });
    for (const node of nodes) node.start();
    const deadline = Date.now() + DEADLINE_MS;
    const wait = async (ok: () => boolean): Promise<boolean> => {
      while (!ok()) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    };
    const formed = await wait(() => nodes.every((n) => n.router.connectedPeers().length >= 2));
    const formedMs = Date.now() - started;
    for (const { channel, index } of channels) {
      for (let m = 0; m < MESSAGES_PER_NODE; m++) {
        const message = `node ${index} message ${m}`;
        seen[index]!.add(message);
        await channel.send({ broadcast: true, message });
      }
    }
    const total = run.nodes * MESSAGES_PER_NODE;
    const delivered = await wait(() => seen.every((s) => s.size === total));
    const peers = nodes.map((n) => n.router.connectedPeers().length);
    console.log(
      `${run.label}: ${run.nodes} nodes, ${formed ? 'formed' : 'DID NOT FORM'} in ${formedMs} ms, ` +
        `peers per node [${peers.join(' ')}], ` +
        `${seen.reduce((sum, s) => sum + s.size, 0)}/${total * run.nodes} gossip deliveries ` +
        `(${delivered ? 'all arrived' : 'SOME MISSING'}) in ${Date.now() - started} ms total`,
    );
    return formed && delivered;
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
}

const memory = new MemoryNetwork();
const memoryOk = await runNetwork({
  label: 'memory transport',
  nodes: 8,
  transport: (i) => ({
    transport: memoryTransport(memory, { name: `node-${i}` }),
    listen: { protocol: 'memory', host: `node-${i}`, port: 0 },
  }),
});
const tcpOk = await runNetwork({
  label: 'tcp 127.0.0.1   ',
  nodes: 4,
  transport: () => ({ transport: tcpTransport(), listen: { protocol: 'tcp', host: '127.0.0.1', port: 0 } }),
});
console.log(memoryOk && tcpOk ? 'local networks formed and all traffic arrived' : 'local network demo FAILED');
process.exitCode = memoryOk && tcpOk ? 0 : 1;
