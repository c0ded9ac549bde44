// CometBFT PEX between TS nodes over TCP on 127.0.0.1 (docs/protocols/cometbft.md §5.2-5.3): three nodes learn each other's
// addresses through a hub; a peer sending an answer nobody asked for, or a third request within 10 s,
// is banned for 24 h and disconnected; a seed answers, then hangs up; our own ID in an answer is
// ignored. The misbehaving peer is a node that opens channel 0x00 with raw bytes instead of PEX.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { NodeAddress } from '../../../src/core/node-address.ts';
import type { PeerUpdate } from '../../../src/engine/peers/types.ts';
import type { Channel } from '../../../src/engine/router/channel.ts';
import { rawCodec } from '../../../src/core/message-codec.ts';
import { pexCodec, PEX_BAN_MS } from '../../../src/cometbft/pex/index.ts';
import { LONG_MS, NO_TIMERS } from '../../transport/compliance.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { createNode, type TestNode } from '../wire/cometbft-node.ts';
import { waitFor } from '../../helpers/wait.ts';

/** A node speaking raw bytes on the PEX channel, to misbehave on purpose. */
async function rawPexNode(name: string): Promise<{ node: TestNode; channel: Channel<Uint8Array> }> {
  const node = await createNode(name, { pex: false });
  const channel = node.router.openChannel(0x00, rawCodec, {
    priority: 1,
    sendQueueCapacity: 10,
    recvMessageCapacity: 64_000,
  });
  return { node, channel };
}

/** Resolves with the next inbound message on a raw channel (bounded wait). */
async function nextMessage(channel: Channel<Uint8Array>): Promise<Uint8Array> {
  const envelope = await channel.inbound.next(AbortSignal.timeout(LONG_MS));
  if (envelope === undefined) throw new Error('channel closed');
  return envelope.message;
}

const request = pexCodec.encode({ kind: 'request' });
const answer = (addresses: NodeAddress[]): Uint8Array => pexCodec.encode({ kind: 'addresses', addresses });
const fakeAddress = (host: string): NodeAddress => ({
  protocol: 'tcp',
  id: NodeKey.generate().id,
  host,
  port: 26656,
});

function bannedFor24h(node: TestNode, id: string): boolean {
  const until = node.peerManager.peer(id)?.record.bannedUntil;
  return until !== undefined && until > Date.now() + PEX_BAN_MS - LONG_MS * 4;
}

async function stopAll(nodes: TestNode[]): Promise<void> {
  for (const node of nodes) await node.stop();
}

