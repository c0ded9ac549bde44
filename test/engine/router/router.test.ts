// Router behaviour between real nodes on the memory transport (plain wire): channels, routing,
// drops that are counted, handshake validation, duplicate connections, slow peers, loop resilience.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import type { EngineNode } from '../../../src/engine/node/engine-node.ts';
import { rawCodec, utf8Codec } from '../../../src/core/message-codec.ts';
import { MemoryNetwork, memoryNode } from '../../helpers/engine-network.ts';
import { memoryTransport } from '../../../src/plain/transports.ts';
import { waitFor } from '../../helpers/wait.ts';
import { ManualClock } from '../../../src/core/clock.ts';

const nodes: EngineNode[] = [];
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
});

async function pair(net: MemoryNetwork, options: Parameters<typeof memoryNode>[2] = {}) {
  const b = await memoryNode(net, `b-${nodes.length}`, options);
  const a = await memoryNode(net, `a-${nodes.length}`, { ...options, bootstrap: [b.address] });
  nodes.push(a, b);
  return { a, b };
}

async function collect<T>(iterable: AsyncIterable<{ message: T; from: string }>, count: number): Promise<{ message: T; from: string }[]> {
  const out: { message: T; from: string }[] = [];
  if (count === 0) return out;
  for await (const envelope of iterable) {
    out.push(envelope);
    if (out.length === count) break;
  }
  return out;
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

test('two nodes connect and exchange ordered messages on several channels, both ways', async () => {
  const net = new MemoryNetwork();
  const { a, b } = await pair(net, { addressExchange: false });
  const aText = a.openChannel(1, utf8Codec);
  const aBytes = a.openChannel(2, rawCodec, { priority: 5 });
  const bText = b.openChannel(1, utf8Codec);
  const bBytes = b.openChannel(2, rawCodec, { priority: 5 });
  a.start();
  b.start();
  await waitFor(() => a.router.connectedPeers().includes(b.id) && b.router.connectedPeers().includes(a.id), 'connection');
  const received = collect(bText, 200);
  const receivedBytes = collect(bBytes, 100);
  const back = collect(aText, 50);
  for (let i = 0; i < 200; i++) await aText.send({ to: b.id, message: `m${i}` });
  for (let i = 0; i < 100; i++) await aBytes.send({ to: b.id, message: new Uint8Array([i, i, i]) });
  for (let i = 0; i < 50; i++) await bText.send({ broadcast: true, message: `r${i}` });
  const texts = await received;
  assert.deepEqual(texts.map((e) => e.message), Array.from({ length: 200 }, (_, i) => `m${i}`));
  assert.ok(texts.every((e) => e.from === a.id));
  assert.deepEqual((await receivedBytes).map((e) => e.message[0]), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual((await back).map((e) => e.message), Array.from({ length: 50 }, (_, i) => `r${i}`));
});

test('opening a channel id twice is an error', async () => {
  const net = new MemoryNetwork();
  const node = await memoryNode(net, 'twice', { addressExchange: false });
  nodes.push(node);
  node.openChannel(3, rawCodec);
  assert.throws(() => node.openChannel(3, rawCodec), (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.InvalidArgument);
});

test('messages for unconnected peers, peers without the channel, and unopened channels are dropped and counted', async () => {
  const net = new MemoryNetwork();
  const metricsA = new PromMetrics();
  const metricsB = new PromMetrics();
  const b = await memoryNode(net, 'drop-b', { addressExchange: false, metrics: metricsB });
  const a = await memoryNode(net, 'drop-a', { addressExchange: false, metrics: metricsA, bootstrap: [b.address] });
  nodes.push(a, b);
  const aCh = a.openChannel(5, rawCodec);
  const aOnlyHere = a.openChannel(6, rawCodec);
  const aClosedThere = a.openChannel(7, rawCodec);
  const bCh = b.openChannel(5, rawCodec);
  const bClosed = b.openChannel(7, rawCodec);
  a.start();
  b.start();
  await waitFor(() => a.router.connectedPeers().includes(b.id), 'connection');
  await aCh.send({ to: NodeKey.generate().id, message: new Uint8Array([1]) });
  await aOnlyHere.send({ to: b.id, message: new Uint8Array([2]) });
  bClosed.close();
  await aClosedThere.send({ to: b.id, message: new Uint8Array([3]) });
  await aCh.send({ to: b.id, message: new Uint8Array([4]) });
  const [first] = await collect(bCh, 1);
  assert.deepEqual([...first!.message], [4]);
  await waitFor(() => true, 'settle', 10);
  const textA = await metricsA.text();
  assert.equal(metricValue(textA, 'peerwire_router_messages_dropped_total', 'channel="5",reason="unconnected"'), 1);
  assert.equal(metricValue(textA, 'peerwire_router_messages_dropped_total', 'channel="6",reason="peer-lacks-channel"'), 1);
  await waitFor(() => true, 'settle', 10);
  const textB = await metricsB.text();
  assert.equal(metricValue(textB, 'peerwire_router_messages_dropped_total', 'channel="7",reason="no-channel"'), 1);
  assert.ok(a.router.connectedPeers().includes(b.id), 'drops do not disconnect');
});

test('self-connections and dialed-ID mismatches are refused', async () => {
  const net = new MemoryNetwork();
  const metrics = new PromMetrics();
  const other = await memoryNode(net, 'other', { addressExchange: false });
  const node = await memoryNode(net, 'self', { addressExchange: false, metrics });
  nodes.push(node, other);
  assert.equal(node.peerManager.add(node.address), false, 'our own id never enters the store');
  node.peerManager.add(parseNodeAddress(`${NodeKey.generate().id}@memory:other`));
  node.start();
  other.start();
  // Someone holding our own key (a copied node_key.json) connects to us: the router refuses it.
  const twin = memoryTransport(net, { name: 'twin' });
  const conn = await twin.dial({ protocol: 'memory', host: 'self', port: 0 }, AbortSignal.timeout(30_000));
  const local = { key: node.key, channels: [], info: { id: node.id, protocolVersion: '1', channels: [], network: 'test-net' } };
  await conn.handshake(local, AbortSignal.timeout(30_000)).catch(() => undefined);
  let text = '';
  await waitFor(() => {
    void metrics.text().then((t) => (text = t));
    return text.includes('code="ERR_PEER_ID_MISMATCH"') && text.includes('code="ERR_SELF_CONNECTION"');
  }, 'both refusals counted');
  assert.match(text, /peerwire_router_handshake_failures_total\{direction="outbound",code="ERR_PEER_ID_MISMATCH"\} [1-9]/);
  assert.match(text, /peerwire_router_handshake_failures_total\{direction="inbound",code="ERR_SELF_CONNECTION"\} 1/);
  await conn.closed; // the node hung up on the twin
  await twin.close();
  assert.equal(node.router.connectedPeers().length, 0);
  assert.equal(other.router.connectedPeers().length, 0);
});

test('simultaneous dials both ways settle on exactly one connection without flapping', async () => {
  const net = new MemoryNetwork();
  const metricsA = new PromMetrics();
  // Both nodes on one manual clock: every redial, backoff and eviction timer fires only when the test
  // advances it, so "no flapping" is checked over a minute of node time without a real sleep.
  const clock = new ManualClock();
  const a = await memoryNode(net, 'dup-a', { addressExchange: false, metrics: metricsA, clock });
  const b = await memoryNode(net, 'dup-b', { addressExchange: false, bootstrap: [a.address], clock });
  a.peerManager.add(b.address);
  nodes.push(a, b);
  a.start();
  b.start();
  await waitFor(() => a.router.connectedPeers().includes(b.id) && b.router.connectedPeers().includes(a.id), 'connection');
  // Both sides agree on the same single connection: its direction is mirrored.
  await waitFor(() => {
    const sa = a.router.peerStatus().find((p) => p.id === b.id);
    const sb = b.router.peerStatus().find((p) => p.id === a.id);
    return sa !== undefined && sb !== undefined && sa.direction !== sb.direction;
  }, 'mirrored directions');
  const connectsBefore = (await metricsA.text()).match(/peerwire_router_connections_total\{direction="\w+"\} (\d+)/g);
  await clock.advance(60_000);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  const connectsAfter = (await metricsA.text()).match(/peerwire_router_connections_total\{direction="\w+"\} (\d+)/g);
  assert.deepEqual(connectsAfter, connectsBefore, 'no new connections once settled');
  assert.equal(a.router.connectedPeers().length, 1);
  assert.equal(b.router.connectedPeers().length, 1);
  const dialer = a.id < b.id ? a : b;
  const status = dialer.router.peerStatus()[0]!;
  assert.equal(status.direction, 'outbound', 'the lower id keeps the connection it dialed');
});

test('a peer that stops reading is disconnected at the stall timeout while others keep receiving', async () => {
  const net = new MemoryNetwork();
  const hub = await memoryNode(net, 'hub', { addressExchange: false, router: { stallTimeoutMs: 300 } });
  const slow = await memoryNode(net, 'slow', { addressExchange: false, bootstrap: [hub.address] });
  const fast = await memoryNode(net, 'fast', { addressExchange: false, bootstrap: [hub.address] });
  nodes.push(hub, slow, fast);
  const hubCh = hub.openChannel(9, rawCodec, { sendQueueCapacity: 4 });
  slow.openChannel(9, rawCodec, { recvQueueCapacity: 1 }); // never read
  const fastCh = fast.openChannel(9, rawCodec, { recvQueueCapacity: 1 });
  for (const n of [hub, slow, fast]) n.start();
  await waitFor(() => hub.router.connectedPeers().length === 2, 'hub connected to both');
  let fastReceived = 0;
  const reader = (async () => {
    for await (const _ of fastCh) if (++fastReceived === 200) break;
  })();
  const chunk = new Uint8Array(64 * 1024);
  for (let i = 0; i < 200; i++) await hubCh.send({ broadcast: true, message: chunk });
  await reader;
  assert.equal(fastReceived, 200);
  await waitFor(() => !hub.router.connectedPeers().includes(slow.id), 'slow peer disconnected');
  assert.ok(hub.router.connectedPeers().includes(fast.id));
});

test('the dial loop survives a failing peer manager call and keeps dialing', async () => {
  const net = new MemoryNetwork();
  const b = await memoryNode(net, 'survive-b', { addressExchange: false });
  const a = await memoryNode(net, 'survive-a', { addressExchange: false, bootstrap: [b.address] });
  nodes.push(a, b);
  const original = a.peerManager.dialNext.bind(a.peerManager);
  let calls = 0;
  a.peerManager.dialNext = () => {
    calls++;
    if (calls <= 3) throw new Error('injected failure');
    return original();
  };
  a.start();
  b.start();
  await waitFor(() => a.router.connectedPeers().includes(b.id), 'connection despite failures');
  assert.ok(calls > 3);
});
