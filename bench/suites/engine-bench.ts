// Shared parts of the router benchmarks: engine nodes built the way a local test network builds them
// (local-network profile, plain wire, no address exchange so only benchmark traffic flows), a channel
// whose inbound envelopes are counted by a receiver loop, and the time-boxed send phase every message
// figure uses. The router-peer side module and the router suite both import this file, so the node a
// child process runs is the same as the one-process node.

import { raceAbort } from '../../src/core/abort.ts';
import { realClock } from '../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { NodeAddress, NodeId } from '../../src/core/node-address.ts';
import { EngineNode } from '../../src/engine/node/engine-node.ts';
import { localNetworkProfile, TendermintPolicy } from '../../src/engine/peers/tendermint-policy.ts';
import type { Channel } from '../../src/engine/router/channel.ts';
import { rawCodec } from '../../src/core/message-codec.ts';
import { LOCAL_NETWORK_ROUTER_OPTIONS } from '../../src/engine/router/router-options.ts';
import { memoryEndpoint, tcpEndpoint } from '../../src/transport/endpoint.ts';
import type { MemoryNetwork } from '../../src/transport/memory-network.ts';
import type { Endpoint, Transport } from '../../src/transport/types.ts';
import { memoryTransport, tcpTransport } from '../../src/plain/transports.ts';
import { cpuSeconds, ProgressCounter } from '../harness.ts';

/** The benchmark's channel id: any id the services of a real node do not use. */
export const BENCH_CHANNEL_ID = 0x42;
/**
 * Messages queued per peer on the benchmark channel before `send` waits: the channel default (1024),
 * stated here because the figures depend on it (a deeper queue lets the send loop batch more writes).
 */
export const SEND_QUEUE_CAPACITY = 1024;
/** Sends between two clock reads in a send loop: keeps performance.now() off the per-message cost. */
export const SENDS_PER_CHECK = 64;
/** Deadline for nodes to connect (ms): seconds normally; generous because the box may be loaded. */
export const CONNECT_TIMEOUT_MS = 60_000;
/** Network name every benchmark node announces (nodes refuse peers of another network). */
export const NETWORK = 'bench-net';

export type Carrier = 'memory' | 'tcp';

export interface BenchNodeOptions {
  readonly carrier: Carrier;
  /** Required for `memory`: the in-process network the node joins. */
  readonly net?: MemoryNetwork;
  /** Memory endpoint name (unique per network). */
  readonly name?: string;
  /** Peers the node dials at start. */
  readonly bootstrap?: readonly NodeAddress[];
}

/** An engine node on the plain wire with the local-network profile and no address exchange. */
export async function benchNode(options: BenchNodeOptions): Promise<EngineNode> {
  let transport: Transport;
  let listen: Endpoint;
  if (options.carrier === 'memory') {
    if (options.net === undefined || options.name === undefined) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'a memory bench node needs a network and a name');
    }
    transport = memoryTransport(options.net, { name: options.name });
    listen = memoryEndpoint(options.name);
  } else {
    transport = tcpTransport();
    listen = tcpEndpoint('127.0.0.1', 0);
  }
  return EngineNode.create({
    network: NETWORK,
    clock: realClock,
    transports: [transport],
    listen: [listen],
    policy: new TendermintPolicy({ ...localNetworkProfile }),
    router: { ...LOCAL_NETWORK_ROUTER_OPTIONS },
    addressExchange: false,
    ...(options.bootstrap === undefined ? {} : { bootstrap: options.bootstrap }),
  });
}

/** Opens the benchmark channel and counts every envelope it delivers into `counter`. */
export function openCountedChannel(node: EngineNode, counter: ProgressCounter): Channel<Uint8Array> {
  const channel = node.openChannel(BENCH_CHANNEL_ID, rawCodec, { sendQueueCapacity: SEND_QUEUE_CAPACITY });
  const receive = async (): Promise<void> => {
    // Ends when the node stops (the channel closes); a failure ends counting, which the phase deadline reports.
    for await (const _envelope of channel) counter.add(1);
  };
  receive().catch(() => undefined);
  return channel;
}

/** Resolves once `node` counts `peers` connected peers (or `ids`, when given, are all connected). */
export async function waitConnected(
  node: EngineNode,
  peers: number,
  ids: readonly NodeId[] = [],
): Promise<void> {
  const end = performance.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    const connected = node.router.connectedPeers();
    if (connected.length >= peers && ids.every((id) => connected.includes(id))) return;
    if (performance.now() > end) {
      throw new PeerwireError(ErrorCode.Timeout, `only ${connected.length} of ${peers} peers connected`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a phase needs from the receiving side: its delivered count and its CPU. */
export interface Receiver {
  waitFor(target: number): Promise<unknown>;
  /** CPU seconds of the receiver's process, or undefined when it is this process. */
  cpuSeconds(): Promise<number | undefined>;
}

export interface PhaseResult {
  /** Messages counted by the receivers in this phase. */
  readonly delivered: number;
  readonly seconds: number;
  /** CPU seconds of this process (sender, and receiver too when it runs here). */
  readonly localCpuS: number;
  /** CPU seconds of a receiver in another process. */
  readonly remoteCpuS: number | undefined;
}

/**
 * One measured phase: `sendBatch` runs until `ms` has elapsed and returns how many deliveries it caused
 * (awaiting every send, so the sender honours backpressure); the phase then lasts until the receivers
 * have counted them all, so the figure is end to end.
 */
export async function sendPhase(
  ms: number,
  alreadyDelivered: number,
  sendBatch: () => Promise<number>,
  receiver: Receiver,
): Promise<PhaseResult> {
  const remote0 = await receiver.cpuSeconds();
  const local0 = cpuSeconds();
  const t0 = performance.now();
  const end = t0 + ms;
  let delivered = 0;
  do {
    delivered += await sendBatch();
  } while (performance.now() < end);
  // Deadline: receivers finish within milliseconds of the sender; a wedged one must not hang the run.
  await raceAbort(receiver.waitFor(alreadyDelivered + delivered), AbortSignal.timeout(ms * 10 + 60_000));
  const seconds = (performance.now() - t0) / 1000;
  const localCpuS = cpuSeconds() - local0;
  const remote1 = await receiver.cpuSeconds();
  const remoteCpuS = remote0 === undefined || remote1 === undefined ? undefined : remote1 - remote0;
  return { delivered, seconds, localCpuS, remoteCpuS };
}

/** A receiver counted in this process. */
export function localReceiver(counter: ProgressCounter): Receiver {
  return {
    waitFor: (target) => counter.waitFor(target),
    cpuSeconds: () => Promise.resolve(undefined),
  };
}

/** Human label of a message size. */
export function sizeLabel(size: number): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

/** Figure-id tag of a message size, matching the raw-TCP baselines (`64b`, `1k`). */
export function sizeTag(size: number): string {
  return size >= 1024 ? `${size / 1024}k` : `${size}b`;
}

export { ProgressCounter };
