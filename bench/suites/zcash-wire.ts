// The Zcash wire's link figures (decode figures: zcash-decode.ts). Handshakes: dial + Zebra version/verack handshake over 127.0.0.1 TCP with the listener in a forked
// child, then close; one at a time and 8 at once, handshakes/s and latency percentiles.

import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { tcpEndpoint } from '../../src/transport/endpoint.ts';
import type { OutboundMessage } from '../../src/zcash/wire/messages.ts';
import {
  cpuSeconds,
  measureLatency,
  openSide,
  summarize,
  type BenchContext,
  type Suite,
} from '../harness.ts';
import { zcashPeerWire } from '../../src/zcash/node/zcash-node.ts';
import { blockMessage } from './zcash-decode.ts';
import { benchZcashTransport, BENCH_HANDSHAKE_TIMEOUT_MS, zcashLocalNode } from './zcash-peer.ts';

const PEER = new URL('./zcash-peer.ts', import.meta.url);
/** Dialers of the concurrent handshake figure (the issue asks for 8). */
const CONCURRENT_DIALS = 8;
/** Deadline of the whole ping-under-load figure (ms): a dead side must not hang the run. */
const PRIORITY_FIGURE_TIMEOUT_MS = 5 * 60_000;

interface HandshakeRun {
  /** Latency of each dial + handshake, ms. */
  readonly samples: number[];
  readonly seconds: number;
  readonly clientCpuS: number;
  readonly serverCpuS: number;
}

/**
 * `total` dial + handshake + close cycles against the listener at `port`, `workers` at a time. Each
 * sample runs from the dial to our side's handshake completing; the close is not timed.
 */
async function handshakes(
  port: number,
  total: number,
  workers: number,
  serverCpu: () => Promise<number>,
): Promise<HandshakeRun> {
  const transport = benchZcashTransport();
  const endpoint = tcpEndpoint('127.0.0.1', port);
  const samples: number[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      const signal = AbortSignal.timeout(BENCH_HANDSHAKE_TIMEOUT_MS * 2);
      const t0 = performance.now();
      const conn = await transport.dial(endpoint, signal);
      try {
        await conn.handshake(zcashLocalNode(), signal);
        samples.push(performance.now() - t0);
      } finally {
        conn.close();
      }
    }
  };
  try {
    const server0 = await serverCpu();
    const client0 = cpuSeconds();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: workers }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const clientCpuS = cpuSeconds() - client0;
    const serverCpuS = (await serverCpu()) - server0;
    return { samples, seconds, clientCpuS, serverCpuS };
  } finally {
    await transport.close();
  }
}

async function handshakeFigures(ctx: BenchContext): Promise<void> {
  const side = await openSide(PEER, { procs: 2 });
  try {
    const port = await side.call<number>('listen');
    const serverCpu = (): Promise<number> => side.cpuSeconds();
    const total = ctx.config.dials;
    // Warm-up: JIT of both sides' handshake paths, not timed.
    await handshakes(port, Math.max(10, Math.round(total / 5)), CONCURRENT_DIALS, serverCpu);
    for (const workers of [1, CONCURRENT_DIALS]) {
      const mode = workers === 1 ? 'seq' : `c${workers}`;
      const how = workers === 1 ? 'one at a time' : `${workers} at once`;
      ctx.log(`peerwire-zcash: ${total} handshakes over TCP, ${how}`);
      const r = await handshakes(port, total, workers, serverCpu);
      const s = summarize(r.samples);
      const details = {
        handshakes: s.n,
        clientCpuMsPerHandshake: (r.clientCpuS * 1000) / s.n,
        serverCpuMsPerHandshake: (r.serverCpuS * 1000) / s.n,
        meanMs: s.mean,
      };
      ctx.results.add('peerwire-zcash', {
        id: `peerwire.zcash.handshake.${mode}.rate`,
        label: `Zcash dial + version/verack handshake + close, 127.0.0.1 TCP, ${how}, 2 procs`,
        value: s.n / r.seconds,
        unit: 'hs/s',
        better: 'higher',
        details,
      });
      for (const q of ['p50', 'p99'] as const) {
        ctx.results.add('peerwire-zcash', {
          id: `peerwire.zcash.handshake.${mode}.${q}`,
          label: `Zcash dial + handshake latency ${q}, ${how}, 2 procs`,
          value: s[q],
          unit: 'ms',
          better: 'lower',
          // Context only: js-libp2p's setup adds noise XX, yamux and a first round trip.
          compare: [{ to: `libp2p.setup.${q}` }],
        });
      }
    }
    const stats = await side.call<{ handshakes: number; failures: number }>('stats');
    if (stats.failures > 0) ctx.log(`peerwire-zcash: listener saw ${stats.failures} failed handshakes`);
  } finally {
    await side.close();
  }
}

