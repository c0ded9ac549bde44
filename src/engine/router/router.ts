// The Router: owns the transports, keeps connections to the peers the PeerManager chooses, and moves
// messages between those peers and the channels services open. It is Tendermint v0.35's router
// (dial, accept and evict loops; a send and a receive loop per peer; a queue per peer and per channel)
// with that release's failures designed out: loops never die on an error, queues never reorder or
// silently drop within a channel, every queue and remote-keyed map is bounded, and a slow peer only
// ever slows itself. All policy (whom to dial, whom to evict) is the PeerManager's; the router does I/O.

import { setMaxListeners } from 'node:events';
import { realClock, type Clock } from '../../core/clock.ts';
import { ErrorCode, isAbortError, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { formatNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { NodeKey } from '../../core/node-key.ts';
import { WakeSignal } from '../../core/wake-signal.ts';
import type { PeerManagerApi, PeerUpdate } from '../peers/types.ts';
import { guestEndError, guestOutcome } from '../peers/peer-errors.ts';
import type { Connection, Direction, LocalNode, PeerInfo, Transport } from '../../transport/types.ts';
import { InboundAdmission, type AdmittedConnection } from './inbound-admission.ts';
import {
  Channel,
  CHANNEL_DEFAULTS,
  type ChannelHost,
  type ChannelOptions,
  type OutboundEnvelope,
  type ResolvedChannelOptions,
} from './channel.ts';
import type { MessageCodec } from '../../core/message-codec.ts';
import { handshakeAndAdmit, runHandshake } from './connection-admission.ts';
import { RoutedPeer, type PeerStatusView, type RoutedPeerHost } from './routed-peer.ts';
import { dialAddress } from './dial-address.ts';
import { runResilientLoop } from './resilient-loop.ts';
import { systemResolver, type HostResolver } from './resolve.ts';
import { RouterMetrics } from './router-metrics.ts';
import type { TrafficObserver } from './traffic-observer.ts';
import { DEFAULT_ROUTER_OPTIONS, type RouterOptions } from './router-options.ts';

/** What we tell peers about ourselves; id, public key and channels are filled in by the router. */
export type LocalInfoTemplate = Omit<PeerInfo, 'id' | 'publicKey' | 'channels'>;

export interface RouterInit {
  readonly key: NodeKey;
  readonly info: LocalInfoTemplate;
  readonly peerManager: PeerManagerApi;
  readonly transports: readonly Transport[];
  readonly options?: Partial<RouterOptions>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** A slice's view of the traffic, for its network's own metrics (traffic-observer.ts). */
  readonly traffic?: TrafficObserver;
  readonly resolver?: HostResolver;
  /** Load probe for overload shedding (tests inject one); default: event-loop utilisation. */
  readonly loadProbe?: () => number;
}

export type { PeerStatusView } from './routed-peer.ts';

export class Router implements ChannelHost {
  readonly selfId: NodeId;
  private readonly key: NodeKey;
  private readonly infoTemplate: LocalInfoTemplate;
  private readonly peerManager: PeerManagerApi;
  private readonly transports: readonly Transport[];
  private readonly transportByProtocol = new Map<string, Transport>();
  private readonly options: RouterOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: RouterMetrics;
  private readonly resolver: HostResolver;
  private readonly admission: InboundAdmission;
  private readonly channels = new Map<number, Channel<unknown>>();
  private readonly peers = new Map<NodeId, RoutedPeer>();
  private readonly peerHost: RoutedPeerHost;
  /** Every live connection, routed or still handshaking, so stop() can close them all. */
  private readonly liveConnections = new Set<Connection>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly dialWake = new WakeSignal();
  private readonly evictWake = new WakeSignal();
  private stopController = new AbortController();
  private unsubscribeWake: (() => void) | undefined;
  private dialsInFlight = 0;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(init: RouterInit) {
    this.key = init.key;
    this.selfId = init.key.id;
    this.infoTemplate = init.info;
    this.peerManager = init.peerManager;
    this.transports = init.transports;
    this.options = { ...DEFAULT_ROUTER_OPTIONS, ...init.options };
    this.clock = init.clock ?? realClock;
    this.logger = (init.logger ?? silentLogger).child({ component: 'router' });
    this.metrics = new RouterMetrics(init.metrics ?? noopMetrics, init.traffic);
    this.resolver = init.resolver ?? systemResolver;
    this.admission = new InboundAdmission({
      options: this.options,
      clock: this.clock,
      metrics: init.metrics ?? noopMetrics,
      loadProbe: init.loadProbe,
    });
    this.peerHost = {
      metrics: this.metrics,
      stallTimeoutMs: this.options.stallTimeoutMs,
      clock: this.clock,
      channel: (id) => this.channels.get(id),
      reportMalformed: (peer, error) => this.safely(() => this.peerManager.errored(peer, error)),
    };
    for (const transport of this.transports) {
      for (const protocol of transport.protocols) {
        if (!this.transportByProtocol.has(protocol)) this.transportByProtocol.set(protocol, transport);
      }
    }
  }

  // ---------------------------------------------------------------- channels

  /**
   * Opens a channel for a service. Opening an id that is already open is an error. Channels opened before
   * start() are advertised in every handshake; later ones only to peers that connect afterwards.
   */
  openChannel<T>(id: number, codec: MessageCodec<T>, options: ChannelOptions = {}): Channel<T> {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `channel id ${id} is not in 0..65535`);
    }
    if (this.channels.has(id)) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `channel ${id} is already open`);
    }
    const resolved: ResolvedChannelOptions = { ...CHANNEL_DEFAULTS, ...options };
    const channel = new Channel<T>(id, codec, resolved, this);
    this.channels.set(id, channel as Channel<unknown>);
    return channel;
  }

  /** @internal ChannelHost */
  closeChannel(channelId: number): void {
    this.channels.delete(channelId);
  }

  /** @internal ChannelHost: routes one encoded message to one peer or to all. */
  async sendOnChannel(channelId: number, envelope: OutboundEnvelope<Uint8Array>): Promise<void> {
    const channel = this.channels.get(channelId);
    if (channel === undefined) return;
    if (envelope.broadcast === true) {
      let waits: Promise<void>[] | undefined;
      for (const peer of this.peers.values()) {
        if (peer.guest) continue; // a guest gets its one answer, addressed to it, and nothing else
        const wait = peer.enqueue(channel.options, channelId, envelope.message);
        if (wait !== undefined) (waits ??= []).push(wait);
      }
      if (waits !== undefined) await Promise.all(waits);
      return;
    }
    const peer = this.peers.get(envelope.to);
    if (peer === undefined) {
      this.metrics.dropped(channelId, 'unconnected');
      return;
    }
    const wait = peer.enqueue(channel.options, channelId, envelope.message);
    if (wait !== undefined) await wait;
  }

  /** @internal ChannelHost */
  reportPeerError(peerId: NodeId, error: PeerwireError): void {
    this.metrics.peerError(error.code);
    this.logger.debug({ peer: peerId, code: error.code, err: error.message }, 'peer error reported');
    try {
      this.peerManager.errored(peerId, error);
    } catch (managerError) {
      this.logger.warn({ peer: peerId, err: String(managerError) }, 'peer manager rejected an error report');
    }
    const peer = this.peers.get(peerId);
    if (peer !== undefined && error.action !== 'transient') peer.disconnect(error);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the dial, accept and evict loops. Transports must already be listening. */
  start(): void {
    if (this.state !== 'new')
      throw new PeerwireError(ErrorCode.InvalidArgument, `router cannot start when ${this.state}`);
    this.state = 'running';
    this.stopController = new AbortController();
    // Every dial, handshake and blocked send hangs a deadline on the stop signal and removes it when it
    // ends, so the count is bounded by those limits, not by time: lift Node's leak warning at 10.
    setMaxListeners(0, this.stopController.signal);
    this.unsubscribeWake = this.peerManager.onWake(() => {
      this.dialWake.notify();
      this.evictWake.notify();
    });
    this.spawn(this.dialLoop());
    this.spawn(this.evictLoop());
    for (const transport of this.transports) this.spawn(this.acceptLoop(transport));
  }

  /**
   * Stops everything in reverse order: loops, transports (listeners and their connections), peer
   * connections and queues, channels. Leaves no sockets, timers or listeners behind.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.unsubscribeWake?.();
    this.stopController.abort(
      new PeerwireError(ErrorCode.Aborted, 'router stopping', { action: 'transient' }),
    );
    const closing = new PeerwireError(ErrorCode.Closed, 'router stopped', { action: 'transient' });
    for (const conn of this.liveConnections) conn.close(closing);
    await Promise.allSettled(this.transports.map((t) => t.close()));
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    for (const channel of [...this.channels.values()]) channel.inbound.close();
    this.state = 'stopped';
  }

  get running(): boolean {
    return this.state === 'running';
  }

  private spawn(task: Promise<unknown>): void {
    const tracked = task.catch((error: unknown) => {
      this.logger.error({ err: String(error) }, 'router task failed unexpectedly');
    });
    this.tasks.add(tracked);
    void tracked.finally(() => this.tasks.delete(tracked));
  }

  // ---------------------------------------------------------------- views

  /** Connected peers; guests (newcomers being answered while full, engine/peers/guests.ts) are no peers. */
  connectedPeers(): NodeId[] {
    const out: NodeId[] = [];
    for (const [id, peer] of this.peers) if (!peer.guest) out.push(id);
    return out;
  }

  peerInfo(id: NodeId): PeerInfo | undefined {
    return this.peers.get(id)?.info;
  }

  peerStatus(): PeerStatusView[] {
    return [...this.peers.values()].map((p) => p.status());
  }

  channelStatus(): { id: number; queued: number }[] {
    return [...this.channels.values()].map((c) => ({ id: c.id, queued: c.inbound.length }));
  }

  /** Subscribes to peer up/down events (from the peer manager). */
  subscribe(listener: (update: PeerUpdate) => void): () => void {
    return this.peerManager.subscribe(listener);
  }

  /**
   * Closes the connection to a peer (the peer manager decides whether to redial). With `afterFlush`,
   * messages already queued for it are written first (a seed's answer, a goodbye).
   */
  disconnect(id: NodeId, reason?: PeerwireError, options: { readonly afterFlush?: boolean } = {}): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    const why =
      reason ?? new PeerwireError(ErrorCode.Closed, 'disconnected locally', { action: 'transient' });
    if (options.afterFlush === true) peer.closeAfterFlush(why);
    else peer.disconnect(why);
  }

  /** What this node says about itself in handshakes right now. */
  localNode(): LocalNode {
    const descriptors = [...this.channels.values()].map((c) => c.descriptor());
    return {
      key: this.key,
      channels: descriptors,
      info: {
        ...this.infoTemplate,
        id: this.selfId,
        publicKey: this.key.publicKey,
        channels: descriptors.map((d) => d.id),
      },
    };
  }

  // ---------------------------------------------------------------- dialing

  /** Dials what the peer manager chooses, up to the concurrency cap, then sleeps until something changes. */
  private dialLoop(): Promise<void> {
    const signal = this.stopController.signal;
    return this.resilient('dial', async () => {
      while (this.dialsInFlight < this.options.maxConcurrentDials) {
        const address = this.peerManager.dialNext();
        if (address === undefined) break;
        this.dialsInFlight++;
        this.spawn(
          this.dialAndRoute(address).finally(() => {
            this.dialsInFlight--;
            this.dialWake.notify();
          }),
        );
      }
      // At the concurrency cap only a finishing dial (which notifies dialWake) can free a slot: waking
      // at the next dial time would spin while an address is eligible now (found by the simulator).
      const atCap = this.dialsInFlight >= this.options.maxConcurrentDials;
      const next = atCap ? undefined : this.peerManager.nextDialTime();
      const sleepMs = next === undefined ? undefined : Math.max(0, next - this.clock.now());
      await this.dialWake.wait(signal, this.clock, sleepMs);
    });
  }

  private async dialAndRoute(address: NodeAddress): Promise<void> {
    const text = formatNodeAddress(address);
    let conn: Connection;
    try {
      conn = await dialAddress(address, {
        transportFor: (protocol) => this.transportByProtocol.get(protocol),
        resolver: this.resolver,
        resolveTimeoutMs: this.options.resolveTimeoutMs,
        dialTimeoutMs: this.options.dialTimeoutMs,
        stop: this.stopController.signal,
        clock: this.clock,
      });
      this.liveConnections.add(conn);
    } catch (error) {
      const typed = toPeerwireError(error, ErrorCode.ConnectionFailed, 'transient');
      if (!isAbortError(typed)) {
        this.metrics.dialFailed(typed.code);
        this.logger.debug({ peer: text, code: typed.code, err: typed.message }, 'dial failed');
      }
      this.safely(() => this.peerManager.dialFailed(address, typed));
      return;
    }
    const admitted = await handshakeAndAdmit(
      conn,
      'outbound',
      { peer: text },
      {
        metrics: this.metrics,
        logger: this.logger,
        handshake: (c) => this.handshake(c, address.id),
        admit: (info) =>
          this.admission.claimIp(conn, this.peers.has(info.id), () => this.peerManager.dialed(address, info)),
        forget: (c) => this.forget(c),
        onHandshakeFailed: (error) => this.safely(() => this.peerManager.dialFailed(address, error)),
      },
    );
    if (admitted !== undefined) await this.routePeer(admitted.info, conn, 'outbound', admitted.replaces);
  }

  // ---------------------------------------------------------------- accepting

  /** Takes inbound connections through the accept gate (before any crypto) into handshakes. */
  private acceptLoop(transport: Transport): Promise<void> {
    const signal = this.stopController.signal;
    return this.resilient('accept', async () => {
      let conn: Connection;
      try {
        conn = await transport.accept(signal);
      } catch (error) {
        if (toPeerwireError(error).code === ErrorCode.Closed) return 'stop';
        throw error;
      }
      const admitted = this.admission.admit(conn);
      if (admitted === undefined) return;
      this.liveConnections.add(conn);
      this.spawn(this.acceptAndRoute(conn, admitted));
    });
  }

  private async acceptAndRoute(conn: Connection, pending: AdmittedConnection): Promise<void> {
    let handshaken = false;
    const admitted = await handshakeAndAdmit(
      conn,
      'inbound',
      { remote: conn.remoteEndpoint.host },
      {
        metrics: this.metrics,
        logger: this.logger,
        // The pending slot is held while the handshake runs, under a deadline set at admission, and
        // through a guest's visit (engine/peers/guests.ts), so guests share the handshake budget.
        handshake: async (c) => {
          const info = await this.handshake(c, undefined, pending.handshakeTimeoutMs).catch((error: unknown) => {
            this.admission.handshakeEnded(pending, 'failed');
            throw error;
          });
          handshaken = true;
          return info;
        },
        admit: (info) =>
          this.admission.claimIp(conn, this.peers.has(info.id), () => this.peerManager.accepted(info.id, info), () =>
            this.peerManager.isBanned(info.id),
          ),
        forget: (c) => this.forget(c),
      },
    );
    const guest = admitted?.guest === true;
    if (handshaken && !guest) this.admission.handshakeEnded(pending, 'succeeded');
    if (admitted === undefined) return;
    try {
      await this.routePeer(admitted.info, conn, 'inbound', admitted.replaces, guest);
    } finally {
      if (guest) this.admission.handshakeEnded(pending, 'succeeded');
    }
  }

  /** Runs the wire handshake under the deadline and checks identity: key, dialed ID, not ourselves. */
  private handshake(conn: Connection, expectedId: NodeId | undefined, timeoutMs = this.options.handshakeTimeoutMs): Promise<PeerInfo> {
    return runHandshake(conn, this.localNode(), { expectedId, selfId: this.selfId, timeoutMs, stop: this.stopController.signal, clock: this.clock });
  }

  // ---------------------------------------------------------------- routing a connected peer

  private async routePeer(
    info: PeerInfo,
    conn: Connection,
    direction: Direction,
    replaces: boolean,
    guest = false,
  ): Promise<void> {
    const existing = this.peers.get(info.id);
    if (replaces && existing !== undefined) {
      existing.replaced = true;
      existing.disconnect(
        new PeerwireError(ErrorCode.DuplicateConnection, 'replaced by a newer connection', {
          action: 'transient',
        }),
      );
    }
    const peer = new RoutedPeer(info, conn, direction, this.peerHost);
    peer.guest = guest;
    this.peers.set(info.id, peer);
    const visit = guest ? this.clock.setTimer(this.options.guestTimeoutMs, () => peer.disconnect(guestEndError('expired'))) : undefined;
    if (!guest) this.metrics.peerConnected(info.id, direction);
    this.logger.info({ peer: info.id, direction, guest, remote: conn.remoteEndpoint.host }, 'peer connected');
    this.safely(() => this.peerManager.ready(info.id, info, direction));
    const reason = await peer.run();
    visit?.cancel();
    if (guest) this.metrics.guestEnded(guestOutcome(reason));
    else this.metrics.peerDisconnected(info.id, direction, reason?.code);
    if (direction === 'inbound') this.admission.ended(conn, this.peerManager.isBanned(info.id));
    this.admission.releaseIp(conn);
    this.forget(conn);
    if (this.peers.get(info.id) === peer) this.peers.delete(info.id);
    if (!peer.replaced) {
      this.logger.info({ peer: info.id, direction, reason: reason?.code }, 'peer disconnected');
      this.safely(() => this.peerManager.disconnected(info.id, reason));
    }
  }

  private forget(conn: Connection): void {
    this.liveConnections.delete(conn);
  }

  // ---------------------------------------------------------------- eviction

  /** Disconnects whom the peer manager marks for eviction, then sleeps until it marks more. */
  private evictLoop(): Promise<void> {
    const signal = this.stopController.signal;
    return this.resilient('evict', async () => {
      for (let id = this.peerManager.evictNext(); id !== undefined; id = this.peerManager.evictNext()) {
        const peer = this.peers.get(id);
        if (peer === undefined) continue;
        this.metrics.evicted();
        this.logger.info({ peer: id }, 'evicting peer');
        peer.disconnect(new PeerwireError(ErrorCode.Closed, 'evicted', { action: 'transient' }));
      }
      await this.evictWake.wait(signal, this.clock);
    });
  }

  // ---------------------------------------------------------------- loop hygiene

  private resilient(loop: string, iteration: () => Promise<void | 'stop'>): Promise<void> {
    return runResilientLoop(iteration, {
      signal: this.stopController.signal,
      clock: this.clock,
      minRetryMs: this.options.loopRetryMinMs,
      maxRetryMs: this.options.loopRetryMaxMs,
      onFailure: (error) => {
        const typed = toPeerwireError(error);
        this.metrics.loopError(loop);
        this.logger.error(
          { loop, code: typed.code, err: typed.message },
          'router loop iteration failed; retrying',
        );
      },
    });
  }

  /** Calls into the peer manager; a failure there is logged and counted, never fatal to a loop. */
  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.metrics.loopError('peer-manager');
      this.logger.warn({ err: String(error) }, 'peer manager call failed');
    }
  }
}
