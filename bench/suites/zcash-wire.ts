// The Zcash wire's own figures. Decode-and-verify: ZcashCodec push/next over a stream of framed
// messages cut into 64 KiB reads (as a socket delivers them), header parsed, checksum verified, body
// decoded — 1 KiB `tx` messages and 1 MiB `block` messages, each read against node:crypto's double
// SHA-256 rate of the same size measured in the same run (target >= 0.8x, BENCHMARKS.md targets table).
// Handshakes: dial + Zebra version/verack handshake over 127.0.0.1 TCP with the listener in a forked
// child, then close; one at a time and 8 at once, handshakes/s and latency percentiles.

import { randomBytes } from 'node:crypto';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { tcpEndpoint } from '../../src/transport/endpoint.ts';
import { writeBlockHeader } from '../../src/zcash/chain/block-header.ts';
import { decodeBlock } from '../../src/zcash/chain/block.ts';
import { ByteWriter } from '../../src/zcash/encoding/byte-writer.ts';
import { ZcashCodec } from '../../src/zcash/wire/codec.ts';
import type { OutboundMessage } from '../../src/zcash/wire/messages.ts';
import { ZCASH_MAINNET } from '../../src/zcash/params/network-params.ts';
import { decodeTransaction, SAPLING_VERSION_GROUP_ID } from '../../src/zcash/chain/transaction.ts';
import {
  cpuSeconds,
  measureLatency,
  measureOps,
  openSide,
  summarize,
  type BenchContext,
  type Suite,
} from '../harness.ts';
import { zcashPeerWire } from '../../src/zcash/node/zcash-node.ts';
import { benchZcashTransport, BENCH_HANDSHAKE_TIMEOUT_MS, zcashLocalNode } from './zcash-peer.ts';

const PEER = new URL('./zcash-peer.ts', import.meta.url);
/** Size of one simulated socket read (bytes): what Node's TCP handle hands over per 'data' event at most. */
const READ_CHUNK = 64 * 1024;
/** Dialers of the concurrent handshake figure (the issue asks for 8). */
const CONCURRENT_DIALS = 8;
/** Deadline of the whole ping-under-load figure (ms): a dead side must not hang the run. */
const PRIORITY_FIGURE_TIMEOUT_MS = 5 * 60_000;
/** Spec §5.6: >= 250 k small messages decoded and verified per second per core (absolute, noisy box). */
const SMALL_MESSAGES_PER_SEC_TARGET = 250_000;

interface DecodeCase {
  readonly tag: '1k' | '1m';
  readonly label: string;
  /** Body size in bytes (the size the sha256d baseline hashes). */
  readonly size: number;
  /** Frames per timed batch: enough to span several reads and keep timer reads negligible. */
  readonly frames: number;
  readonly message: (size: number) => OutboundMessage;
}

/** A v4 (Sapling) transaction of `size` bytes; txid = the body digest. */
function txMessage(size: number): OutboundMessage {
  return { command: 'tx', tx: decodeTransaction(saplingTransaction(size)) };
}

/**
 * A well-formed v4 transaction of exactly `size` bytes (at least 320): one input, one output whose
 * script takes the slack, and from 1,100 bytes on one Sapling output description (948 bytes) with its
 * binding signature (a smaller one is transparent only, as most 1 KiB transactions are).
 */
function saplingTransaction(size: number): Uint8Array {
  const shielded = size >= 1100;
  const w = new ByteWriter(size);
  w.u32le(0x80000004); // overwintered flag | version 4
  w.u32le(SAPLING_VERSION_GROUP_ID);
  w.compactSize(1);
  w.bytes(randomBytes(36)); // outpoint
  w.compactSize(0);
  w.u32le(0xffffffff);
  w.compactSize(1);
  w.u64le(1000n);
  // Everything after the script: lock time, expiry, value balance, 2 counts, [output], nJoinSplit, [sig].
  const tail = 4 + 4 + 8 + 1 + 1 + 1 + (shielded ? 948 + 64 : 0);
  const scriptLength = size - w.length - 3 - tail;
  w.compactSize(scriptLength);
  w.bytes(randomBytes(scriptLength));
  w.u32le(0);
  w.u32le(0);
  w.u64le(0n);
  w.compactSize(0);
  w.compactSize(shielded ? 1 : 0);
  if (shielded) w.bytes(randomBytes(948));
  w.compactSize(0);
  if (shielded) w.bytes(randomBytes(64));
  return w.finish();
}

/** A block of `size` bytes: a mainnet-shaped header (1487 bytes) and ~2 KiB Sapling transactions. */
function blockMessage(size: number): OutboundMessage {
  const w = new ByteWriter(size);
  writeBlockHeader(w, {
    version: 4,
    previousBlockHash: randomBytes(32),
    merkleRoot: randomBytes(32),
    commitments: randomBytes(32),
    time: 1_700_000_000,
    bits: 0x1c01_0000,
    nonce: randomBytes(32),
    solution: randomBytes(1344),
  });
  const room = size - w.length - 3; // 3: the CompactSize of a count of a few hundred
  const count = Math.floor(room / 2048);
  w.compactSize(count);
  for (let i = 1; i < count; i++) w.bytes(saplingTransaction(2048));
  w.bytes(saplingTransaction(room - (count - 1) * 2048)); // the last one takes the slack
  return { command: 'block', block: decodeBlock(w.finish()) };
}

