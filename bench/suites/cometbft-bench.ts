// What the CometBFT benchmark (cometbft.ts) and its side process (cometbft-peer-side.ts) share: the
// channel set, how a benchmark node describes itself, the transport both ends use, and the dial +
// handshake + round-trip steps. Everything runs at the connection level (transport.dial/accept,
// conn.handshake, conn.send, the connection's message iterator): the SecretConnection, NodeInfo and
// MConnection stack without the router, so the figures show the wire's own cost.

import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { NodeKey } from '../../src/core/node-key.ts';
import { measureLatency, type BenchContext, type Summary } from '../harness.ts';
import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import type {
  ChannelDescriptor,
  Connection,
  Endpoint,
  InboundMessage,
  LocalNode,
} from '../../src/transport/types.ts';
import { cometbftTcpTransport } from '../../src/cometbft/wire/transport.ts';

/** Chain ID both ends announce (NodeInfo.network must match for the handshake to succeed). */
export const CHAIN_ID = 'peerwire-bench';
/**
 * The data channel: message-rate and bulk figures, and the saturated channel of the priority figure.
 * Not a standard CometBFT id, so no standard descriptor applies. Priority 1, the lowest share.
 */
export const DATA_CHANNEL = 0x70;
/** The echo channel: round trips, the setup figure's first round trip; priority 10 (ten times DATA's share). */
export const ECHO_CHANNEL = 0x71;
/**
 * Messages queued per channel before send() asks the caller to wait: 100, CometBFT's consensus data
 * channel value (its default of 1 would measure the drained() wait rather than the wire).
 */
const SEND_QUEUE_CAPACITY = 100;
/** Largest message accepted per channel: 1 MiB (CometBFT's consensus limit), above the 64 KiB bulk sends. */
const RECV_MESSAGE_CAPACITY = 1024 * 1024;
/**
 * Handshake deadlines (ms), far above CometBFT's 3 s: the box is shared with other busy workers and a
 * setup figure must record a slow handshake, not lose it to a timeout.
 */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Dial + handshake deadline of one benchmark connection (ms), for the same reason. */
export const CONNECT_TIMEOUT_MS = 60_000;
/** Accepted-but-unclaimed connections a side keeps: above the memory figure's burst of sequential dials. */
const ACCEPT_BACKLOG = 1024;

export const BENCH_CHANNELS: readonly ChannelDescriptor[] = [
  {
    id: DATA_CHANNEL,
    priority: 1,
    sendQueueCapacity: SEND_QUEUE_CAPACITY,
    recvMessageCapacity: RECV_MESSAGE_CAPACITY,
  },
  {
    id: ECHO_CHANNEL,
    priority: 10,
    sendQueueCapacity: SEND_QUEUE_CAPACITY,
    recvMessageCapacity: RECV_MESSAGE_CAPACITY,
  },
];

/** A fresh identity with the benchmark's channel set. */
export function benchLocalNode(name: string): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels: BENCH_CHANNELS,
    info: {
      id: key.id,
      protocolVersion: '8',
      channels: BENCH_CHANNELS.map((c) => c.id),
      network: CHAIN_ID,
      userAgent: name,
    },
  };
}

export interface TransportOptions {
  /** CometBFT p2p.send_rate in bytes/s (the priority figure's rate-limited variant). Default: off. */
  readonly sendRate?: number;
  /** MConnection pacing by measured queueing delay (send-pacer.ts). Default: on, as in a node. */
  readonly pacing?: boolean;
}

/** The CometBFT TCP transport as a node would build it, with benchmark-friendly deadlines. */
export function benchTransport(options: TransportOptions = {}): StreamTransport {
  return cometbftTcpTransport({
    acceptBacklog: ACCEPT_BACKLOG,
    wire: {
      chainId: CHAIN_ID,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      nodeInfoTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      ...(options.sendRate === undefined ? {} : { sendRate: options.sendRate }),
      ...(options.pacing === undefined ? {} : { pacing: options.pacing }),
    },
  });
}

export function loopback(port: number): Endpoint {
  return { protocol: 'tcp', host: '127.0.0.1', port };
}

/** An open, handshaken connection and its one message iterator. */
export interface OpenConnection {
  readonly conn: Connection;
  readonly messages: AsyncIterator<InboundMessage>;
}

