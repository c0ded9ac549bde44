// The CometBFT wire's figures (targets: BENCHMARKS.md, "peerwire against the targets"): SecretConnection + NodeInfo + MConnection over
// 127.0.0.1 TCP at the connection level, the far end in a forked child (cometbft-peer-side.ts), each
// figure beside the baseline it is judged against, measured in the same run: bulk on one channel vs the
// sealed 1 KiB ceiling; 1 KiB messages vs js-libp2p and the sealed frame rate; 1 KiB echo RTT vs
// js-libp2p and raw TCP; connection setup (TCP + handshake + NodeInfo + first round trip) with CPU per
// side; memory per idle connection on both sides; and a priority channel's RTT while a low-priority
// channel is saturated by bulk data, with and without CometBFT's default send rate limit, and the
// first such message after bulk had the link to itself (the pacer's sole target, send-pacer.ts).

import { raceAbort } from '../../src/core/abort.ts';
import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import { sendPhase } from '../baselines/tcp.ts';
import { YoungAllocation } from '../young-allocation.ts';
import {
  BURST_SETTLE_MS,
  cpuSeconds,
  IDLE_SETTLE_MS,
  measureLatency,
  memoryPerItemKiB,
  openSide,
  repeatMedian,
  samplingPoint,
  sleep,
  summarize,
  type BenchContext,
  type Comparison,
  type Side,
  type Suite,
  type Summary,
} from '../harness.ts';
import {
  benchLocalNode,
  benchTransport,
  BULK_SIZE,
  COMETBFT_SEND_RATE,
  DATA_CHANNEL,
  dialPeer,
  latencyUnderLoad,
  MSG_SIZE,
  RATED_PROBE_SPACING_MS,
  roundTrip,
  type OpenConnection,
  type TransportOptions,
} from './cometbft-bench.ts';

const PEER = new URL('./cometbft-peer-side.ts', import.meta.url);
const SUITE = 'cometbft';
/** Bytes sent between two clock reads in a send loop, so performance.now() stays off the per-send cost. */
const BYTES_PER_CHECK = 64 * 1024;
/** Deadline for a whole figure's send loops and waits (ms): a dead side must not hang the run. */
const FIGURE_TIMEOUT_MS = 10 * 60_000;

/** One dialer in this process: a transport, an identity and an open connection to the side. */
interface Client {
  readonly transport: StreamTransport;
  readonly open: OpenConnection;
}

async function connect(port: number, options: TransportOptions = {}): Promise<Client> {
  const transport = benchTransport(options);
  const open = await dialPeer(transport, benchLocalNode('bench-dialer'), port);
  return { transport, open };
}

async function disconnect(client: Client): Promise<void> {
  client.open.conn.close();
  await client.transport.close();
}

async function withSide(procs: 1 | 2, fn: (side: Side) => Promise<void>): Promise<void> {
  const side = await openSide(PEER, { procs });
  try {
    await fn(side);
  } finally {
    await side.close();
  }
}

/** A send loop of `size`-byte messages on the data channel, one send() each; returns bytes per batch. */
function dataSender(client: Client, size: number): () => Promise<number> {
  const conn = client.open.conn;
  const msg = new Uint8Array(size).fill(0x5a);
  const sends = Math.max(4, Math.floor(BYTES_PER_CHECK / size));
  const signal = AbortSignal.timeout(FIGURE_TIMEOUT_MS);
  return async () => {
    for (let i = 0; i < sends; i++) {
      if (!conn.send(DATA_CHANNEL, msg)) await conn.drained(signal);
    }
    return sends * size;
  };
}

/** Young-generation bytes each process allocated per KiB of data in one more phase (see measureStream). */
interface AllocationPerKiB {
  readonly sender: number;
  readonly receiver: number;
}

/**
 * Warm-up, then `repeat` measured phases on one connection; phase items are data-channel bytes. With
 * `allocation`, one more phase of the same length counts the bytes both processes allocated young
 * (bench/young-allocation.ts): apart from the timed phases, so the counting costs them nothing.
 */
