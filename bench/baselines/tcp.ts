// Raw loopback TCP baselines: what plain node:net moves on this box with no crypto and no library, the
// physical limit every peerwire transport figure is divided by. Length-prefixed 64 B and 1 KiB
// messages (one socket.write per message, and 64 coalesced per write), bulk 64 KiB writes, and 1 KiB
// ping-pong round trips with the echo side in another process and in this process.

import net from 'node:net';
import { once } from 'node:events';
import { raceAbort } from '../../src/core/abort.ts';
import {
  cpuSeconds,
  measureLatency,
  openSide,
  repeatMedian,
  type BenchContext,
  type Side,
  type Suite,
} from '../harness.ts';
import { FRAME_HEADER_BYTES, type SinkKind } from './tcp-peer.ts';

const PEER = new URL('./tcp-peer.ts', import.meta.url);

/** Messages per socket.write in the coalesced variant (the batch the physical baseline measures). */
const COALESCE = 64;
/** Writes between two clock reads in a send loop: keeps performance.now() off the per-write cost. */
const WRITES_PER_CHECK = 64;
/** Bulk write size (bytes): the Noise maximum frame neighbourhood, the spec's bulk geometry. */
const BULK_CHUNK = 64 * 1024;
/** Payload of the round-trip figures (bytes). */
const RTT_SIZE = 1024;

export async function connectLoopback(port: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  // A failed receiver shows up as a rejected 'drain' wait or a phase deadline, never an uncaught error.
  sock.on('error', () => sock.destroy());
  await once(sock, 'connect');
  sock.setNoDelay(true);
  return sock;
}

interface PhaseResult {
  /** Items (messages or bytes) counted by the receiver in this phase. */
  readonly items: number;
  readonly seconds: number;
  readonly senderCpuS: number;
  readonly receiverCpuS: number;
}

/**
 * One measured phase: `sendBatch` runs until `ms` has elapsed (it awaits 'drain' when the socket says
 * so, and returns how many items it sent), then the phase lasts until the receiver has counted them.
 */
export async function sendPhase(
  side: Side,
  ms: number,
  alreadySent: number,
  sendBatch: () => Promise<number>,
): Promise<PhaseResult> {
  const receiverCpu0 = await side.cpuSeconds();
  const senderCpu0 = cpuSeconds();
  const t0 = performance.now();
  const end = t0 + ms;
  let items = 0;
  do {
    items += await sendBatch();
  } while (performance.now() < end);
  // Deadline: the receiver normally finishes within milliseconds of the sender; a dead one must not hang.
  await raceAbort(
    side.call('waitFor', { target: alreadySent + items }),
    AbortSignal.timeout(ms * 10 + 60_000),
  );
  const seconds = (performance.now() - t0) / 1000;
  const senderCpuS = cpuSeconds() - senderCpu0;
  const receiverCpuS = (await side.cpuSeconds()) - receiverCpu0;
  return { items, seconds, senderCpuS, receiverCpuS };
}

/** Warm-up phase, then `repeat` measured phases on one connection; returns the median and range. */
async function measureStream(
  ctx: BenchContext,
  side: Side,
  kind: SinkKind,
  sendBatch: (sock: net.Socket) => () => Promise<number>,
): Promise<{ readonly median: PhaseResult; readonly min: number; readonly max: number }> {
  const port = await side.call<number>('listen', { kind });
  const sock = await connectLoopback(port);
  try {
    const batch = sendBatch(sock);
    let total = (await sendPhase(side, ctx.config.warmupMs, 0, batch)).items;
    return await repeatMedian(
      ctx.config.repeat,
      async () => {
        const r = await sendPhase(side, ctx.config.measureMs, total, batch);
        total += r.items;
        return r;
      },
      (r) => r.items / r.seconds,
    );
  } finally {
    sock.destroy();
  }
}

async function write(sock: net.Socket, buf: Buffer): Promise<void> {
  if (!sock.write(buf)) await once(sock, 'drain');
}

function framed(size: number): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + size, 0x5a);
  frame.writeUInt32BE(size, 0);
  return frame;
}

