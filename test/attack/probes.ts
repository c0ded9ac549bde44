// Attack probes against a victim node in its own process (victim.ts), all on loopback: attacker
// sockets are bound to many 127.x.y.z source addresses. Used by the attack tests (short runs) and by
// `npm run attack` (the full table). Every loop is bounded in time; every socket is closed at the end.
//
// - slowloris: silent sockets from many addresses, each reopened as soon as the victim drops it, while
//   an honest peer (from 127.0.0.1, another subnet) measures how long it takes to complete a handshake
//   that the victim keeps, then (optionally) real honest nodes do the same (node-join.ts), and an
//   honest peer connected before the attack must stay connected;
// - ping flood: one peer sends keep-alive pings as fast as the victim reads them, while an honest peer
//   measures its ping round trips; the victim's CPU share comes from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { DelimitedReader } from '../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { decodePacket, encodePacket } from '../../src/cometbft/wire/mconnection/packet-codec.ts';
import { encodeMessage, decodeFrame, ZcashCodec } from '../../src/zcash/wire/codec.ts';
import type { ZcashMessage } from '../../src/zcash/wire/messages.ts';
import { ZCASH_REGTEST } from '../../src/zcash/params/network-params.ts';
import { EvilPeer, nodeInfoOf, RawSocket } from '../cometbft/wire/evil-peer-harness.ts';
import { nodeJoins } from './node-join.ts';

export type Wire = 'cometbft' | 'zcash';

// ---------------------------------------------------------------- the victim process

export interface Victim {
  readonly port: number;
  /** The victim's node ID (what a CometBFT dialer must name; a Zcash node's is its address). */
  readonly id: string;
  readonly pid: number;
  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number;
  /** Resident memory (bytes) and open descriptors. */
  resources(): { rssBytes: number; fds: number };
  /** The victim's metric samples, `name{labels}` → value (Prometheus text parsed). */
  metrics(): Promise<Map<string, number>>;
  /** The heap the victim still uses after a full garbage collection (bytes): what it retains. */
  retainedHeap(): Promise<number>;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** The sum of every sample of metric `name` whose labels contain `labelText` (e.g. `reason="overload"`). */
export function metricSum(samples: Map<string, number>, name: string, labelText = ''): number {
  let sum = 0;
  for (const [key, value] of samples) {
    if ((key === name || key.startsWith(`${name}{`)) && key.includes(labelText)) sum += value;
  }
  return sum;
}

export async function startVictim(wire: Wire, maxInbound?: number): Promise<Victim> {
  const args = ['--expose-gc', '--import', 'tsx', new URL('./victim.ts', import.meta.url).pathname, wire];
  if (maxInbound !== undefined) args.push(String(maxInbound));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  // One waiter per stdin command (`metrics`, `heap`), resolved by the victim's answer on stdout.
  const waiters = new Map<string, (answer: never) => void>();
  let samples: Map<string, number> | undefined;
  let id = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('victim did not start in 30 s')), 30_000);
    lines.on('line', (line) => {
      const match = /^port (\d+)$/.exec(line);
      const heap = /^heap (\d+)$/.exec(line);
      const idLine = /^id (\S+)$/.exec(line);
      if (idLine !== null) {
        id = idLine[1]!;
      } else if (heap !== null) {
        waiters.get('heap')?.(Number(heap[1]) as never);
      } else if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      } else if (line === 'metrics-begin') {
        samples = new Map();
      } else if (line === 'metrics-end') {
        waiters.get('metrics')?.((samples ?? new Map<string, number>()) as never);
        samples = undefined;
      } else if (samples !== undefined) {
        const sample = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (sample !== null) samples.set(sample[1]!, Number(sample[2]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`victim exited with ${code}`));
    });
  });
  const pid = child.pid!;
  const ask = <T>(command: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`victim did not answer \`${command}\` in 10 s`)), 10_000);
      waiters.set(command, (answer: T) => {
        clearTimeout(timer);
        waiters.delete(command);
        resolve(answer);
      });
      child.stdin!.write(`${command}\n`);
    });
  return {
    port,
    id,
    pid,
    cpuSeconds() {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    resources() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return { rssBytes: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
    },
    metrics: () => ask<Map<string, number>>('metrics'),
    retainedHeap: () => ask<number>('heap'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      child.stdin?.destroy();
    },
  };
}

// ---------------------------------------------------------------- raw sockets from chosen sources

/** Connects from `localAddress` (a 127.x.y.z address) to the victim on 127.0.0.1. */
export function connectFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/**
 * `count` attacker source addresses: all in one /16 (127.<firstOctet>.0.1, .2, ...) or each in its own
 * /16 (127.<firstOctet + i>.0.1), the hardest case for subnet fairness.
 */