async function measureStream(
  ctx: BenchContext,
  side: Side,
  port: number,
  size: number,
  options: TransportOptions = {},
  allocation = false,
) {
  const client = await connect(port, options);
  try {
    await side.call('reset');
    const batch = dataSender(client, size);
    let total = (await sendPhase(side, ctx.config.warmupMs, 0, batch)).items;
    const result = await repeatMedian(
      ctx.config.repeat,
      async () => {
        const r = await sendPhase(side, ctx.config.measureMs, total, batch);
        total += r.items;
        return r;
      },
      (r) => r.items / r.seconds,
    );
    let perKiB: AllocationPerKiB | undefined;
    if (allocation) {
      const own = new YoungAllocation();
      await side.allocationStart();
      own.start();
      const r = await sendPhase(side, ctx.config.measureMs, total, batch);
      const sender = own.stop();
      const receiver = await side.allocationStop();
      const kib = r.items / 1024;
      perKiB = { sender: sender / kib, receiver: receiver / kib };
    }
    return { ...result, perKiB };
  } finally {
    await disconnect(client);
  }
}

async function messageRate(ctx: BenchContext, side: Side, port: number): Promise<void> {
  const r = await measureStream(ctx, side, port, MSG_SIZE);
  const m = r.median;
  const msgs = m.items / MSG_SIZE;
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.msgs.1k',
    label: 'CometBFT 1 KiB msgs, one send() each, one channel, 2 procs',
    value: msgs / m.seconds,
    unit: 'msg/s',
    better: 'higher',
    range: [r.min / MSG_SIZE, r.max / MSG_SIZE],
    compare: [
      { to: 'libp2p.msgs.1k', target: 4 },
      { to: 'sealed.1k.frames', target: 0.6 },
      { to: 'sealed.1k.sodium.frames' },
      { to: 'tcp.msgs.1k.each' },
    ],
    details: {
      senderCpuUsPerMsg: (m.senderCpuS * 1e6) / msgs,
      receiverCpuUsPerMsg: (m.receiverCpuS * 1e6) / msgs,
    },
  });
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.msgs.1k.cpu',
    label: 'CometBFT CPU per 1 KiB msg, both processes (companion of msgs.1k)',
    value: ((m.senderCpuS + m.receiverCpuS) * 1e6) / msgs,
    unit: 'CPU-us',
    better: 'lower',
    // No target: the spec's target is on the rate. This shows how much of a rate ratio is CPU spent per
    // message (the rest is how each stack keeps the pipe full).
    compare: [{ to: 'libp2p.msgs.1k.cpu' }],
  });
}

