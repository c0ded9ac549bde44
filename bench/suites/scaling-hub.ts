// The node under test of the scaling figures (scaling.ts), run in a forked child so its memory, CPU and
// event loop are its own: a full CometBFT node (createCometbftNode) or a full Zcash node
// (ZcashNode.create) on 127.0.0.1, with its inbound limit raised to the largest peer count measured,
// and one broadcast loop: 1 KiB messages sent to every connected peer through the router
// (`channel.send({ broadcast: true })`, awaiting queue room, as a service would, and yielding to the
// event loop between broadcasts) for a given time, while the event loop's delay is sampled. The peers are bare connections in the parent process.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { realClock } from '../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { rawCodec } from '../../src/core/message-codec.ts';
import type { Channel } from '../../src/engine/router/channel.ts';
import type { Router } from '../../src/engine/router/router.ts';
import { createCometbftNode } from '../../src/cometbft/node/cometbft-node.ts';
import { decodeTransaction } from '../../src/zcash/chain/transaction.ts';
import { ZcashChannel, zcashMessageCodec } from '../../src/zcash/connection/channels.ts';
import { ZcashNode } from '../../src/zcash/node/zcash-node.ts';
import { ZCASH_MAINNET } from '../../src/zcash/params/network-params.ts';
import type { ZcashMessage } from '../../src/zcash/wire/messages.ts';
import { cpuSeconds, type SideHandlers } from '../harness.ts';
import { CHAIN_ID, DATA_CHANNEL } from './cometbft-bench.ts';

export type ScalingWire = 'cometbft' | 'zcash';

/** Bytes of one broadcast message's payload (the CometBFT message; the Zcash transaction's script). */
export const BROADCAST_BYTES = 1024;
/**
 * Messages queued per peer on the broadcast channel before a broadcast waits for room: small, so 1,000
 * peers hold at most 16 MiB of queued references and the loop measures delivery, not queue filling.
 */
const BROADCAST_QUEUE = 16;
/**
 * The CometBFT send/recv rate per peer (bytes/s): far above anything a 2-core box reaches, so the figures
 * show CPU cost rather than CometBFT's default 5.12 MB/s per-peer limit (which alone would cap 10 peers
 * at 50,000 deliveries/s).
 */
const UNLIMITED_RATE = 1e12;
/** Inbound slots beyond the largest count measured: room for a late close racing a new dial. */
const SPARE_SLOTS = 16;
/** Event-loop delay histogram resolution (ms): the finest perf_hooks offers. */
const ELD_RESOLUTION_MS = 1;

