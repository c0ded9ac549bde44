// The victim of the attack probes, as its own process (so its CPU time, memory and descriptors are its
// own): a CometBFT or Zcash node with the real-network (public) profile on 127.0.0.1, built through
// the library as `peerwire node` builds it. Prints `id <node id>`, then `port <n>` once listening; stops on SIGTERM. Each
// `metrics` line on stdin is answered with the node's Prometheus text between `metrics-begin` and
// `metrics-end` lines, so probes can count refusals, evictions and flood disconnects; each `heap` line
// with `heap <bytes>`, the heap still used after a full garbage collection.
// Usage: node --expose-gc --import tsx test/attack/victim.ts cometbft|zcash [maxInbound]

import { createInterface } from 'node:readline';
import { PromMetrics } from '../../src/core/prom-metrics.ts';
import { createCometbftNode } from '../../src/cometbft/node/cometbft-node.ts';
import { ZcashNode } from '../../src/zcash/node/zcash-node.ts';
import { ZCASH_REGTEST } from '../../src/zcash/params/network-params.ts';

export const ATTACK_CHAIN_ID = 'evil-net';

const wire = process.argv[2];
const maxInbound = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const listen = { host: '127.0.0.1', port: 0 };
const metrics = new PromMetrics();
let stop: () => Promise<void>;
let port: number;
let id: string;
if (wire === 'cometbft') {
  const node = await createCometbftNode({
    chainId: ATTACK_CHAIN_ID,
    listen,
    metrics,
    ...(maxInbound === undefined ? {} : { maxInbound }),
  });
  node.start();
  port = node.address.port;
  id = node.id;
  stop = () => node.stop();
} else {
  const node = await ZcashNode.create({
    network: ZCASH_REGTEST,
    listen,
    crawler: false,
    metrics,
    ...(maxInbound === undefined ? {} : { maxInbound }),
  });
  node.start();
  port = node.listenEndpoint!.port;
  id = node.id;
  stop = () => node.stop();
}
process.stdout.write(`id ${id}\nport ${port}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'heap') {
    // The heap the node still holds once garbage is gone: a full collection first (the victim runs
    // with --expose-gc), so the figure is retained memory, not what the collector has yet to reclaim.
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`heap ${process.memoryUsage().heapUsed}\n`);
    return;
  }
  if (line.trim() !== 'metrics') return;
  void metrics.text().then((text) => process.stdout.write(`metrics-begin\n${text}\nmetrics-end\n`));
});
process.once('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
