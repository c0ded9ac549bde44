// A Zcash node of the testnet: the Zcash node assembly (local-network profile, Regtest magic, the
// crawler finding the others from the seed through `getaddr`/`addr`), with demo traffic as real `tx`
// messages on the Transactions channel: a v1 transaction with no inputs and one OP_RETURN output that
// carries the demo message (origin, seq, send time, padding). Round trips are Zcash pings through each
// peer's client (ping/pong with a nonce), as Zebra's heartbeat measures them.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { deadline } from '../../core/abort.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { Channel } from '../../engine/router/channel.ts';
import { ZcashChannel, zcashMessageCodec } from '../../zcash/connection/channels.ts';
import type { ZcashMessage } from '../../zcash/wire/messages.ts';
import { ZCASH_REGTEST } from '../../zcash/params/network-params.ts';
import { decodeTransaction, type Transaction } from '../../zcash/chain/transaction.ts';
import { zcashPeerWire, ZcashNode } from '../../zcash/node/zcash-node.ts';
import { nodeDetail } from '../web/node-detail.ts';
import type { WebNodeDetail } from '../web/web-view.ts';
import { MAX_SEEN_MESSAGES, messageKey, type MemberContext, type TestnetMember } from './member.ts';

/** Marks a demo transaction's OP_RETURN data. */
const DEMO_MARK = Buffer.from('pwdemo', 'latin1');
/** Largest demo padding in a transaction (bytes): keeps the script under 253 bytes (one-byte length). */
export const MAX_ZCASH_DEMO_PAYLOAD = 200;
/** Deadline of one probe ping (ms): generous, the machine is shared; a lost probe is only an error count. */
const PING_TIMEOUT_MS = 20_000;
/** Probe pings outstanding at once (a slow peer's probes pile up for at most PING_TIMEOUT_MS). */
const MAX_PROBES_IN_FLIGHT = 1024;

/** Builds the demo transaction carrying `origin/seq`. */
export function demoTransaction(origin: number, seq: number, sentAt: number, padding: number): Transaction {
  const pad = Math.min(Math.max(0, padding), MAX_ZCASH_DEMO_PAYLOAD);
  const data = Buffer.alloc(DEMO_MARK.length + 14 + pad);
  DEMO_MARK.copy(data, 0);
  data.writeUInt16LE(origin, 6);
  data.writeUInt32LE(seq, 8);
  data.writeDoubleLE(sentAt, 12);
  const script = Buffer.concat([Buffer.from([0x6a, 0x4c, data.length]), data]);
  const bytes = Buffer.concat([
    Buffer.from('01000000', 'hex'), // version 1 (no overwinter flag)
    Buffer.from([0x00, 0x01]), // no inputs, one output
    Buffer.alloc(8), // value 0
    Buffer.from([script.length]),
    script,
    Buffer.alloc(4), // lock time 0
  ]);
  return decodeTransaction(new Uint8Array(bytes));
}

/** Reads the demo fields of a transaction; undefined for any other transaction. */
export function readDemoTransaction(tx: Transaction): { origin: number; seq: number; sentAt: number } | undefined {
  const b = Buffer.from(tx.bytes.buffer, tx.bytes.byteOffset, tx.bytes.byteLength);
  const at = 18; // version 4, counts 2, value 8, script length 1, OP_RETURN, OP_PUSHDATA1, length
  if (b.length < at + DEMO_MARK.length + 14 || b[15] !== 0x6a || !b.subarray(at, at + DEMO_MARK.length).equals(DEMO_MARK)) return undefined;
  return { origin: b.readUInt16LE(at + 6), seq: b.readUInt32LE(at + 8), sentAt: b.readDoubleLE(at + 12) };
}

/** The user agent of testnet node `index`: its identity among the other nodes. */
export function testnetUserAgent(index: number): string {
  return `/peerwire:0.1.0(testnet-zcash-${index})/`;
}

