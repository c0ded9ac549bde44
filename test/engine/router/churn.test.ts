// Connection churn: 1,000 connect/disconnect cycles on the memory transport and 200 on 127.0.0.1
// leave the long-lived node's active handles and heap where they were (no leaked sockets, timers,
// listeners or map entries, the js-libp2p #2477 class of leak).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { EngineNode } from '../../../src/engine/node/engine-node.ts';
import { MemoryNetwork, memoryNode, tcpNode } from '../../helpers/engine-network.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { waitFor } from '../../helpers/wait.ts';

const gc = (globalThis as { gc?: () => void }).gc;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

async function cycle(server: EngineNode, makeClient: () => Promise<EngineNode>): Promise<void> {
  const client = await makeClient();
  client.start();
  await waitFor(() => server.router.connectedPeers().includes(client.id), 'client connected');
  await client.stop();
  await waitFor(() => server.router.connectedPeers().length === 0, 'server saw the disconnect');
}

async function churn(
  server: EngineNode,
  makeClient: () => Promise<EngineNode>,
  cycles: number,
): Promise<void> {
  for (let i = 0; i < 20; i++) await cycle(server, makeClient); // warm-up: lazily created state settles
  const handles = handleCounts();
  const heapStart = await heapAfterGc();
  for (let i = 0; i < cycles / 2; i++) await cycle(server, makeClient);
  const heapHalf = await heapAfterGc();
  for (let i = 0; i < cycles / 2; i++) await cycle(server, makeClient);
  await waitForHandlesAtMost(handles);
  let heapBefore = heapHalf;
  let heapEnd = await heapAfterGc();
  // A leak grows the heap in every half alike; GC noise under a loaded machine does not. Two KiB kept
  // per cycle would show as a full budget in each half. A second half over budget gets one more half:
  // noise does not repeat, a leak does (a CI run saw 113 then 204 KiB against 200 once; locally the
  // second half reads 42-78 KiB).
  const budget = cycles * 1024;
  let halves = 2;
  if (heapEnd - heapBefore >= budget) {
    for (let i = 0; i < cycles / 2; i++) await cycle(server, makeClient);
    await waitForHandlesAtMost(handles);
    heapBefore = heapEnd;
    heapEnd = await heapAfterGc();
    halves = 3;
  }
  const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  assert.ok(
    heapEnd - heapBefore < budget && heapEnd - heapStart < halves * budget,
    `heap grew by ${kib(heapHalf - heapStart)}, then ${kib(heapEnd - heapHalf)} over ${halves - 1} more halves of ${cycles / 2} cycles`,
  );
  assert.equal(server.peerManager.peers().length, 1, 'one remembered peer, not one per cycle');
}

test(
  '1,000 connect/disconnect cycles on the memory transport return handles and heap to baseline',
  { timeout: 300_000 },
  async () => {
    assert.ok(gc !== undefined, 'run with --expose-gc (the test runner script passes it)');
    const net = new MemoryNetwork();
    const server = await memoryNode(net, 'churn-server', { addressExchange: false });
    server.start();
    const key = NodeKey.generate();
    try {
      await churn(
        server,
        () => memoryNode(net, 'churn-client', { key, addressExchange: false, bootstrap: [server.address] }),
        1000,
      );
    } finally {
      await server.stop();
    }
  },
);

test(
  '200 connect/disconnect cycles over 127.0.0.1 return handles and heap to baseline',
  { timeout: 300_000 },
  async () => {
    const server = await tcpNode({ addressExchange: false });
    server.start();
    const key = NodeKey.generate();
    try {
      await churn(server, () => tcpNode({ key, addressExchange: false, bootstrap: [server.address] }), 200);
    } finally {
      await server.stop();
    }
  },
);
