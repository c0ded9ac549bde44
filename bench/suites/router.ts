// The router's message rate on the real stack: EngineNode, the plain wire, the memory transport and
// 127.0.0.1 TCP (one process, and two processes with the receiving node in a forked child), 64 B and
// 1 KiB messages sent one `await channel.send()` each and counted where the channel delivers them; and
// one node broadcasting 1 KiB messages to 50 connected peers. Beside them, the plain wire without the
// router (a `connection.send()` loop on the same transports), so the router's own cost shows; every
// figure is read against the raw-TCP message rates measured in the same run (bench/baselines/tcp.ts).

import { parseNodeAddress, peerIdOf } from '../../src/core/node-address.ts';
import { NodeKey } from '../../src/core/node-key.ts';
import type { EngineNode } from '../../src/engine/node/engine-node.ts';
import type { Channel } from '../../src/engine/router/channel.ts';
import { rawCodec } from '../../src/core/message-codec.ts';
import { memoryEndpoint, tcpEndpoint } from '../../src/transport/endpoint.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';
import type { LocalNode } from '../../src/transport/types.ts';
import { memoryTransport, tcpTransport } from '../../src/plain/transports.ts';
import { openSide, repeatMedian, type BenchContext, type Comparison, type Suite } from '../harness.ts';
import {
  BENCH_CHANNEL_ID,
  benchNode,
  CONNECT_TIMEOUT_MS,
  localReceiver,
  NETWORK,
  openCountedChannel,
  ProgressCounter,
  SEND_QUEUE_CAPACITY,
  SENDS_PER_CHECK,
  sendPhase,
  sizeLabel,
  sizeTag,
  type Carrier,
  type PhaseResult,
  type Receiver,
  waitConnected,
} from './engine-bench.ts';

const PEER = new URL('./router-peer.ts', import.meta.url);
/** Message sizes of the point-to-point figures: the raw-TCP baselines' sizes (`tcp.msgs.{64b,1k}.*`). */
const SIZES = [64, 1024] as const;
/** Peers of the broadcast figure (the "broadcast to 50 peers"; within the default 52 inbound slots). */
const BROADCAST_PEERS = 50;
/** Message size of the broadcast figure (bytes). */
const BROADCAST_SIZE = 1024;
/** Largest message the raw connections accept (bytes): the router's channel default, 4 MiB. */
const RAW_RECV_CAPACITY = 4 * 1024 * 1024;

interface Measured {
  readonly median: PhaseResult;
  readonly min: number;
  readonly max: number;
}

/** Warm-up phase, then `repeat` measured phases; the median phase by delivered rate. */
async function measure(
  ctx: BenchContext,
  sendBatch: () => Promise<number>,
  receiver: Receiver,
): Promise<Measured> {
  let total = (await sendPhase(ctx.config.warmupMs, 0, sendBatch, receiver)).delivered;
  return repeatMedian(
    ctx.config.repeat,
    async () => {
      const r = await sendPhase(ctx.config.measureMs, total, sendBatch, receiver);
      total += r.delivered;
      return r;
    },
    (r) => r.delivered / r.seconds,
  );
}

function tcpBaselines(size: number): Comparison[] {
  const tag = sizeTag(size);
  return [{ to: `tcp.msgs.${tag}.each` }, { to: `tcp.msgs.${tag}.coalesced` }];
}

function report(
  ctx: BenchContext,
  id: string,
  label: string,
  size: number,
  m: Measured,
  compare: readonly Comparison[],
): void {
  const r = m.median;
  const rate = r.delivered / r.seconds;
  ctx.results.add('peerwire-router', {
    id,
    label,
    value: rate,
    unit: 'msg/s',
    better: 'higher',
    range: [m.min, m.max],
    compare,
    details: {
      MBps: (rate * size) / 1e6,
      // In one process this is the CPU of both ends together.
      localCpuUsPerMsg: (r.localCpuS * 1e6) / r.delivered,
      remoteCpuUsPerMsg: r.remoteCpuS === undefined ? null : (r.remoteCpuS * 1e6) / r.delivered,
    },
  });
}

function rawLocalNode(): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels: [
      {
        id: BENCH_CHANNEL_ID,
        priority: 1,
        sendQueueCapacity: SEND_QUEUE_CAPACITY,
        recvMessageCapacity: RAW_RECV_CAPACITY,
      },
    ],
    info: { id: key.id, protocolVersion: '1', channels: [BENCH_CHANNEL_ID], network: NETWORK },
  };
}