const DECODE_CASES: readonly DecodeCase[] = [
  { tag: '1k', label: '1 KiB tx msgs', size: 1024, frames: 256, message: txMessage },
  { tag: '1m', label: '1 MiB block msgs', size: 1 << 20, frames: 4, message: blockMessage },
];

/** A post-handshake codec (2 MiB body limit), as a connection has after verack. */
function openCodec(): ZcashCodec {
  const codec = new ZcashCodec({ network: ZCASH_MAINNET });
  codec.completeHandshake(ZCASH_MAINNET.protocolVersion);
  return codec;
}

/** Concatenates `count` copies of `frame` and cuts the stream into `chunk`-byte reads. */
function readsOf(frame: Uint8Array, count: number, chunk: number): Uint8Array[] {
  const stream = new Uint8Array(frame.length * count);
  for (let i = 0; i < count; i++) stream.set(frame, i * frame.length);
  const reads: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += chunk) reads.push(stream.subarray(at, at + chunk));
  return reads;
}

/** Timed decode of `reads` (holding `frames` frames) through one long-lived codec; messages/s. */
function decodeRate(
  ctx: BenchContext,
  reads: readonly Uint8Array[],
  frames: number,
  command: string,
): number {
  const codec = openCodec();
  const batch = (): void => {
    let n = 0;
    for (const read of reads) {
      codec.push(read);
      for (let m = codec.next(); m !== undefined; m = codec.next()) {
        if (m.command !== command)
          throw new PeerwireError(ErrorCode.Internal, `decoded ${m.command}, expected ${command}`);
        n++;
      }
    }
    if (n !== frames) throw new PeerwireError(ErrorCode.Internal, `decoded ${n} of ${frames} frames`);
  };
  return measureOps(batch, { inner: frames, warmupMs: ctx.config.warmupMs, timeMs: ctx.config.measureMs })
    .opsPerSec;
}

function decodeFigures(ctx: BenchContext): void {
  for (const c of DECODE_CASES) {
    ctx.log(`peerwire-zcash: decode + verify, ${c.label}`);
    const message = c.message(c.size);
    const frame = openCodec().encode(message);
    const perSec = decodeRate(ctx, readsOf(frame, c.frames, READ_CHUNK), c.frames, message.command);
    // The same frames with each one in a single read: bodies hashed in place, nothing gathered.
    const wholePerSec = decodeRate(ctx, readsOf(frame, c.frames, frame.length), c.frames, message.command);
    ctx.results.add('peerwire-zcash', {
      id: `peerwire.zcash.decode.${c.tag}`,
      label: `ZcashCodec decode + checksum verify, ${c.label}, 64 KiB reads`,
      value: (perSec * c.size) / 1e6,
      unit: 'MB/s',
      better: 'higher',
      compare: [{ to: `sha256d.${c.tag}`, target: 0.8 }],
      details: {
        msgsPerSec: perSec,
        frameBytes: frame.length,
        oneReadPerFrameMBps: (wholePerSec * c.size) / 1e6,
      },
    });
    if (c.tag === '1k') {
      ctx.results.add('peerwire-zcash', {
        id: 'peerwire.zcash.decode.1k.msgs',
        label: 'ZcashCodec decode + checksum verify, 1 KiB tx msgs per second, one core',
        value: perSec,
        unit: 'msg/s',
        better: 'higher',
        limit: SMALL_MESSAGES_PER_SEC_TARGET,
      });
    }
  }
}

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
 * Zcash wire's counterpart of the CometBFT priority figure. The Zcash connection has no send scheduler:
 * a ping is written behind whatever the link and the kernel already hold.
 */
async function pingUnderLoad(ctx: BenchContext): Promise<void> {
  const side = await openSide(PEER, { procs: 2 });
  const transport = benchZcashTransport();
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
    ctx.results.add('peerwire-zcash', {
      id: 'peerwire.zcash.ping.idle.p99',
      label: 'Zcash ping round trip p99, idle connection, 2 procs',
      value: idle.p99,
      unit: 'us',
      better: 'lower',
      details: { p50us: idle.p50, samples: idle.n },
    });
    ctx.results.add('peerwire-zcash', {
      id: 'peerwire.zcash.ping.loaded.p99',
      label: 'Zcash ping round trip p99, connection saturated with 1 MiB block messages, 2 procs',
      value: loaded.p99,
      unit: 'us',
      better: 'lower',
      compare: [{ to: 'peerwire.zcash.ping.idle.p99', target: 2 }],
      details: { p50us: loaded.p50, samples: loaded.n, maxUs: loaded.max, blockMBps },
    });
  } finally {
    await transport.close();
    await side.close();
  }
}

export const zcashWireSuite: Suite = {
  name: 'peerwire-zcash',
  description: 'Zcash codec decode + checksum vs sha256d, handshakes over loopback TCP',
  async run(ctx) {
    decodeFigures(ctx);
    await handshakeFigures(ctx);
    ctx.log('peerwire-zcash: ping round trip, idle and under a block stream');
    await pingUnderLoad(ctx);
  },
};
