// Priority through the whole stack: the echo channel's 1 KiB round trip between two CometBFT nodes
// (router + MConnection, two processes, 127.0.0.1 TCP) while the same connection's data channel is
// kept saturated with 64 KiB messages sent by a service through `channel.send()`. It is the figure the
// "one scheduler per connection" design answers for: the router hands each channel down as soon as
// the wire has room on it, and MConnection alone decides which packet goes next. Measured with
// CometBFT's default send/recv rate and with the rates lifted out of the way.

import { formatNodeAddress, parseNodeAddress, peerIdOf } from '../../src/core/node-address.ts';
import { raceAbort } from '../../src/core/abort.ts';
import { measureLatency, openSide, type BenchContext, type Side, type Suite } from '../harness.ts';
import {
  BULK_SIZE,
  COMETBFT_SEND_RATE,
  latencyUnderLoad,
  MSG_SIZE,
  RATED_PROBE_SPACING_MS,
} from './cometbft-bench.ts';
import { routerBenchNode, type RouterBenchVariant } from './cometbft-router-node.ts';

const SUITE = 'cometbft-router';
const SIDE = new URL('./cometbft-router-side.ts', import.meta.url);
/** "No rate limit": a rate no loopback link reaches (the node takes no unlimited setting). */
const UNLIMITED_RATE = 1e12;
/** Deadline for connecting and for the side to count every bulk byte (ms): a dead side must not hang the run. */
const FIGURE_TIMEOUT_MS = 5 * 60_000;

async function priority(ctx: BenchContext, side: Side, variant: RouterBenchVariant, tag: string, how: string): Promise<void> {
  const address = parseNodeAddress(await side.call<string>('start', variant));
  const remote = peerIdOf(address);
  const local = await routerBenchNode(variant, [address]);
  const up = new Promise<void>((resolve) => {
    const unsubscribe = local.node.router.subscribe((update) => {
      if (update.id === remote && update.status === 'up') {
        unsubscribe();
        resolve();
      }
    });
  });
  local.node.start();
  try {
    await raceAbort(up, AbortSignal.timeout(FIGURE_TIMEOUT_MS));
    const replies = local.echo[Symbol.asyncIterator]();
    const ping = new Uint8Array(MSG_SIZE).fill(0x22);
    const rtt = async (): Promise<void> => {
      await local.echo.send({ to: remote, message: ping });
      await replies.next();
    };
    const rated = variant.rateBytesPerSecond === COMETBFT_SEND_RATE;
    // Spaced under the rates, idle and loaded alike (RATED_PROBE_SPACING_MS says why).
    const spacingMs = rated ? RATED_PROBE_SPACING_MS : 0;
    const idle = await measureLatency(rtt, {
      warmup: ctx.config.rttWarmup,
      timeMs: ctx.config.rttMs,
      spacingMs,
    });
    const bulk = new Uint8Array(BULK_SIZE).fill(0x33);
    const sendBulk = async (): Promise<number> => {
      await local.data.send({ to: remote, message: bulk });
      return bulk.length;
    };
    const { loaded, sent, t0 } = await latencyUnderLoad(ctx, rtt, sendBulk, spacingMs);
    await raceAbort(side.call('waitFor', { target: sent }), AbortSignal.timeout(FIGURE_TIMEOUT_MS));
    const bulkMBps = sent / ((performance.now() - t0) / 1000) / 1e6;
    ctx.results.add(SUITE, {
      id: `peerwire.cometbft.router.${tag}.idle.p99`,
      label: `CometBFT router, priority-channel 1 KiB RTT p99, idle link${how}, 2 procs`,
      value: idle.p99,
      unit: 'us',
      better: 'lower',
      details: { p50us: idle.p50, p90us: idle.p90, samples: idle.n },
    });
    ctx.results.add(SUITE, {
      id: `peerwire.cometbft.router.${tag}.loaded.p99`,
      label: `CometBFT router, priority-channel 1 KiB RTT p99, data channel saturated${how}, 2 procs`,
      value: loaded.p99,
      unit: 'us',
      better: 'lower',
      // Issue 10's bounds, as for the connection-level figure: without a rate limit at most 2x idle and
      // never above 10 ms; with CometBFT's default rates at most 1.5x idle.
      limit: rated ? 2000 : 10_000,
      compare: [{ to: `peerwire.cometbft.router.${tag}.idle.p99`, target: rated ? 1.5 : 2 }],
      details: { p50us: loaded.p50, p90us: loaded.p90, samples: loaded.n, maxUs: loaded.max, bulkMBps, peer: formatNodeAddress(address) },
    });
  } finally {
    await local.node.stop();
    await side.call('close');
  }
}

export const cometbftRouterSuite: Suite = {
  name: SUITE,
  description: 'CometBFT nodes (router + MConnection) over loopback TCP: channel priority end to end',
  async run(ctx) {
    for (const [variant, tag, how] of [
      [{ rateBytesPerSecond: UNLIMITED_RATE }, 'prio', ', rates lifted'],
      [{ rateBytesPerSecond: COMETBFT_SEND_RATE }, 'prio.rated', ', send/recv_rate 5.12 MB/s'],
    ] as const) {
      const side = await openSide(SIDE, { procs: 2 });
      try {
        ctx.log(`cometbft-router: priority channel RTT under bulk load${how}`);
        await priority(ctx, side, variant, tag, how);
      } finally {
        await side.close();
      }
    }
  },
};