export function sourceAddresses(count: number, firstOctet = 1, layout: 'one-subnet' | 'many-subnets' = 'one-subnet'): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(layout === 'one-subnet' ? `127.${firstOctet}.${Math.floor(i / 250)}.${(i % 250) + 1}` : `127.${firstOctet + i}.0.1`);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- honest peers

/** An honest peer that has completed the handshake; `alive()` is false once the victim closed it. */
export interface HonestPeer {
  alive(): boolean;
  /** One keep-alive ping and its round trip (ms). */
  ping(): Promise<number>;
  close(): void;
}

/** Connects and handshakes once as an honest peer, from `localAddress`. Rejects when the victim refuses. */
export async function honestPeer(wire: Wire, port: number, localAddress = '127.0.0.1'): Promise<HonestPeer> {
  const socket = await connectFrom(port, localAddress);
  return wire === 'cometbft' ? cometbftHonest(socket) : zcashHonest(socket);
}

async function cometbftHonest(socket: Socket): Promise<HonestPeer> {
  const peer = new EvilPeer(new RawSocket(socket));
  try {
    await peer.handshake(nodeInfoOf(peer.key, { channels: Uint8Array.of(0x00) }));
  } catch (error) {
    socket.destroy();
    throw error;
  }
  let alive = true;
  socket.once('close', () => (alive = false));
  const reader = new DelimitedReader(1 << 20);
  return {
    alive: () => alive,
    async ping() {
      const started = performance.now();
      peer.sendSealed(encodePacket({ kind: 'ping' }, true));
      for (;;) {
        for (const data of peer.keys!.opener.open(await peer.raw.read(1044))) reader.push(data);
        for (let bytes = reader.next(); bytes !== undefined; bytes = reader.next()) {
          if (decodePacket(bytes).kind === 'pong') return performance.now() - started;
        }
      }
    },
    close: () => socket.destroy(),
  };
}

const NETWORK = ZCASH_REGTEST;
const encodeOptions = { magic: NETWORK.magic, protocolVersion: NETWORK.protocolVersion, maxBodyLength: NETWORK.maxBodyLength };

function zcashVersion(): ZcashMessage & { command: 'version' } {
  return {
    command: 'version',
    version: NETWORK.protocolVersion,
    services: 1n,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: { services: 1n, ip: '127.0.0.1', port: NETWORK.defaultPort },
    addrFrom: { services: 1n, ip: '0.0.0.0', port: 0 },
    nonce: BigInt(Math.floor(Math.random() * 2 ** 48)),
    userAgent: '/probe:0.1.0/',
    startHeight: 0,
    relay: false,
  };
}