async function bulk(ctx: BenchContext, side: Side, port: number): Promise<void> {
  const unpaced = await measureStream(ctx, side, port, BULK_SIZE, { pacing: false });
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.bulk.unpaced',
    label: 'CometBFT bulk as below, pacing off (the link takes what it will), data MB/s, 2 procs',
    value: unpaced.median.items / unpaced.median.seconds / 1e6,
    unit: 'MB/s',
    better: 'higher',
    range: [unpaced.min / 1e6, unpaced.max / 1e6],
    compare: [{ to: 'sealed.1k.MBps' }],
  });
  const r = await measureStream(ctx, side, port, BULK_SIZE, {}, true);
  const m = r.median;
  const gb = m.items / 1e9;
  const senderCpuSPerGB = m.senderCpuS / gb;
  const receiverCpuSPerGB = m.receiverCpuS / gb;
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.bulk',
    label: 'CometBFT bulk, 64 KiB msgs on one channel (1 KiB SecretConnection frames), data MB/s, 2 procs',
    value: m.items / m.seconds / 1e6,
    unit: 'MB/s',
    better: 'higher',
    range: [r.min / 1e6, r.max / 1e6],
    compare: [
      { to: 'sealed.1k.MBps', target: 0.75 },
      { to: 'sealed.1k.sodium.MBps' },
      { to: 'tcp.bulk.64k' },
      { to: 'libp2p.bulk.64k' },
    ],
    details: { senderCpuSPerGB, receiverCpuSPerGB },
  });
  for (const who of ['sender', 'receiver'] as const) {
    ctx.results.add(SUITE, {
      id: `peerwire.cometbft.bulk.young.${who}`,
      label: `CometBFT bulk as above, young-generation heap the ${who} allocates per KiB of data (what drives its scavenges)`,
      value: r.perKiB![who],
      unit: 'B/KiB',
      better: 'lower',
    });
  }
  // The spec's CPU bound is 1.5x the ceiling's CPU-s/GB (both sides), read from this run's sealed figure.
  const ceiling = ctx.results.get('sealed.1k.MBps')?.details;
  const ceilingCpu =
    typeof ceiling?.senderCpuSPerGB === 'number' && typeof ceiling.receiverCpuSPerGB === 'number'
      ? ceiling.senderCpuSPerGB + ceiling.receiverCpuSPerGB
      : undefined;
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.bulk.cpu',
    label: `CometBFT bulk CPU-s/GB, both sides${ceilingCpu === undefined ? '' : ` (sealed ceiling ${ceilingCpu.toFixed(1)}; limit 1.5x)`}`,
    value: senderCpuSPerGB + receiverCpuSPerGB,
    unit: 'CPU-s/GB',
    better: 'lower',
    ...(ceilingCpu === undefined ? {} : { limit: 1.5 * ceilingCpu }),
    details: { senderCpuSPerGB, receiverCpuSPerGB, ceilingCpuSPerGB: ceilingCpu ?? null },
  });
}

function addLatency(
  ctx: BenchContext,
  id: string,
  label: string,
  s: Summary,
  compare: Readonly<Record<'p50' | 'p99', readonly Comparison[]>>,
  limit?: Readonly<Record<'p50' | 'p99', number>>,
): void {
  for (const q of ['p50', 'p99'] as const) {
    ctx.results.add(SUITE, {
      id: `${id}.${q}`,
      label: `${label} ${q}`,
      value: s[q],
      unit: 'us',
      better: 'lower',
      ...(limit === undefined ? {} : { limit: limit[q] }),
      compare: compare[q],
      details: { samples: s.n, meanUs: s.mean, maxUs: s.max },
    });
  }
}

async function echoRtt(ctx: BenchContext, procs: 1 | 2): Promise<void> {
  await withSide(procs, async (side) => {
    const client = await connect(await side.call<number>('listen'));
    try {
      const msg = new Uint8Array(MSG_SIZE).fill(0x11);
      const s = await measureLatency(() => roundTrip(client.open, msg), {
        warmup: ctx.config.rttWarmup,
        timeMs: ctx.config.rttMs,
      });
      const p = `${procs}p`;
      const where = procs === 2 ? '2 procs' : '1 process';
      addLatency(
        ctx,
        `peerwire.cometbft.rtt.1k.${p}`,
        `CometBFT 1 KiB echo RTT, ${where},`,
        s,
        {
          p50: [
            { to: `libp2p.rtt.1k.${p}.p50`, ...(procs === 2 ? { target: 0.7 } : {}) },
            { to: `tcp.rtt.1k.${p}.p50` },
          ],
          p99: [
            { to: `libp2p.rtt.1k.${p}.p99`, ...(procs === 2 ? { target: 0.4 } : {}) },
            { to: `tcp.rtt.1k.${p}.p99` },
          ],
        },
        // The spec's in-process bounds (§5.3): p50 <= 35 us, p99 <= 100 us.
        procs === 1 ? { p50: 35, p99: 100 } : undefined,
      );
    } finally {
      await disconnect(client);
    }
  });
}