/** The plain wire without the router: one handshaken connection, `send()` + `drained()` in a loop. */
async function rawWire(ctx: BenchContext, carrier: Carrier, size: number): Promise<void> {
  const net = new MemoryNetwork();
  const [a, b] =
    carrier === 'memory'
      ? [memoryTransport(net, { name: 'raw-a' }), memoryTransport(net, { name: 'raw-b' })]
      : [tcpTransport(), tcpTransport()];
  try {
    const endpoint = await b.listen(
      carrier === 'memory' ? memoryEndpoint('raw-b') : tcpEndpoint('127.0.0.1', 0),
    );
    const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    const [out, inbound] = await Promise.all([a.dial(endpoint, signal), b.accept(signal)]);
    await Promise.all([out.handshake(rawLocalNode(), signal), inbound.handshake(rawLocalNode(), signal)]);
    const counter = new ProgressCounter();
    const receive = async (): Promise<void> => {
      for await (const _message of inbound) counter.add(1);
    };
    receive().catch(() => undefined);
    const message = new Uint8Array(size).fill(0x5a);
    const m = await measure(
      ctx,
      async () => {
        for (let i = 0; i < SENDS_PER_CHECK; i++) {
          if (!out.send(BENCH_CHANNEL_ID, message))
            await out.drained(AbortSignal.timeout(CONNECT_TIMEOUT_MS));
        }
        return SENDS_PER_CHECK;
      },
      localReceiver(counter),
    );
    const where = carrier === 'memory' ? 'memory transport' : 'TCP, 1 process';
    report(
      ctx,
      `peerwire.wire.${carrier}.msgs.${sizeTag(size)}`,
      `plain wire without router, ${sizeLabel(size)} msgs, connection.send loop, ${where}`,
      size,
      m,
      tcpBaselines(size),
    );
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

/** Sends `size`-byte messages to one peer, one awaited send each; returns deliveries per batch. */
function unicastBatch(channel: Channel<Uint8Array>, to: string, size: number): () => Promise<number> {
  const message = new Uint8Array(size).fill(0x5a);
  return async () => {
    for (let i = 0; i < SENDS_PER_CHECK; i++) await channel.send({ to, message });
    return SENDS_PER_CHECK;
  };
}

function routerCompare(size: number, wire: string): Comparison[] {
  return [
    ...tcpBaselines(size),
    { to: `peerwire.wire.${wire}.msgs.${sizeTag(size)}` },
    ...(size === 1024 ? [{ to: 'libp2p.msgs.1k' }] : []),
  ];
}

/** Router between two nodes on the memory transport, both sizes on one connection. */
async function routerMemory(ctx: BenchContext): Promise<void> {
  const net = new MemoryNetwork();
  const nodes: EngineNode[] = [];
  try {
    const counter = new ProgressCounter();
    const b = await benchNode({ carrier: 'memory', net, name: 'router-b' });
    nodes.push(b);
    openCountedChannel(b, counter);
    const a = await benchNode({ carrier: 'memory', net, name: 'router-a', bootstrap: [b.address] });
    nodes.push(a);
    const channel = a.openChannel(BENCH_CHANNEL_ID, rawCodec, { sendQueueCapacity: SEND_QUEUE_CAPACITY });
    a.start();
    b.start();
    await waitConnected(a, 1, [b.id]);
    for (const size of SIZES) {
      ctx.log(`peerwire-router: ${sizeLabel(size)} msgs, memory transport`);
      const m = await measure(ctx, unicastBatch(channel, b.id, size), localReceiver(counter));
      report(
        ctx,
        `peerwire.router.memory.msgs.${sizeTag(size)}`,
        `router ${sizeLabel(size)} msgs, one await send each, memory transport`,
        size,
        m,
        routerCompare(size, 'memory'),
      );
    }
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
}

/**
 * Router between two nodes on 127.0.0.1 TCP; the receiving node runs in a forked child (`procs: 2`) or
 * in this process (`procs: 1`, same module through openSide).
 */
async function routerTcp(ctx: BenchContext, procs: 1 | 2): Promise<void> {
  const side = await openSide(PEER, { procs });
  let a: EngineNode | undefined;
  try {
    const address = parseNodeAddress(await side.call<string>('start'));
    const peerId = peerIdOf(address);
    a = await benchNode({ carrier: 'tcp', bootstrap: [address] });
    const channel = a.openChannel(BENCH_CHANNEL_ID, rawCodec, { sendQueueCapacity: SEND_QUEUE_CAPACITY });
    a.start();
    await waitConnected(a, 1, [peerId]);
    const receiver: Receiver = {
      waitFor: (target) => side.call('waitFor', { target }),
      cpuSeconds: async () => (side.separate ? side.cpuSeconds() : undefined),
    };
    const where = procs === 2 ? '2 procs' : '1 process';
    for (const size of SIZES) {
      ctx.log(`peerwire-router: ${sizeLabel(size)} msgs, TCP, ${where}`);
      const m = await measure(ctx, unicastBatch(channel, peerId, size), receiver);
      const tag = sizeTag(size);
      const compare = routerCompare(size, 'tcp');
      if (procs === 2) compare.push({ to: `peerwire.router.tcp1p.msgs.${tag}` });
      report(
        ctx,
        `peerwire.router.${procs === 2 ? 'tcp' : 'tcp1p'}.msgs.${tag}`,
        `router ${sizeLabel(size)} msgs, one await send each, TCP, ${where}`,
        size,
        m,
        compare,
      );
    }
  } finally {
    await a?.stop();
    await side.close();
  }
}

/** One node broadcasting 1 KiB messages to 50 connected peers, all in this process; total deliveries/s. */
async function broadcast(ctx: BenchContext, carrier: Carrier): Promise<void> {
  const net = carrier === 'memory' ? new MemoryNetwork() : undefined;
  const nodes: EngineNode[] = [];
  try {
    const hub = await benchNode({ carrier, ...(net === undefined ? {} : { net }), name: 'hub' });
    nodes.push(hub);
    const channel = hub.openChannel(BENCH_CHANNEL_ID, rawCodec, { sendQueueCapacity: SEND_QUEUE_CAPACITY });
    const counter = new ProgressCounter();
    const leaves = await Promise.all(
      Array.from({ length: BROADCAST_PEERS }, (_, i) =>
        benchNode({
          carrier,
          ...(net === undefined ? {} : { net }),
          name: `leaf-${i}`,
          bootstrap: [hub.address],
        }),
      ),
    );
    nodes.push(...leaves);
    for (const leaf of leaves) openCountedChannel(leaf, counter);
    for (const node of nodes) node.start();
    await waitConnected(hub, BROADCAST_PEERS);
    const message = new Uint8Array(BROADCAST_SIZE).fill(0x5a);
    ctx.log(`peerwire-router: broadcast to ${BROADCAST_PEERS} peers, ${carrier}`);
    const m = await measure(
      ctx,
      async () => {
        for (let i = 0; i < SENDS_PER_CHECK; i++) await channel.send({ broadcast: true, message });
        return SENDS_PER_CHECK * BROADCAST_PEERS;
      },
      localReceiver(counter),
    );
    const peers = hub.router.connectedPeers().length;
    const single = carrier === 'memory' ? 'memory' : 'tcp1p';
    ctx.results.add('peerwire-router', {
      id: `peerwire.router.broadcast${BROADCAST_PEERS}.${carrier}.1k`,
      label: `router broadcast of 1 KiB msgs to ${BROADCAST_PEERS} peers, deliveries in total, ${carrier === 'memory' ? 'memory transport' : 'TCP'}, 1 process`,
      value: m.median.delivered / m.median.seconds,
      unit: 'msg/s',
      better: 'higher',
      range: [m.min, m.max],
      compare: [...tcpBaselines(BROADCAST_SIZE), { to: `peerwire.router.${single}.msgs.1k` }],
      details: {
        broadcastsPerSec: m.median.delivered / BROADCAST_PEERS / m.median.seconds,
        cpuUsPerDelivery: (m.median.localCpuS * 1e6) / m.median.delivered,
        peersAtEnd: peers,
      },
    });
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
}

export const routerSuite: Suite = {
  name: 'peerwire-router',
  description: 'router message rate (memory, TCP 1 and 2 procs), broadcast to 50 peers, plain wire alone',
  async run(ctx) {
    for (const size of SIZES) {
      ctx.log(`peerwire-router: plain wire alone, ${sizeLabel(size)} msgs, memory transport`);
      await rawWire(ctx, 'memory', size);
    }
    await routerMemory(ctx);
    for (const size of SIZES) {
      ctx.log(`peerwire-router: plain wire alone, ${sizeLabel(size)} msgs, TCP`);
      await rawWire(ctx, 'tcp', size);
    }
    await routerTcp(ctx, 1);
    await routerTcp(ctx, 2);
    await broadcast(ctx, 'memory');
    await broadcast(ctx, 'tcp');
  },
};
