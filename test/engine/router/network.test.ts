// Whole networks of engine nodes: 30 nodes on the memory transport and 6 on 127.0.0.1, bootstrapped
// from two seeds through address exchange (PeerManager.advertise), form a connected graph, and a
// gossiped broadcast reaches every node. Also: a restarted node reloads its peer store, and stop()
// leaves no handles behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeId } from '../../../src/core/node-address.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { EngineNode } from '../../../src/engine/node/engine-node.ts';
import { FilePeerStore } from '../../../src/engine/peers/file-peer-store.ts';
import { utf8Codec } from '../../../src/core/message-codec.ts';
import type { Channel } from '../../../src/engine/router/channel.ts';
import { MemoryNetwork, memoryNode, tcpNode } from '../../helpers/engine-network.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { waitFor } from '../../helpers/wait.ts';

const GOSSIP_CHANNEL = 0x42;

/** Relays every new message once to all peers: a broadcast then reaches every node of a connected graph. */
function gossip(node: EngineNode, seen: Set<string>): Channel<string> {
  const channel = node.openChannel(GOSSIP_CHANNEL, utf8Codec, { sendQueueCapacity: 256 });
  void (async () => {
    for await (const envelope of channel) {
      if (seen.has(envelope.message)) continue;
      seen.add(envelope.message);
      await channel.send({ broadcast: true, message: envelope.message }).catch(() => undefined);
    }
  })();
  return channel;
}

/** True when every node can reach every other node over current connections. */
function connected(nodes: readonly EngineNode[]): boolean {
  const byId = new Map<NodeId, EngineNode>(nodes.map((n) => [n.id, n]));
  const start = nodes[0];
  if (start === undefined) return true;
  const reached = new Set<NodeId>([start.id]);
  const frontier = [start];
  while (frontier.length > 0) {
    const node = frontier.pop()!;
    for (const peer of node.router.connectedPeers()) {
      if (!reached.has(peer) && byId.has(peer)) {
        reached.add(peer);
        frontier.push(byId.get(peer)!);
      }
    }
  }
  return reached.size === nodes.length;
}

async function formAndBroadcast(nodes: EngineNode[], label: string): Promise<void> {
  const seen = nodes.map(() => new Set<string>());
  const channels = nodes.map((n, i) => gossip(n, seen[i]!));
  for (const n of nodes) n.start();
  await waitFor(() => connected(nodes), `${label}: connected graph`, 60_000);
  await waitFor(() => nodes.every((n) => n.router.connectedPeers().length >= 2), `${label}: every node has 2+ peers`, 60_000);
  const origin = nodes.length - 1;
  const message = `hello from ${label}`;
  seen[origin]!.add(message);
  await channels[origin]!.send({ broadcast: true, message });
  await waitFor(() => seen.every((s) => s.has(message)), `${label}: broadcast reached every node`, 60_000);
  for (const n of nodes) assert.ok(n.router.connectedPeers().length <= 64);
}

test('30 nodes on the memory transport bootstrap from two seeds and a broadcast reaches all', async () => {
  const net = new MemoryNetwork();
  const nodes: EngineNode[] = [];
  try {
    const seedA = await memoryNode(net, 'seed-a');
    const seedB = await memoryNode(net, 'seed-b', { bootstrap: [seedA.address] });
    nodes.push(seedA, seedB);
    for (let i = 0; i < 28; i++) {
      nodes.push(
        await memoryNode(net, `node-${i}`, {
          bootstrap: [i % 2 === 0 ? seedA.address : seedB.address],
          policyOptions: { maxConnected: 8, maxOutgoing: 4 },
        }),
      );
    }
    await formAndBroadcast(nodes, 'memory');
    // Nodes learned peers beyond their seed through address exchange.
    const learned = nodes.slice(2).filter((n) => n.peerManager.peers().length > 2).length;
    assert.ok(learned >= 20, `only ${learned} nodes learned addresses beyond their seed`);
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
});

test('6 nodes on 127.0.0.1 bootstrap from two seeds and a broadcast reaches all; stop leaves no handles', async () => {
  const baseline = handleCounts();
  const nodes: EngineNode[] = [];
  try {
    const seedA = await tcpNode();
    const seedB = await tcpNode({ bootstrap: [seedA.address] });
    nodes.push(seedA, seedB);
    for (let i = 0; i < 4; i++) {
      nodes.push(await tcpNode({ bootstrap: [i % 2 === 0 ? seedA.address : seedB.address], policyOptions: { maxConnected: 4, maxOutgoing: 2 } }));
    }
    await formAndBroadcast(nodes, 'tcp');
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
  await waitForHandlesAtMost(baseline);
});

test('a restarted node reloads its peer store and reconnects without bootstrap addresses', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-restart-'));
  const net = new MemoryNetwork();
  const key = NodeKey.generate();
  const others: EngineNode[] = [];
  try {
    for (let i = 0; i < 3; i++) others.push(await memoryNode(net, `known-${i}`));
    for (const n of others) n.start();
    const first = await memoryNode(net, 'restarting', {
      key,
      store: new FilePeerStore({ path: join(dir, 'peers.dat') }),
      bootstrap: others.map((n) => n.address),
    });
    first.start();
    await waitFor(() => first.router.connectedPeers().length === 3, 'first run connects to all three');
    await first.stop();
    const second = await memoryNode(net, 'restarting', { key, store: new FilePeerStore({ path: join(dir, 'peers.dat') }) });
    try {
      assert.ok(second.peerManager.peers().length >= 3, 'store reloaded');
      second.start();
      await waitFor(() => second.router.connectedPeers().length === 3, 'second run reconnects from the store alone');
    } finally {
      await second.stop();
    }
  } finally {
    await Promise.allSettled(others.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  }
});
