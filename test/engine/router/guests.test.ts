// Guests end to end (engine/peers/guests.ts): engine nodes on the memory transport. A node whose only
// inbound slot is taken still gives a newcomer addresses: it admits it as a guest, answers its one
// address request, closes it (counted as `answered`), and the newcomer goes on to connect to the
// address it learned. A guest that never asks is closed at the router's deadline (counted as
// `expired`), and the pending-handshake slot it held is free again; while it visits it holds that slot,
// so guests share the handshake budget and a newcomer under pressure evicts one like a stalled handshake.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineNode } from '../../../src/engine/node/engine-node.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { SimMetrics } from '../../../src/sim/sim-metrics.ts';
import { MemoryNetwork, memoryNode } from '../../helpers/engine-network.ts';
import { waitFor } from '../../helpers/wait.ts';
import { utf8Codec } from '../../../src/core/message-codec.ts';

/** One inbound slot, no outbound ones, no upgrades: full as soon as one peer connects. */
const FULL = { maxConnected: 1, maxOutgoing: 0, maxIncoming: 1, maxConnectedUpgrade: 0 } as const;

async function fullNodeWithOnePeer(net: MemoryNetwork, router: Record<string, number> = {}) {
  const metrics = new SimMetrics();
  const full = await memoryNode(net, 'full', { policyOptions: FULL, router, metrics });
  const peer = await memoryNode(net, 'peer', { bootstrap: [full.address] });
  full.start();
  peer.start();
  await waitFor(() => full.router.connectedPeers().includes(peer.id), 'the peer takes the only inbound slot');
  return { full, peer, metrics };
}

/** A newcomer told only the full node; returns once it learned the full node's peer from it. */
async function answeredNewcomer(net: MemoryNetwork, full: EngineNode, peer: EngineNode): Promise<EngineNode> {
  const newcomer = await memoryNode(net, 'newcomer', { bootstrap: [full.address] });
  newcomer.start();
  await waitFor(() => newcomer.peerManager.peer(peer.id) !== undefined, 'the newcomer learned the peer from the full node').catch(async (error: unknown) => {
    await newcomer.stop();
    throw error;
  });
  return newcomer;
}

/**
 * A full node with one peer, visited by a newcomer without address exchange (it never asks, so only a
 * deadline or an eviction ends its visit); returns once it visits.
 */
async function silentGuestOfFullNode(router: Record<string, number>) {
  const net = new MemoryNetwork();
  const { full, peer, metrics } = await fullNodeWithOnePeer(net, router);
  const silent = await memoryNode(net, 'silent', { bootstrap: [full.address], addressExchange: false });
  silent.start();
  await waitFor(() => full.router.peerStatus().some((p) => p.guest), 'the silent newcomer visits as a guest');
  return { net, full, peer, metrics, silent };
}

async function stopAll(nodes: readonly EngineNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop()));
}

test('a full node answers a newcomer as a guest and closes it; the newcomer connects to what it learned', async () => {
  const net = new MemoryNetwork();
  const { full, peer, metrics } = await fullNodeWithOnePeer(net);
  const newcomer = await answeredNewcomer(net, full, peer);
  try {
    await waitFor(() => newcomer.router.connectedPeers().includes(peer.id), 'the newcomer connects to it');
    await waitFor(() => metrics.total('peerwire_router_guests_ended_total') >= 1, 'the guest visit ended');
    assert.ok(metrics.total('peerwire_peers_guests_total') >= 1);
    assert.ok(ended(metrics, 'answered') >= 1, 'closed after its answer');
    assert.deepEqual(full.router.connectedPeers().filter((id) => id !== newcomer.id), [peer.id], 'the full node kept its peer');
    assert.ok(full.peerManager.stats().connected <= 1, 'never over its limit');
  } finally {
    await stopAll([newcomer, peer, full]);
  }
});

test('a guest that never asks is closed at the deadline, and the pending slot it held is free again', async () => {
  const { net, full, peer, metrics, silent } = await silentGuestOfFullNode({ guestTimeoutMs: 200, maxPendingHandshakes: 1 });
  try {
    await waitFor(() => ended(metrics, 'expired') >= 1, 'closed at the deadline');
    await silent.stop();
    await waitFor(() => full.peerManager.stats().guests === 0, 'no guest left');
    // With one pending slot, a newcomer gets in (and is answered) only if the guest's slot was freed.
    await stopAll([await answeredNewcomer(net, full, peer)]);
  } finally {
    await stopAll([silent, peer, full]);
  }
});

test('a guest holds a pending-handshake slot: under pressure a newcomer evicts it as it would a stalled handshake', async () => {
  const { net, full, peer, metrics, silent } = await silentGuestOfFullNode({ guestTimeoutMs: 60_000, maxPendingHandshakes: 1 });
  const second = await memoryNode(net, 'second', { bootstrap: [full.address], addressExchange: false });
  try {
    second.start();
    await waitFor(() => metrics.total('peerwire_router_pending_evictions_total') >= 1, 'the guest\'s pending slot is taken over');
    await waitFor(() => ended(metrics, 'other') >= 1, 'the evicted guest is closed long before its deadline');
  } finally {
    await stopAll([silent, second, peer, full]);
  }
});

test('a guest is not a peer: left out of connectedPeers, the peer gauge and broadcasts', async () => {
  const net = new MemoryNetwork();
  const metrics = new PromMetrics();
  const full = await memoryNode(net, 'full', { policyOptions: FULL, router: { guestTimeoutMs: 60_000 }, metrics });
  const peer = await memoryNode(net, 'peer', { bootstrap: [full.address] });
  const silent = await memoryNode(net, 'silent', { bootstrap: [full.address], addressExchange: false });
  const GOSSIP = 0x42;
  const fullChannel = full.openChannel(GOSSIP, utf8Codec);
  const received = { peer: [] as string[], silent: [] as string[] };
  for (const [node, into] of [[peer, received.peer], [silent, received.silent]] as const) {
    const channel = node.openChannel(GOSSIP, utf8Codec);
    void (async () => {
      for await (const envelope of channel) into.push(envelope.message);
    })();
  }
  try {
    full.start();
    peer.start();
    await waitFor(() => full.router.connectedPeers().includes(peer.id), 'the peer takes the only inbound slot');
    silent.start();
    await waitFor(() => full.router.peerStatus().some((p) => p.guest && p.id === silent.id), 'the silent newcomer visits as a guest');
    assert.deepEqual(full.router.connectedPeers(), [peer.id], 'the guest is not listed as a connected peer');
    assert.match(await metrics.text(), /^peerwire_router_peers\{direction="inbound"\} 1$/m, 'nor counted in the peer gauge');
    const guestSentBefore = full.router.peerStatus().find((p) => p.id === silent.id)!.bytesSent;
    await fullChannel.send({ broadcast: true, message: 'to peers only' });
    // The broadcast is queued for every recipient in one synchronous pass, so once the peer has it,
    // anything meant for the guest would have been queued or sent as well.
    await waitFor(() => received.peer.includes('to peers only'), 'the peer receives the broadcast');
    const guestAfter = full.router.peerStatus().find((p) => p.id === silent.id)!;
    assert.equal(guestAfter.queuedMessages, 0);
    assert.equal(guestAfter.bytesSent, guestSentBefore, 'nothing was sent to the guest');
    assert.deepEqual(received.silent, []);
  } finally {
    await stopAll([silent, peer, full]);
  }
});

function ended(metrics: SimMetrics, outcome: string): number {
  return metrics.snapshot()['peerwire_router_guests_ended_total']?.[`outcome=${outcome}`] ?? 0;
}