async function setup(ctx: BenchContext): Promise<void> {
  await withSide(2, async (side) => {
    const port = await side.call<number>('listen');
    const transport = benchTransport();
    const local = benchLocalNode('bench-dialer');
    const one = new Uint8Array(1);
    const warmup = Math.min(20, ctx.config.dials);
    const handshakeMs: number[] = [];
    const totalMs: number[] = [];
    let client0 = 0;
    let server0 = 0;
    try {
      for (let i = 0; i < warmup + ctx.config.dials; i++) {
        if (i === warmup) {
          client0 = cpuSeconds();
          server0 = await side.cpuSeconds();
        }
        const t0 = performance.now();
        const open = await dialPeer(transport, local, port);
        const t1 = performance.now();
        await roundTrip(open, one);
        const t2 = performance.now();
        open.conn.close();
        await open.conn.closed;
        if (i >= warmup) {
          handshakeMs.push(t1 - t0);
          totalMs.push(t2 - t0);
        }
      }
    } finally {
      await transport.close();
    }
    const clientCpuMs = ((cpuSeconds() - client0) * 1000) / ctx.config.dials;
    const serverCpuMs = (((await side.cpuSeconds()) - server0) * 1000) / ctx.config.dials;
    const total = summarize(totalMs);
    const hs = summarize(handshakeMs);
    const details = {
      count: ctx.config.dials,
      handshakeP50ms: hs.p50,
      handshakeP99ms: hs.p99,
      connsPerSec: ctx.config.dials / (totalMs.reduce((a, b) => a + b, 0) / 1000),
    };
    const what = 'CometBFT setup (TCP + SecretConnection + NodeInfo) + first 1-byte round trip';
    ctx.results.add(SUITE, {
      id: 'peerwire.cometbft.setup.p50',
      label: `${what}, p50`,
      value: total.p50,
      unit: 'ms',
      better: 'lower',
      limit: 2,
      compare: [{ to: 'libp2p.setup.p50', target: 0.2 }],
      details,
    });
    ctx.results.add(SUITE, {
      id: 'peerwire.cometbft.setup.p99',
      label: `${what}, p99`,
      value: total.p99,
      unit: 'ms',
      better: 'lower',
      limit: 5,
      compare: [{ to: 'libp2p.setup.p99' }],
      details,
    });
    for (const [who, value] of [
      ['client', clientCpuMs],
      ['server', serverCpuMs],
    ] as const) {
      ctx.results.add(SUITE, {
        id: `peerwire.cometbft.setup.cpu.${who}`,
        label: `CometBFT CPU per connection setup, ${who === 'client' ? 'dialer' : 'listener'}`,
        value,
        unit: 'CPU-ms',
        better: 'lower',
        limit: 1,
        compare: [{ to: `libp2p.setup.cpu.${who}` }],
        details,
      });
    }
  });
}

async function memory(ctx: BenchContext): Promise<void> {
  const n = ctx.config.conns;
  await withSide(2, async (server) => {
    await withSide(2, async (client) => {
      const sample = async (): Promise<Record<'client' | 'server', NodeJS.MemoryUsage>> => {
        const [c, s] = await Promise.all([client.memory(), server.memory()]);
        return { client: c, server: s };
      };
      const port = await server.call<number>('listen');
      // One connection first, so both processes have loaded and run every code path before the baseline.
      await client.call('dialMany', { port, count: 1 });
      await server.call('waitConns', { target: 1 });
      // Sampled twice on each side of the dials (bench/memory.ts): right after the burst (the figure
      // with the target), and once both processes have been idle long enough for V8 to give back the
      // young generation the burst grew (`.idle`). js-libp2p is sampled the same way (compare.mjs).
      const beforeBurst = await sample();
      await sleep(IDLE_SETTLE_MS);
      const beforeIdle = await sample();
      await client.call('dialMany', { port, count: n });
      await server.call('waitConns', { target: n + 1 });
      await sleep(BURST_SETTLE_MS);
      const afterBurst = await sample();
      await sleep(IDLE_SETTLE_MS - BURST_SETTLE_MS);
      const afterIdle = await sample();
      for (const [idle, before, after] of [
        [false, beforeBurst, afterBurst],
        [true, beforeIdle, afterIdle],
      ] as const) {
        for (const who of ['client', 'server'] as const) {
          const per = memoryPerItemKiB(before[who], after[who], n);
          for (const [what, value, limit] of [
            ['heap', per.heapKiB, 16],
            ['rss', per.rssKiB, 64],
          ] as const) {
            const id = `mem.${what}.${who}${idle ? '.idle' : ''}`;
            ctx.results.add(SUITE, {
              id: `peerwire.cometbft.${id}`,
              label: `CometBFT ${what === 'heap' ? 'heap' : 'RSS'} per idle connection, ${who} (${n} conns, 2 channels, ${samplingPoint(idle)})`,
              value,
              unit: 'KiB/conn',
              better: 'lower',
              ...(idle ? {} : { limit }),
              compare: [{ to: `libp2p.${id}`, ...(idle ? {} : { target: 0.4 }) }],
              details: { count: n },
            });
          }
        }
      }
    });
  });
}