interface Hub {
  readonly router: Router;
  readonly port: number;
  readonly broadcast: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

let hub: Hub | undefined;

/** A version-1 transaction with no inputs and one OP_RETURN output carrying `payload` bytes. */
function paddedTransaction(payload: number): ReturnType<typeof decodeTransaction> {
  const script = Buffer.concat([
    Buffer.from([0x6a, 0x4d, payload & 0xff, payload >> 8]),
    Buffer.alloc(payload, 0x5a),
  ]);
  const length = Buffer.from([0xfd, script.length & 0xff, script.length >> 8]);
  const bytes = Buffer.concat([
    Buffer.from('01000000', 'hex'), // version 1
    Buffer.from([0x00, 0x01]), // no inputs, one output
    Buffer.alloc(8), // value 0
    length,
    script,
    Buffer.alloc(4), // lock time 0
  ]);
  return decodeTransaction(new Uint8Array(bytes));
}

async function startCometbft(maxPeers: number): Promise<Hub> {
  const node = await createCometbftNode({
    chainId: CHAIN_ID,
    listen: { host: '127.0.0.1', port: 0 },
    pex: false,
    localNetwork: true,
    maxOutbound: 1,
    maxInbound: maxPeers + SPARE_SLOTS,
    sendRate: UNLIMITED_RATE,
    recvRate: UNLIMITED_RATE,
    admission: {
      maxPendingHandshakes: maxPeers + SPARE_SLOTS,
      maxPendingHandshakesPerIp: maxPeers + SPARE_SLOTS,
    },
  });
  const channel: Channel<Uint8Array> = node.openChannel(DATA_CHANNEL, rawCodec, {
    priority: 1,
    sendQueueCapacity: BROADCAST_QUEUE,
  });
  node.start();
  const message = new Uint8Array(BROADCAST_BYTES).fill(0x5a);
  return {
    router: node.router,
    port: node.address.port,
    broadcast: () => channel.send({ broadcast: true, message }),
    stop: () => node.stop(),
  };
}

async function startZcash(maxPeers: number): Promise<Hub> {
  const node = await ZcashNode.create({
    network: ZCASH_MAINNET,
    listen: { host: '127.0.0.1', port: 0 },
    crawler: false,
    localNetwork: true,
    maxOutbound: 1,
    maxInbound: maxPeers + SPARE_SLOTS,
    maxConnectionsPerIp: Number.POSITIVE_INFINITY,
    inboundBudget: false,
    admission: {
      maxPendingHandshakes: maxPeers + SPARE_SLOTS,
      maxPendingHandshakesPerIp: maxPeers + SPARE_SLOTS,
    },
  });
  const channel: Channel<ZcashMessage> = node.router.openChannel(
    ZcashChannel.Transactions,
    zcashMessageCodec,
    {
      sendQueueCapacity: BROADCAST_QUEUE,
    },
  );
  node.start();
  const message: ZcashMessage = { command: 'tx', tx: paddedTransaction(BROADCAST_BYTES) };
  return {
    router: node.router,
    port: node.listenEndpoint!.port,
    broadcast: () => channel.send({ broadcast: true, message }),
    stop: () => node.stop(),
  };
}

export interface BroadcastPhase {
  /** Broadcasts sent; each reached every peer connected when it was sent. */
  readonly broadcasts: number;
  /** Peers connected at the start and at the end of the phase. */
  readonly peersAtStart: number;
  readonly peersAtEnd: number;
  readonly cpuS: number;
  readonly seconds: number;
  /** Event-loop delay over the phase (ms). */
  readonly eldP99Ms: number;
  readonly eldMaxMs: number;
}

export interface IdleSample {
  readonly eldP99Ms: number;
  readonly cpuS: number;
}

function requireHub(): Hub {
  if (hub === undefined) throw new PeerwireError(ErrorCode.InvalidArgument, 'scaling hub not started');
  return hub;
}

async function sampleLoop<T>(run: () => Promise<T>): Promise<{ value: T; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  h.enable();
  try {
    const value = await run();
    return { value, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  } finally {
    h.disable();
  }
}

export const handlers: SideHandlers = {
  /** Starts the node of `wire`; returns its port. */
  async start(arg: unknown): Promise<number> {
    if (hub !== undefined) throw new PeerwireError(ErrorCode.InvalidArgument, 'scaling hub already started');
    const { wire, maxPeers } = arg as { wire: ScalingWire; maxPeers: number };
    hub = wire === 'cometbft' ? await startCometbft(maxPeers) : await startZcash(maxPeers);
    return hub.port;
  },
  /** Peers the router counts as connected. */
  peers(): number {
    return requireHub().router.connectedPeers().length;
  },
  /** Event-loop delay while the node holds its peers and sends nothing, for `ms`. */
  async idle(arg: unknown): Promise<IdleSample> {
    const { ms } = arg as { ms: number };
    const cpu0 = cpuSeconds();
    const r = await sampleLoop(() => realClock.sleep(ms));
    return { eldP99Ms: r.p99, cpuS: cpuSeconds() - cpu0 };
  },
  /** Broadcasts back to back for `ms` (each awaited, so queues stay bounded). */
  async broadcast(arg: unknown): Promise<BroadcastPhase> {
    const { ms } = arg as { ms: number };
    const h = requireHub();
    const peersAtStart = h.router.connectedPeers().length;
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const r = await sampleLoop(async () => {
      let broadcasts = 0;
      while (performance.now() - t0 < ms) {
        await h.broadcast();
        broadcasts++;
        // Back to the event loop after each broadcast, as a service answering events would be: a loop of
        // resolved promises alone would starve timers and reads (and leave the delay histogram empty).
        await new Promise((resolve) => setImmediate(resolve));
      }
      return broadcasts;
    });
    return {
      broadcasts: r.value,
      peersAtStart,
      peersAtEnd: h.router.connectedPeers().length,
      cpuS: cpuSeconds() - cpu0,
      seconds: (performance.now() - t0) / 1000,
      eldP99Ms: r.p99,
      eldMaxMs: r.max,
    };
  },
  async close(): Promise<void> {
    const h = hub;
    hub = undefined;
    await h?.stop();
  },
};