/**
 * A ping's round trip (request to pong, timed here) on an idle connection, then while the same
 * connection is kept saturated with 1 MiB `block` messages (one send loop honouring backpressure): the
 * Zcash wire's counterpart of the CometBFT priority figure. The send scheduler puts the ping ahead of
 * queued blocks, but never inside a block already being written (a frame cannot be split on this
 * wire), and the peer reads the ping only after the block ahead of it. With `pacing: false` the
 * scheduler keeps only its control-first order and low-water mark (the before/after of the pacer).
 */
async function pingUnderLoad(ctx: BenchContext, pacing: boolean): Promise<void> {
  const side = await openSide(PEER, { procs: 2 });
  const transport = benchZcashTransport({ pacing });
  const tag = pacing ? '' : '.unpaced';
  const how = pacing ? '' : ', pacing off';
  try {
    const port = await side.call<number>('listen');
    const signal = AbortSignal.timeout(PRIORITY_FIGURE_TIMEOUT_MS);
    const conn = await transport.dial(tcpEndpoint('127.0.0.1', port), signal);
    const info = await conn.handshake(zcashLocalNode(), signal);
    const client = zcashPeerWire(info)?.client;
    if (client === undefined)
      throw new PeerwireError(ErrorCode.InvalidArgument, 'no Zcash client on the connection');
    let nonce = 0n;
    const ping = async (): Promise<void> => {
      await client.request({ kind: 'ping', nonce: ++nonce }, signal);
    };
    const idle = await measureLatency(ping, { warmup: ctx.config.rttWarmup, timeMs: ctx.config.rttMs });
    const block = blockMessage(1 << 20);
    const zconn = conn as unknown as {
      sendMessage(m: OutboundMessage): boolean;
      drained(s?: AbortSignal): Promise<void>;
    };
    let stop = false;
    let sent = 0;
    const t0 = performance.now();
    const loop = (async () => {
      while (!stop) {
        if (!zconn.sendMessage(block)) await zconn.drained(signal);
        sent++;
      }
    })();
    let loaded;
    try {
      await new Promise((resolve) => setTimeout(resolve, ctx.config.warmupMs));
      loaded = await measureLatency(ping, {
        warmup: 3,
        timeMs: ctx.config.rttMs,
        minSamples: ctx.config.quick ? 10 : 50,
      });
    } finally {
      stop = true;
      await loop;
    }
    const blockMBps = (sent * (1 << 20)) / ((performance.now() - t0) / 1000) / 1e6;
    conn.close();
    // The floor of a ping behind a block stream: the block being written when the ping is queued goes
    // first, and the peer reads (and checks) it before the ping. One block's time at the measured rate.
    const oneBlockUs = ((1 << 20) / (blockMBps * 1e6)) * 1e6;
    ctx.results.add('peerwire-zcash', {
      id: `peerwire.zcash.ping${tag}.idle.p99`,
      label: `Zcash ping round trip p99, idle connection${how}, 2 procs`,
      value: idle.p99,
      unit: 'us',
      better: 'lower',
      details: { p50us: idle.p50, samples: idle.n },
    });
    for (const q of ['p99', 'p50'] as const) {
      ctx.results.add('peerwire-zcash', {
        id: `peerwire.zcash.ping${tag}.loaded.${q}`,
        label: `Zcash ping round trip ${q}, connection saturated with 1 MiB block messages${how}, 2 procs`,
        value: loaded[q],
        unit: 'us',
        better: 'lower',
        // The target (issue 10) is on the p99 with pacing; the p50 is read against the same idle figure.
        compare: [{ to: `peerwire.zcash.ping${tag}.idle.p99`, ...(pacing && q === 'p99' ? { target: 2 } : {}) }],
        details: { idleP50us: idle.p50, samples: loaded.n, maxUs: loaded.max, blockMBps, oneBlockUs },
      });
    }
  } finally {
    await transport.close();
    await side.close();
  }
}

export const zcashWireSuite: Suite = {
  name: 'peerwire-zcash',
  description: 'Zcash handshakes and ping round trips over loopback TCP',
  async run(ctx) {
    await handshakeFigures(ctx);
    ctx.log('peerwire-zcash: ping round trip, idle and under a block stream');
    await pingUnderLoad(ctx, true);
    ctx.log('peerwire-zcash: the same, pacing off (before/after in one run)');
    await pingUnderLoad(ctx, false);
  },
};