/**
 * The echo channel's RTT on an idle connection, then while the data channel is kept saturated with
 * 64 KiB messages (one send loop honouring backpressure) on the same connection.
 */
async function priority(
  ctx: BenchContext,
  side: Side,
  port: number,
  variant: { sendRate?: number; pacing?: boolean } = {},
): Promise<void> {
  const { sendRate } = variant;
  const client = await connect(port, variant);
  try {
    const msg = new Uint8Array(MSG_SIZE).fill(0x22);
    const rtt = (): Promise<void> => roundTrip(client.open, msg);
    // Under a send rate the probe is spaced (RATED_PROBE_SPACING_MS): back to back it alone would send
    // more than the rate and be the heavy channel, which no vote channel is. Idle and loaded alike.
    const spacingMs = sendRate === undefined ? 0 : RATED_PROBE_SPACING_MS;
    const idle = await measureLatency(rtt, {
      warmup: ctx.config.rttWarmup,
      timeMs: ctx.config.rttMs,
      spacingMs,
    });
    await side.call('reset');
    const send = dataSender(client, BULK_SIZE);
    const { loaded, sent, t0 } = await latencyUnderLoad(ctx, rtt, send, spacingMs);
    await raceAbort(side.call('waitFor', { target: sent }), AbortSignal.timeout(FIGURE_TIMEOUT_MS));
    const bulkMBps = sent / ((performance.now() - t0) / 1000) / 1e6;
    const rated = sendRate !== undefined;
    const unpaced = variant.pacing === false;
    const tag = `prio${rated ? '.rated' : ''}${unpaced ? '.unpaced' : ''}`;
    const how = `${rated ? `, send_rate ${sendRate / 1e6} MB/s` : ''}${unpaced ? ', pacing off' : ''}`;
    ctx.results.add(SUITE, {
      id: `peerwire.cometbft.${tag}.idle.p99`,
      label: `CometBFT priority-channel 1 KiB RTT p99, idle link${how}, 2 procs`,
      value: idle.p99,
      unit: 'us',
      better: 'lower',
      details: { p50us: idle.p50, p90us: idle.p90, samples: idle.n },
    });
    ctx.results.add(SUITE, {
      id: `peerwire.cometbft.${tag}.loaded.p99`,
      label: `CometBFT priority-channel 1 KiB RTT p99, low-priority channel saturated${how}, 2 procs`,
      value: loaded.p99,
      unit: 'us',
      better: 'lower',
      // Issue 10's bounds: without a rate limit at most 2x idle and never above 10 ms; with CometBFT's
      // default rates at most 1.5x idle. The pacing-off variant is the before/after reference.
      ...(unpaced ? {} : { limit: rated ? 2000 : 10_000 }),
      compare: [{ to: `peerwire.cometbft.${tag}.idle.p99`, ...(unpaced ? {} : { target: rated ? 1.5 : 2 }) }],
      details: { p50us: loaded.p50, p90us: loaded.p90, samples: loaded.n, maxUs: loaded.max, bulkMBps },
    });
  } finally {
    await disconnect(client);
  }
}

