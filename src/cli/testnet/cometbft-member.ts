// A CometBFT node of the testnet: the CometBFT node assembly (local-network profile, PEX bootstrapped
// from the seed) plus the demo channel 0x70, on which it floods gossip, answers probes and measures
// round trips.

import { performance } from 'node:perf_hooks';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { Channel } from '../../engine/router/channel.ts';
import { cometbftAddress } from '../../cometbft/wire/transport.ts';
import { createCometbftNode } from '../../cometbft/node/cometbft-node.ts';
import type { EngineNode } from '../../engine/node/engine-node.ts';
import { nodeDetail } from '../web/node-detail.ts';
import type { WebNodeDetail } from '../web/web-view.ts';
import { demoCodec, DEMO_CHANNEL_ID, type DemoMessage } from './demo-codec.ts';
import { MAX_SEEN_MESSAGES, messageKey, type MemberContext, type TestnetMember } from './member.ts';

/** The testnet's chain ID (NodeInfo.network). */
export const TESTNET_CHAIN_ID = 'peerwire-testnet';
/** Demo messages queued per peer: a catch-up hands a new peer everything at once. */
const DEMO_SEND_QUEUE = 4096;

export class CometbftMember implements TestnetMember {
  readonly wire = 'cometbft' as const;
  readonly index: number;
  readonly listen: string;
  readonly bootstrapAddress: string;
  readonly seen = new Set<string>();
  readonly identity: string;
  private readonly node: EngineNode;
  private readonly channel: Channel<DemoMessage>;
  private readonly context: MemberContext;
  private readonly held: DemoMessage[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private nonce = 0;

  private constructor(node: EngineNode, context: MemberContext) {
    this.node = node;
    this.context = context;
    this.index = context.index;
    const a = node.address;
    this.listen = `${a.host}:${a.port}`;
    this.bootstrapAddress = `${node.id}@${a.host}:${a.port}`;
    this.identity = node.id;
    this.channel = node.openChannel(DEMO_CHANNEL_ID, demoCodec, {
      priority: 5,
      sendQueueCapacity: DEMO_SEND_QUEUE,
      recvQueueCapacity: DEMO_SEND_QUEUE,
      recvMessageCapacity: 70 * 1024,
    });
  }

  static async create(context: MemberContext, logger: Logger, metrics: Metrics): Promise<CometbftMember> {
    const node = await createCometbftNode({
      chainId: TESTNET_CHAIN_ID,
      listen: { host: '127.0.0.1', port: 0 },
      seeds: context.seed === undefined ? [] : [cometbftAddress(context.seed)],
      maxOutbound: context.target,
      maxInbound: Math.max(context.nodes, context.target),
      targetPeers: context.target,
      localNetwork: true,
      moniker: `testnet-cometbft-${context.index}`,
      logger: logger.child({ component: 'testnet', wire: 'cometbft', index: context.index }),
      metrics,
    });
    return new CometbftMember(node, context);
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
    this.spawn(this.receiveLoop());
    this.node.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.channel.close();
    await this.node.stop();
    await Promise.allSettled([...this.tasks]);
  }

  distinctPeers(): number {
    return this.node.router.connectedPeers().length;
  }

  peerIdentities(): string[] {
    return this.node.router.connectedPeers();
  }

  detail(): WebNodeDetail {
    return nodeDetail(this.node.id, this.listen, this.node.router, this.node.peerManager);
  }

  originate(seq: number): void {
    const message: DemoMessage = {
      kind: 'gossip',
      origin: this.index,
      seq,
      sentAt: performance.now(),
      payload: new Uint8Array(this.context.payloadBytes),
    };
    this.hold(message);
    for (const peer of this.node.router.connectedPeers()) this.send(peer, message);
  }

  probe(): void {
    for (const peer of this.node.router.connectedPeers()) {
      this.nonce = (this.nonce + 1) >>> 0;
      this.send(peer, { kind: 'probe', nonce: this.nonce, sentAt: performance.now() });
    }
  }

  private hold(message: DemoMessage & { kind: 'gossip' }): boolean {
    const key = messageKey(message.origin, message.seq);
    if (this.seen.has(key) || this.seen.size >= MAX_SEEN_MESSAGES) return false;
    this.seen.add(key);
    this.held.push(message);
    return true;
  }

  private send(peer: NodeId, message: DemoMessage): void {
    const stats = this.context.stats;
    stats.messagesSent++;
    stats.bytesSent += message.kind === 'gossip' ? message.payload.length + 15 : 13;
    this.channel.send({ to: peer, message }).catch((error: unknown) => {
      if (!this.channel.closed) stats.recordError(`send to ${peer.slice(0, 8)}: ${String(error)}`);
    });
  }

  /** A new peer gets every message we hold, as a mempool hands a new peer its transactions. */
  private async catchUp(peer: NodeId): Promise<void> {
    for (const message of [...this.held]) {
      if (this.channel.closed) return;
      this.send(peer, message);
      await Promise.resolve();
    }
  }

  private async receiveLoop(): Promise<void> {
    const stats = this.context.stats;
    for await (const envelope of this.channel) {
      const message = envelope.message;
      stats.messagesReceived++;
      if (message.kind === 'gossip') {
        stats.bytesReceived += message.payload.length + 15;
        const copy = { ...message, payload: Uint8Array.from(message.payload) };
        if (!this.hold(copy)) continue;
        for (const peer of this.node.router.connectedPeers()) if (peer !== envelope.from) this.send(peer, copy);
      } else if (message.kind === 'probe') {
        stats.bytesReceived += 13;
        this.send(envelope.from, { kind: 'echo', nonce: message.nonce, sentAt: message.sentAt });
      } else {
        stats.bytesReceived += 13;
        stats.recordRtt(performance.now() - message.sentAt);
      }
    }
  }

  private spawn(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.context.stats.recordError(String(error)));
    this.tasks.add(tracked);
    void tracked.finally(() => this.tasks.delete(tracked));
  }
}