export class ZcashMember implements TestnetMember {
  readonly wire = 'zcash' as const;
  readonly index: number;
  readonly listen: string;
  readonly bootstrapAddress: string;
  readonly seen = new Set<string>();
  readonly identity: string;
  private readonly node: ZcashNode;
  private readonly channel: Channel<ZcashMessage>;
  private readonly context: MemberContext;
  private readonly held: Transaction[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | undefined;

  private constructor(node: ZcashNode, context: MemberContext) {
    this.node = node;
    this.context = context;
    this.index = context.index;
    this.listen = node.address!;
    this.bootstrapAddress = node.address!;
    this.identity = testnetUserAgent(context.index);
    this.channel = node.router.openChannel(ZcashChannel.Transactions, zcashMessageCodec, { sendQueueCapacity: 4096 });
    // One listener per probe in flight: peers × outstanding probes, well under this.
    setMaxListeners(MAX_PROBES_IN_FLIGHT, this.stopping.signal);
  }

  static async create(context: MemberContext, logger: Logger, metrics: Metrics): Promise<ZcashMember> {
    const holder: { member?: ZcashMember } = {};
    const node = await ZcashNode.create({
      network: ZCASH_REGTEST,
      listen: { host: '127.0.0.1', port: 0 },
      peers: context.seed === undefined ? [] : [context.seed],
      maxOutbound: context.target,
      maxInbound: Math.max(context.nodes, context.target),
      localNetwork: true,
      userAgent: testnetUserAgent(context.index),
      onTransaction: (tx, peer) => holder.member?.onTransaction(tx, peer.id),
      logger: logger.child({ component: 'testnet', wire: 'zcash', index: context.index }),
      metrics,
    });
    holder.member = new ZcashMember(node, context);
    return holder.member;
  }

  start(): void {
    const stats = this.context.stats;
    this.unsubscribe = this.node.router.subscribe((update) => {
      if (update.status === 'up') {
        stats.handshakes++;
        this.spawn(this.catchUp(update.id));
      } else {
        stats.disconnects++;
        if (update.reason !== undefined && update.reason.action !== 'transient') stats.recordError(`${update.reason.code}: ${update.reason.message}`);
      }
    });
    this.node.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopping.abort();
    this.channel.close();
    await this.node.stop();
    await Promise.allSettled([...this.tasks]);
  }

  distinctPeers(): number {
    return new Set(this.peerIdentities()).size;
  }

  /** Peers by user agent: a pair of Zcash nodes may hold two connections (one each way). */
  peerIdentities(): string[] {
    return this.node.router.connectedPeers().map((id) => this.node.router.peerInfo(id)?.userAgent ?? id);
  }

  detail(): WebNodeDetail {
    return nodeDetail(this.identity, this.listen, this.node.router, this.node.peerManager);
  }

  originate(seq: number): void {
    const tx = demoTransaction(this.index, seq, performance.now(), this.context.payloadBytes);
    if (!this.hold(messageKey(this.index, seq), tx)) return;
    for (const peer of this.node.router.connectedPeers()) this.send(peer, tx);
  }

  probe(): void {
    for (const id of this.node.router.connectedPeers()) {
      if (this.tasks.size >= MAX_PROBES_IN_FLIGHT) return;
      const client = zcashPeerWire(this.node.router.peerInfo(id))?.client;
      if (client === undefined) continue;
      this.spawn(this.ping(client));
    }
  }

  private async ping(client: NonNullable<ReturnType<typeof zcashPeerWire>>['client']): Promise<void> {
    const wait = deadline(PING_TIMEOUT_MS, this.stopping.signal, 'probe ping');
    try {
      // Timed here with the sub-millisecond clock (the client's own rttMs is in the Clock's whole ms).
      const sentAt = performance.now();
      const response = await client.request({ kind: 'ping', nonce: randomBytes(8).readBigUInt64LE() }, wait.signal);
      if (response.kind === 'pong') this.context.stats.recordRtt(performance.now() - sentAt);
    } catch (error) {
      if (!this.stopping.signal.aborted) this.context.stats.recordError(`ping: ${String(error)}`);
    } finally {
      wait.clear();
    }
  }

  private hold(key: string, tx: Transaction): boolean {
    if (this.seen.has(key) || this.seen.size >= MAX_SEEN_MESSAGES) return false;
    this.seen.add(key);
    this.held.push(tx);
    return true;
  }

  private onTransaction(tx: Transaction, from: string | undefined): void {
    const stats = this.context.stats;
    stats.messagesReceived++;
    stats.bytesReceived += tx.bytes.length;
    const demo = readDemoTransaction(tx);
    if (demo === undefined) return;
    const copy = decodeTransaction(Uint8Array.from(tx.bytes));
    if (!this.hold(messageKey(demo.origin, demo.seq), copy)) return;
    for (const peer of this.node.router.connectedPeers()) if (peer !== from) this.send(peer, copy);
  }

  private send(peer: NodeId, tx: Transaction): void {
    const stats = this.context.stats;
    stats.messagesSent++;
    stats.bytesSent += tx.bytes.length;
    this.channel.send({ to: peer, message: { command: 'tx', tx } }).catch((error: unknown) => {
      if (!this.channel.closed) stats.recordError(`send to ${peer}: ${String(error)}`);
    });
  }

  private async catchUp(peer: NodeId): Promise<void> {
    for (const tx of [...this.held]) {
      if (this.channel.closed) return;
      this.send(peer, tx);
      await Promise.resolve();
    }
  }

  private spawn(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.context.stats.recordError(String(error)));
    this.tasks.add(tracked);
    void tracked.finally(() => this.tasks.delete(tracked));
  }
}