async function messages(ctx: BenchContext, side: Side, size: number, tag: string): Promise<void> {
  const sizeLabel = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  const frame = framed(size);
  const each = await measureStream(ctx, side, 'frames', (sock) => async () => {
    for (let i = 0; i < WRITES_PER_CHECK; i++) await write(sock, frame);
    return WRITES_PER_CHECK;
  });
  // Coalesced: copy COALESCE frames into a fresh buffer per write, as a real framer's batch would.
  const coalesced = await measureStream(ctx, side, 'frames', (sock) => async () => {
    const out = Buffer.allocUnsafe(frame.length * COALESCE);
    for (let j = 0; j < COALESCE; j++) frame.copy(out, j * frame.length);
    await write(sock, out);
    return COALESCE;
  });
  for (const [variant, r, label] of [
    ['each', each, `${sizeLabel} length-prefixed msgs, one write each, 2 procs`],
    ['coalesced', coalesced, `${sizeLabel} length-prefixed msgs, ${COALESCE} per write, 2 procs`],
  ] as const) {
    const m = r.median;
    ctx.results.add('tcp', {
      id: `tcp.msgs.${tag}.${variant}`,
      label,
      value: m.items / m.seconds,
      unit: 'msg/s',
      better: 'higher',
      range: [r.min, r.max],
      details: {
        MBps: (m.items * size) / m.seconds / 1e6,
        senderCpuUsPerMsg: (m.senderCpuS * 1e6) / m.items,
        receiverCpuUsPerMsg: (m.receiverCpuS * 1e6) / m.items,
      },
    });
  }
}

async function bulk(ctx: BenchContext, side: Side): Promise<void> {
  const chunk = Buffer.alloc(BULK_CHUNK, 0x33);
  const r = await measureStream(ctx, side, 'bytes', (sock) => async () => {
    for (let i = 0; i < 8; i++) await write(sock, chunk);
    return 8 * chunk.length;
  });
  const m = r.median;
  ctx.results.add('tcp', {
    id: 'tcp.bulk.64k',
    label: 'bulk one-way, 64 KiB writes, 2 procs',
    value: m.items / m.seconds / 1e6,
    unit: 'MB/s',
    better: 'higher',
    range: [r.min / 1e6, r.max / 1e6],
    details: {
      senderCpuSPerGB: m.senderCpuS / (m.items / 1e9),
      receiverCpuSPerGB: m.receiverCpuS / (m.items / 1e9),
    },
  });
}

/** 1 KiB ping-pong, one message in flight; `procs` says where the echo side runs. */
async function roundTrips(ctx: BenchContext, procs: 1 | 2): Promise<void> {
  const side = await openSide(PEER, { procs });
  try {
    const port = await side.call<number>('listen', { kind: 'echo' });
    const sock = await connectLoopback(port);
    const msg = Buffer.alloc(RTT_SIZE, 0x11);
    let pending = 0;
    let wake: (() => void) | undefined;
    sock.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      if (pending >= RTT_SIZE && wake !== undefined) {
        pending -= RTT_SIZE;
        const w = wake;
        wake = undefined;
        w();
      }
    });
    const roundTrip = (): Promise<void> =>
      new Promise((resolve) => {
        wake = resolve;
        sock.write(msg);
      });
    const s = await measureLatency(roundTrip, { warmup: ctx.config.rttWarmup, timeMs: ctx.config.rttMs });
    sock.destroy();
    const where = procs === 2 ? '2 procs' : '1 process';
    for (const [q, value] of [
      ['p50', s.p50],
      ['p99', s.p99],
    ] as const) {
      ctx.results.add('tcp', {
        id: `tcp.rtt.1k.${procs}p.${q}`,
        label: `1 KiB ping-pong RTT ${q}, ${where}`,
        value,
        unit: 'us',
        better: 'lower',
        details: { samples: s.n, meanUs: s.mean, roundTripsPerSec: 1e6 / s.mean },
      });
    }
  } finally {
    await side.close();
  }
}

export const tcpSuite: Suite = {
  name: 'tcp',
  description: 'raw loopback TCP: framed messages, bulk, ping-pong RTT',
  async run(ctx) {
    const side = await openSide(PEER, { procs: 2 });
    try {
      ctx.log('tcp: 64 B messages');
      await messages(ctx, side, 64, '64b');
      ctx.log('tcp: 1 KiB messages');
      await messages(ctx, side, 1024, '1k');
      ctx.log('tcp: bulk 64 KiB writes');
      await bulk(ctx, side);
    } finally {
      await side.close();
    }
    ctx.log('tcp: 1 KiB RTT, 2 processes');
    await roundTrips(ctx, 2);
    ctx.log('tcp: 1 KiB RTT, 1 process');
    await roundTrips(ctx, 1);
  },
};