/** Fresh connections timed by the first-vote figure (full run / quick): one sample each. */
const FIRST_VOTE_CONNECTIONS = 10;
const FIRST_VOTE_CONNECTIONS_QUICK = 3;

/**
 * The first vote after a stretch of bulk alone: while one channel has had the link to itself for 10 s
 * (never, on a fresh connection), the pacer runs its deeper sole target (send-pacer.ts), and the first
 * message of a second channel waits behind that queue once; the tight target returns with it. One
 * sample per fresh connection, after the warm-up of bulk alone: this is the price of that mode.
 */
async function firstVote(ctx: BenchContext, side: Side, port: number): Promise<void> {
  const msg = new Uint8Array(MSG_SIZE).fill(0x22);
  const samples: number[] = [];
  const count = ctx.config.quick ? FIRST_VOTE_CONNECTIONS_QUICK : FIRST_VOTE_CONNECTIONS;
  for (let i = 0; i < count; i++) {
    const client = await connect(port);
    try {
      await side.call('reset');
      const send = dataSender(client, BULK_SIZE);
      let stop = false;
      let sent = 0;
      const loop = (async () => {
        while (!stop) sent += await send();
      })();
      try {
        await new Promise((resolve) => setTimeout(resolve, ctx.config.warmupMs));
        const t = performance.now();
        await roundTrip(client.open, msg);
        samples.push((performance.now() - t) * 1000);
      } finally {
        stop = true;
        await loop;
      }
      await raceAbort(side.call('waitFor', { target: sent }), AbortSignal.timeout(FIGURE_TIMEOUT_MS));
    } finally {
      await disconnect(client);
    }
  }
  const s = summarize(samples);
  ctx.results.add(SUITE, {
    id: 'peerwire.cometbft.prio.first.loaded',
    label: 'CometBFT first priority-channel 1 KiB RTT after bulk alone (sole pacing target), median, 2 procs',
    value: s.p50,
    unit: 'us',
    better: 'lower',
    compare: [{ to: 'peerwire.cometbft.prio.idle.p99' }],
    details: { maxUs: s.max, samples: s.n, allUs: samples.map((v) => Math.round(v)).join(' ') },
  });
}

export const cometbftSuite: Suite = {
  name: 'cometbft',
  description: 'CometBFT wire (SecretConnection + MConnection) over loopback TCP, connection level',
  async run(ctx) {
    await withSide(2, async (side) => {
      const port = await side.call<number>('listen');
      ctx.log('cometbft: 1 KiB messages');
      await messageRate(ctx, side, port);
      ctx.log('cometbft: bulk, 64 KiB messages');
      await bulk(ctx, side, port);
      ctx.log('cometbft: priority channel RTT under bulk load');
      await priority(ctx, side, port);
      ctx.log('cometbft: first priority-channel message after bulk alone');
      await firstVote(ctx, side, port);
      ctx.log('cometbft: priority channel RTT under bulk load, CometBFT default send_rate');
      await priority(ctx, side, port, { sendRate: COMETBFT_SEND_RATE });
      ctx.log('cometbft: priority channel RTT under bulk load, pacing off (before/after in one run)');
      await priority(ctx, side, port, { pacing: false });
    });
    ctx.log('cometbft: 1 KiB RTT, 2 processes');
    await echoRtt(ctx, 2);
    ctx.log('cometbft: 1 KiB RTT, 1 process');
    await echoRtt(ctx, 1);
    ctx.log('cometbft: connection setup');
    await setup(ctx);
    ctx.log(`cometbft: memory per idle connection (${ctx.config.conns} connections)`);
    await memory(ctx);
  },
};