/** TCP connect, SecretConnection handshake and NodeInfo exchange. */
export async function dialPeer(
  transport: StreamTransport,
  local: LocalNode,
  port: number,
): Promise<OpenConnection> {
  const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  const conn = await transport.dial(loopback(port), signal);
  await conn.handshake(local, signal);
  return { conn, messages: conn[Symbol.asyncIterator]() };
}

/** The next inbound message; a closed connection is an error here (a benchmark never expects it). */
export async function nextMessage(messages: AsyncIterator<InboundMessage>): Promise<InboundMessage> {
  const r = await messages.next();
  if (r.done === true) throw new PeerwireError(ErrorCode.Closed, 'benchmark connection closed by the peer');
  return r.value;
}

/** Sends `msg` on the echo channel and waits for the echo (one message in flight). */
export async function roundTrip(open: OpenConnection, msg: Uint8Array): Promise<void> {
  open.conn.send(ECHO_CHANNEL, msg);
  const reply = await nextMessage(open.messages);
  if (reply.bytes.length !== msg.length) {
    throw new PeerwireError(
      ErrorCode.Malformed,
      `echo of ${msg.length} bytes came back as ${reply.bytes.length}`,
    );
  }
}

/** send() with backpressure: waits for drained() when the connection asks for it. */
export async function sendWithBackpressure(
  conn: Connection,
  channelId: number,
  msg: Uint8Array,
): Promise<void> {
  if (!conn.send(channelId, msg)) await conn.drained(AbortSignal.timeout(CONNECT_TIMEOUT_MS));
}

/** Message size of the message-rate, RTT and priority figures (bytes): the baselines' 1 KiB. */
export const MSG_SIZE = 1024;
/** Message size of the bulk figures (bytes): a CometBFT block part is 64 KiB. */
export const BULK_SIZE = 64 * 1024;
/** CometBFT's default p2p.send_rate and recv_rate (bytes/s): the rate-limited priority figures. */
export const COMETBFT_SEND_RATE = 5_120_000;
/**
 * Spacing of the priority probe when a send rate applies, ms: one 1 KiB echo every 2 ms is ~1 MB/s
 * each way, a fifth of CometBFT's default 5.12 MB/s send_rate (a back-to-back echo would send ~8 MB/s,
 * more than the rate, and be the heavy channel, which no vote channel is). Issue 10's reference probe
 * of upstream Go sent one every 10 ms.
 */
export const RATED_PROBE_SPACING_MS = 2;
/**
 * Round trips discarded at the start of a loaded latency phase, and the fewest kept (full run / quick).
 * With the link saturated a round trip waits behind the socket buffers (~100 ms here), so these
 * counts, not BENCH_RTT_MS, set the phase's length: 100 samples keep p99 meaningful in a full run.
 */
const LOADED_RTT_WARMUP = 5;
const LOADED_MIN_SAMPLES = 100;
const LOADED_MIN_SAMPLES_QUICK = 20;

/**
 * Latency of `rtt` while `sendBulk` runs in a loop beside it (each call sends one bulk message and
 * returns its size): the queues and socket buffers fill for the warm-up time, then round trips are
 * sampled. Returns the loaded summary, the bulk bytes sent and when sending started.
 */
export async function latencyUnderLoad(
  ctx: BenchContext,
  rtt: () => Promise<void>,
  sendBulk: () => Promise<number>,
  spacingMs = 0,
): Promise<{ loaded: Summary; sent: number; t0: number }> {
  let stop = false;
  let sent = 0;
  const t0 = performance.now();
  const loop = (async () => {
    while (!stop) sent += await sendBulk();
  })();
  let loaded: Summary;
  try {
    await new Promise((resolve) => setTimeout(resolve, ctx.config.warmupMs));
    loaded = await measureLatency(rtt, {
      warmup: LOADED_RTT_WARMUP,
      timeMs: ctx.config.rttMs,
      minSamples: ctx.config.quick ? LOADED_MIN_SAMPLES_QUICK : LOADED_MIN_SAMPLES,
      spacingMs,
    });
  } finally {
    stop = true;
    await loop;
  }
  return { loaded, sent, t0 }; // `sent` read after the loop's last send
}