/** A raw Zcash peer: frames in, messages out, one waiter at a time. */
class RawZcash {
  readonly codec = new ZcashCodec({ network: NETWORK });
  private readonly queue: ZcashMessage[] = [];
  private wake: (() => void) | undefined;
  alive = true;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.codec.push(chunk);
      for (let frame = this.codec.nextFrame(); frame !== undefined; frame = this.codec.nextFrame()) {
        this.queue.push(decodeFrame(frame, this.codec.bodyContext));
      }
      this.wake?.();
    });
    socket.once('close', () => {
      this.alive = false;
      this.wake?.();
    });
  }

  send(message: Parameters<typeof encodeMessage>[0]): boolean {
    return this.socket.write(encodeMessage(message, encodeOptions));
  }

  async next(command: string): Promise<ZcashMessage> {
    for (;;) {
      const index = this.queue.findIndex((m) => m.command === command);
      if (index >= 0) return this.queue.splice(index, 1)[0]!;
      this.queue.length = 0;
      if (!this.alive) throw new Error('closed');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  async handshake(): Promise<void> {
    this.send(zcashVersion());
    const theirs = await this.next('version');
    await this.next('verack');
    this.send({ command: 'verack' });
    this.codec.completeHandshake(Math.min(NETWORK.protocolVersion, (theirs as { version: number }).version));
  }
}

async function zcashHonest(socket: Socket): Promise<HonestPeer> {
  const raw = new RawZcash(socket);
  try {
    await raw.handshake();
  } catch (error) {
    socket.destroy();
    throw error;
  }
  let nonce = 1n;
  return {
    alive: () => raw.alive,
    async ping() {
      const started = performance.now();
      raw.send({ command: 'ping', nonce: nonce++ });
      await raw.next('pong');
      return performance.now() - started;
    },
    close: () => socket.destroy(),
  };
}

// ---------------------------------------------------------------- slowloris with an honest newcomer

export interface SlowlorisOptions {
  readonly wire: Wire;
  readonly sockets: number;
  readonly sourceIps: number;
  /** Attackers in one /16 or each in its own (sourceAddresses). Default one-subnet. */
  readonly layout?: 'one-subnet' | 'many-subnets';
  readonly tries: number;
  /** Give up on one try after this long (ms). */
  readonly tryTimeoutMs: number;
  /** An attacker waits this long after a drop before reopening (ms). Default 0: at once. */
  readonly reopenDelayMs?: number;
  /** Tries of a real honest node (node-join.ts) after the raw client's, under the same attack. Default 0. */
  readonly nodeTries?: number;
}

export interface SlowlorisResult {
  /** Join times of the honest newcomer (ms), one per try; Infinity when it did not get in. */
  readonly joinMs: number[];
  /** Join times of the real honest nodes (ms, from their start()), one per node try. */
  readonly nodeJoinMs: number[];
  /** Attack connections the victim accepted (and later dropped) during the run. */
  readonly attackConnections: number;
  /** The honest peer connected before the attack was still connected after it. */
  readonly earlyPeerStayed: boolean;
  readonly before: { rssBytes: number; fds: number };
  readonly peak: { rssBytes: number; fds: number };
  readonly after: { rssBytes: number; fds: number };
  /** The victim's heap after a full collection, before the attack and after it ended (bytes). */
  readonly retainedHeap: { before: number; after: number };
  /** The victim's own count of connections it refused before their handshake, and of pending ones it evicted. */
  readonly refused: number;
  readonly evicted: number;
}

export async function slowloris(victim: Victim, options: SlowlorisOptions): Promise<SlowlorisResult> {
  const heapBefore = await victim.retainedHeap();
  const before = victim.resources();
  const early = await honestPeer(options.wire, victim.port, '127.250.0.1');
  const sources = sourceAddresses(options.sourceIps, 1, options.layout);
  let running = true;
  let attackConnections = 0;
  const open = new Set<Socket>();
  const attacker = async (source: string): Promise<void> => {
    while (running) {
      try {
        const socket = await connectFrom(victim.port, source);
        attackConnections++;
        open.add(socket);
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        // Read (and drop) whatever the victim sends: a socket nobody reads never sees the victim's
        // FIN, and would sit closed without reconnecting.
        socket.resume();
        await closed;
        open.delete(socket);
        if (options.reopenDelayMs !== undefined) await sleep(options.reopenDelayMs);
      } catch {
        await sleep(1);
      }
    }
  };
  const attackers = Array.from({ length: options.sockets }, (_v, i) => attacker(sources[i % sources.length]!));
  const peak = { ...before };
  const sample = (): void => {
    const now = victim.resources();
    peak.rssBytes = Math.max(peak.rssBytes, now.rssBytes);
    peak.fds = Math.max(peak.fds, now.fds);
  };
  await sleep(1_000); // let the attack fill every pending slot
  const joinMs: number[] = [];
  for (let t = 0; t < options.tries; t++) {
    sample();
    const started = performance.now();
    let joined = Number.POSITIVE_INFINITY;
    while (performance.now() - started < options.tryTimeoutMs) {
      try {
        const peer = await honestPeer(options.wire, victim.port);
        await sleep(200);
        if (peer.alive()) joined = performance.now() - started;
        peer.close();
        if (joined !== Number.POSITIVE_INFINITY) break;
      } catch {
        await sleep(50);
      }
    }
    joinMs.push(joined);
    await sleep(100); // the victim notices the close before the next try
  }
  sample();
  const nodeJoinMs = (options.nodeTries ?? 0) > 0 ? await nodeJoins(victim, options.wire, options.nodeTries!, options.tryTimeoutMs) : [];
  sample();
  running = false;
  for (const socket of open) socket.destroy();
  await Promise.all(attackers);
  const earlyPeerStayed = early.alive();
  early.close();
  await sleep(1_500);
  const samples = await victim.metrics();
  const heapAfter = await victim.retainedHeap();
  return {
    joinMs,
    nodeJoinMs,
    attackConnections,
    earlyPeerStayed,
    before,
    peak,
    after: victim.resources(),
    retainedHeap: { before: heapBefore, after: heapAfter },
    refused: metricSum(samples, 'peerwire_router_inbound_refused_total'),
    evicted: metricSum(samples, 'peerwire_router_pending_evictions_total'),
  };
}

// ---------------------------------------------------------------- ping flood

export interface FloodResult {
  /** The victim's CPU share (of one core) while flooded. */
  readonly cpuShare: number;
  readonly idleRttP99Ms: number;
  readonly floodRttP99Ms: number;
  /** Ping packets or messages the flooder managed to write. */
  readonly pingsWritten: number;
  /** The victim disconnected the flooder before the probe ended. */
  readonly flooderDropped: boolean;
  /** The victim's count of peers it cut off for a sustained flood (ERR_PEER_FLOOD), and of bans. */
  readonly floodDisconnects: number;
  readonly bans: number;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function rtts(peer: HonestPeer, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await peer.ping());
    await sleep(10);
  }
  return out;
}