describe('CometBFT PEX between TS nodes', () => {
  const baseline = handleCounts(NO_TIMERS);

  it('three nodes learn each other through a hub and connect', async () => {
    const hub = await createNode('hub', { pex: {} });
    const a = await createNode('a', { pex: {} });
    const c = await createNode('c', { pex: {} });
    const nodes = [hub, a, c];
    try {
      for (const node of nodes) await node.start();
      // The hub learns a and c from their NodeInfo listen addresses when they connect.
      a.peerManager.add(hub.address);
      c.peerManager.add(hub.address);
      await waitFor(
        () => a.peerManager.peer(c.key.id) !== undefined || c.peerManager.peer(a.key.id) !== undefined,
        'a and c to learn each other',
      );
      await waitFor(() => a.router.connectedPeers().includes(c.key.id), 'a and c to connect');
      assert.equal(a.peerManager.peer(a.key.id), undefined, 'never stores itself');
    } finally {
      await stopAll(nodes);
    }
  });

  it('an unsolicited PexAddrs bans the sender for 24 h and disconnects it', async () => {
    const honest = await createNode('honest', { pex: {} });
    const evil = await rawPexNode('evil');
    try {
      await honest.start();
      await evil.node.start();
      // Honest dials: it asks its outbound peers on connect (CometBFT's rule, not inbound ones); the
      // first answer is solicited, the second is not.
      honest.peerManager.add(evil.node.address);
      const asked = await nextMessage(evil.channel);
      assert.deepEqual(pexCodec.decode(asked), { kind: 'request' });
      await evil.channel.send({ to: honest.key.id, message: answer([]) });
      await evil.channel.send({ to: honest.key.id, message: answer([fakeAddress('127.0.0.7')]) });
      await waitFor(() => bannedFor24h(honest, evil.node.key.id), 'the ban');
      await waitFor(() => !honest.router.connectedPeers().includes(evil.node.key.id), 'the disconnect');
    } finally {
      await stopAll([evil.node, honest]);
    }
  });

  it('two PexRequests are answered; a third within 10 s bans the sender', async () => {
    const honest = await createNode('honest', { pex: {} });
    const evil = await rawPexNode('evil');
    try {
      await honest.start();
      await evil.node.start();
      honest.peerManager.add(evil.node.address); // an outbound peer of honest's, so honest asks it
      await nextMessage(evil.channel); // honest's own request
      for (let i = 0; i < 2; i++) await evil.channel.send({ to: honest.key.id, message: request });
      for (let i = 0; i < 2; i++)
        assert.equal(pexCodec.decode(await nextMessage(evil.channel)).kind, 'addresses');
      assert.equal(bannedFor24h(honest, evil.node.key.id), false);
      await evil.channel.send({ to: honest.key.id, message: request });
      await waitFor(() => bannedFor24h(honest, evil.node.key.id), 'the ban');
      await waitFor(() => !honest.router.connectedPeers().includes(evil.node.key.id), 'the disconnect');
    } finally {
      await stopAll([evil.node, honest]);
    }
  });

  it('a seed answers a request with what it knows, then disconnects', async () => {
    const seed = await createNode('seed', { pex: { seedMode: true } });
    const asker = await rawPexNode('asker');
    const known = [fakeAddress('127.0.0.21'), fakeAddress('127.0.0.22')];
    const downs: PeerUpdate[] = [];
    try {
      await seed.start();
      for (const address of known) seed.peerManager.add(address);
      await asker.node.start();
      asker.node.router.subscribe((update) => {
        if (update.status === 'down') downs.push(update);
      });
      asker.node.peerManager.add(seed.address);
      await waitFor(() => asker.node.router.connectedPeers().includes(seed.key.id), 'the connection');
      await asker.channel.send({ to: seed.key.id, message: request });
      const reply = pexCodec.decode(await nextMessage(asker.channel));
      assert.equal(reply.kind, 'addresses');
      const ids = reply.kind === 'addresses' ? reply.addresses.map((x) => x.id).sort() : [];
      assert.deepEqual(ids, known.map((x) => x.id).sort());
      await waitFor(() => downs.some((d) => d.id === seed.key.id), 'the seed to hang up');
      assert.equal(
        seed.peerManager.peer(asker.node.key.id)?.record.bannedUntil ?? 0,
        0,
        'a seed does not ban askers',
      );
    } finally {
      await stopAll([asker.node, seed]);
    }
  });

  it('our own ID in an answer is ignored; the other addresses are stored', async () => {
    const honest = await createNode('honest', { pex: {} });
    const answerer = await rawPexNode('answerer');
    const other = fakeAddress('127.0.0.31');
    try {
      await honest.start();
      await answerer.node.start();
      honest.peerManager.add(answerer.node.address);
      await nextMessage(answerer.channel); // honest's request
      await answerer.channel.send({ to: honest.key.id, message: answer([honest.address, other]) });
      await waitFor(() => honest.peerManager.peer(other.id!) !== undefined, 'the other address to be stored');
      assert.equal(honest.peerManager.peer(honest.key.id), undefined);
      assert.ok(
        honest.router.connectedPeers().includes(answerer.node.key.id),
        'the answerer is not punished',
      );
      assert.equal(honest.peerManager.peer(answerer.node.key.id)?.record.bannedUntil ?? 0, 0);
    } finally {
      await stopAll([answerer.node, honest]);
    }
  });

  it('leaves no handles behind', async () => {
    await waitForHandlesAtMost(baseline, LONG_MS, NO_TIMERS);
  });
});