/** Writes pings as fast as the socket takes them, until `until` says stop; returns how many. */
async function floodPings(wire: Wire, socket: Socket, until: () => boolean): Promise<number> {
  let written = 0;
  let write: () => boolean;
  if (wire === 'cometbft') {
    const peer = new EvilPeer(new RawSocket(socket));
    await peer.handshake(nodeInfoOf(peer.key, { channels: Uint8Array.of(0x00) }));
    const ping = encodePacket({ kind: 'ping' }, true);
    const batch = Array.from({ length: 300 }, () => ping); // 300 pings fill one 1,024-byte frame
    write = () => {
      written += batch.length;
      return socket.write(peer.keys!.sealer.seal(batch));
    };
  } else {
    const raw = new RawZcash(socket);
    await raw.handshake();
    // One batch encoded once (the victim does not care that nonces repeat): the attacker's own work
    // must not slow the honest peer measured from this same process.
    const batch = Buffer.concat(Array.from({ length: 100 }, (_v, i) => encodeMessage({ command: 'ping', nonce: BigInt(i) }, encodeOptions)));
    write = () => {
      written += 100;
      return socket.write(batch);
    };
  }
  while (until() && !socket.destroyed) {
    if (!write()) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  return written;
}

let floodProbes = 0;

export async function pingFlood(victim: Victim, wire: Wire, floodMs: number, pings = 50): Promise<FloodResult> {
  const honest = await honestPeer(wire, victim.port, '127.0.0.1');
  await rtts(honest, 20); // warm-up: the first round trips measure the JIT, not the network
  const idle = await rtts(honest, pings);
  // A fresh source address per probe: a victim still closing the previous flooder counts it against
  // that address's one connection.
  const flooderSocket = await connectFrom(victim.port, `127.66.0.${(floodProbes++ % 250) + 1}`);
  let flooding = true;
  let dropped = false;
  // CPU and round trips count only while the flooder is connected: once the victim cuts it off, the
  // rest of the probe would be idle time.
  let droppedAt: { cpu: number; wall: number } | undefined;
  flooderSocket.once('close', () => {
    dropped = true;
    droppedAt = { cpu: victim.cpuSeconds(), wall: performance.now() };
  });
  const cpuStart = victim.cpuSeconds();
  const wallStart = performance.now();
  const flood = floodPings(wire, flooderSocket, () => flooding);
  await sleep(Math.min(1_000, floodMs / 4));
  const during: number[] = [];
  while (performance.now() - wallStart < floodMs && !dropped) {
    const batch = await rtts(honest, 10);
    if (!dropped) during.push(...batch);
  }
  const end = droppedAt ?? { cpu: victim.cpuSeconds(), wall: performance.now() };
  if (during.length === 0) {
    flooderSocket.destroy();
    honest.close();
    throw new Error(`the victim closed the flooder ${Math.round(end.wall - wallStart)} ms into the flood, before any round trip was measured`);
  }
  const cpuShare = (end.cpu - cpuStart) / ((end.wall - wallStart) / 1000);
  flooding = false;
  const flooderDropped = dropped;
  flooderSocket.destroy();
  const pingsWritten = await flood.catch(() => 0);
  honest.close();
  const samples = await victim.metrics();
  return {
    cpuShare,
    idleRttP99Ms: percentile(idle, 99),
    floodRttP99Ms: percentile(during, 99),
    pingsWritten,
    flooderDropped,
    floodDisconnects: metricSum(samples, 'peerwire_router_disconnects_total', 'code="ERR_PEER_FLOOD"'),
    bans: metricSum(samples, 'peerwire_peers_bans_total'),
  };
}

// ---------------------------------------------------------------- connection limits

/** Connects `count` honest peers, each from its own address in 127.<octet>.x.y; returns those still connected after a pause. */
export async function connectMany(wire: Wire, port: number, count: number, octet: number, sameIp = false): Promise<HonestPeer[]> {
  const peers: HonestPeer[] = [];
  for (let i = 0; i < count; i++) {
    const source = sameIp ? `127.${octet}.0.1` : `127.${octet}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    try {
      peers.push(await honestPeer(wire, port, source));
    } catch {
      // refused during the handshake: not connected
    }
  }
  await sleep(500);
  return peers.filter((p) => p.alive());
}
