// The simulated internet's wiring: a registry of listening simulated hosts and the links between
// them. A SimCarrier serves the `tcp` protocol, so the router, the wires and the policies see
// ordinary TCP endpoints (`77.88.1.2:26656`), but its links are MemoryLinks shaped by the region
// model (delay, bandwidth, loss), timed by the simulation's scheduler, and never touch a socket.
// Dialing costs one round trip; a listening host refuses at once when nothing listens on the port;
// a host that is down (crashed, or cut off by a partition) never answers, so the dial runs into its
// deadline, as a real SYN to a dead host does.

import { throwIfAborted } from '../core/abort.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { resolveLinkOptions, type ByteLink, type ResolvedLinkOptions } from '../transport/byte-link.ts';
import { AcceptBacklog, DEFAULT_ACCEPT_BACKLOG, type Carrier } from '../transport/carrier.ts';
import { TCP_PROTOCOL, tcpEndpoint } from '../transport/endpoint.ts';
import type { LinkFaults } from '../transport/memory-faults.ts';
import { MemoryLink } from '../transport/memory-link.ts';
import type { Endpoint } from '../transport/types.ts';
import { EventKind, type EventLog } from './event-log.ts';
import type { LinkModel, ModelledNode } from './region-model.ts';
import type { SimScheduler } from './scheduler.ts';

/** Ephemeral ports of outbound connections: the IANA dynamic range 49152–65535. */
const EPHEMERAL_BASE = 49_152;
const EPHEMERAL_COUNT = 16_384;

/** A simulated host: its address and its place in the model. */
export interface SimHost extends ModelledNode {
  readonly index: number;
  readonly ip: string;
}

/** One live link, for partitions and link counts. */
interface LiveLink {
  readonly a: SimHost;
  readonly b: SimHost;
  readonly dialer: MemoryLink;
  readonly listener: MemoryLink;
}

export class SimNetwork {
  readonly scheduler: SimScheduler;
  private readonly model: LinkModel;
  private readonly random: Random;
  private readonly log: EventLog;
  private readonly listeners = new Map<string, SimCarrier>();
  private readonly live = new Set<LiveLink>();
  /** Hosts that are down: dials to them hang until their deadline. */
  private readonly down = new Set<number>();
  /** Pairs of region sets that cannot reach each other (a partition): a predicate on two hosts. */
  private blocked: ((a: SimHost, b: SimHost) => boolean) | undefined;
  /** Write units lost to the model's loss. */
  lostWrites = 0;
  /** Links opened so far. */
  linksOpened = 0;

  constructor(scheduler: SimScheduler, model: LinkModel, random: Random, log: EventLog) {
    this.scheduler = scheduler;
    this.model = model;
    this.random = random;
    this.log = log;
  }

  /** A carrier for `host`, serving `tcp`. */
  carrier(host: SimHost): SimCarrier {
    return new SimCarrier(this, host);
  }

  /** Marks a host up or down (a crashed machine answers nothing). */
  setDown(host: SimHost, down: boolean): void {
    if (down) this.down.add(host.index);
    else this.down.delete(host.index);
  }

  /** Cuts every live link the predicate blocks and blocks new ones; `undefined` heals. */
  partition(blocked: ((a: SimHost, b: SimHost) => boolean) | undefined): number {
    this.blocked = blocked;
    if (blocked === undefined) return 0;
    let cut = 0;
    for (const link of [...this.live]) {
      if (!blocked(link.a, link.b)) continue;
      const reason = new PeerwireError(ErrorCode.ConnectionFailed, 'link cut by a partition', { action: 'transient' });
      link.dialer.sever(reason);
      link.listener.sever(reason);
      cut++;
    }
    return cut;
  }

  /** Live links now. */
  get liveLinks(): number {
    return this.live.size;
  }

  /** @internal */
  listen(key: string, carrier: SimCarrier): void {
    if (this.listeners.has(key)) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `${key} is already listened on`, { action: 'transient' });
    }
    this.listeners.set(key, carrier);
  }

  /** @internal */
  unlisten(key: string, carrier: SimCarrier): void {
    if (this.listeners.get(key) === carrier) this.listeners.delete(key);
  }

  /** @internal How a dial to `to` ends: the listener, 'refused', or 'silent' (host down or unreachable). */
  target(from: SimHost, to: Endpoint): SimCarrier | 'refused' | 'silent' {
    const listener = this.listeners.get(`${to.host}:${to.port}`);
    if (listener === undefined) return 'refused';
    if (this.down.has(listener.host.index) || this.blocked?.(from, listener.host) === true) return 'silent';
    return listener;
  }

  /** @internal RTT between two hosts in ms. */
  rttMs(a: SimHost, b: SimHost): number {
    return this.model.rttMs(a, b);
  }

  /** @internal Opens the link pair: returns the dialer's end, hands the listener its end. */
  connect(from: SimCarrier, to: SimCarrier, toEndpoint: Endpoint, port: number): MemoryLink {
    const faults: LinkFaults = this.model.faults(from.host, to.host);
    const env = {
      clock: this.scheduler,
      random: this.random,
      faults: () => faults,
      onLoss: () => {
        this.lostWrites++;
      },
    };
    const [dialer, listener] = MemoryLink.pair(
      tcpEndpoint(from.host.ip, port),
      toEndpoint,
      from.linkOptions,
      to.linkOptions,
      env,
    );
    const entry: LiveLink = { a: from.host, b: to.host, dialer, listener };
    this.live.add(entry);
    this.linksOpened++;
    let open = 2;
    const forget = (): void => {
      if (--open === 0) this.live.delete(entry);
    };
    void dialer.closed.then(forget);
    void listener.closed.then(forget);
    this.log.record(EventKind.Connect, from.host.index, to.host.index, this.scheduler.now());
    to.incoming(listener);
    return dialer;
  }

  /** @internal */
  refused(from: SimHost, to: Endpoint): void {
    this.log.record(EventKind.Refused, from.index, to.port, this.scheduler.now());
  }
}

/** A Carrier for one simulated host (see the file comment). */
export class SimCarrier implements Carrier {
  readonly protocols: readonly string[] = [TCP_PROTOCOL];
  readonly host: SimHost;
  readonly linkOptions: ResolvedLinkOptions = resolveLinkOptions();
  private readonly network: SimNetwork;
  private readonly backlog = new AcceptBacklog(DEFAULT_ACCEPT_BACKLOG, TCP_PROTOCOL);
  private readonly keys: string[] = [];
  private readonly endpoints: Endpoint[] = [];
  private readonly links = new Set<MemoryLink>();
  private nextPort = 0;
  private closed = false;

  constructor(network: SimNetwork, host: SimHost) {
    this.network = network;
    this.host = host;
  }

  listen(endpoint: Endpoint): Promise<Endpoint> {
    if (this.closed) return Promise.reject(closedError());
    const bound = tcpEndpoint(this.host.ip, endpoint.port);
    const key = `${bound.host}:${bound.port}`;
    this.network.listen(key, this);
    this.keys.push(key);
    this.endpoints.push(bound);
    return Promise.resolve(bound);
  }

  listenEndpoints(): readonly Endpoint[] {
    return this.endpoints;
  }

  accept(signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) return Promise.reject(closedError());
    return this.backlog.next(signal);
  }

  async dial(endpoint: Endpoint, signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) throw closedError();
    throwIfAborted(signal);
    const target = this.network.target(this.host, endpoint);
    if (target === 'silent') {
      // No SYN-ACK ever comes: wait for the caller's deadline.
      await this.network.scheduler.sleep(Number.MAX_SAFE_INTEGER / 2, signal);
    }
    if (target === 'refused') {
      // A RST comes back after one round trip; without a known host, use a typical 100 ms.
      await this.network.scheduler.sleep(100, signal);
      this.network.refused(this.host, endpoint);
      throw new PeerwireError(ErrorCode.ConnectionFailed, `ECONNREFUSED ${endpoint.host}:${endpoint.port}`, {
        action: 'transient',
      });
    }
    const listener = target as SimCarrier;
    // TCP's SYN / SYN-ACK: one round trip before the dialer may write.
    await this.network.scheduler.sleep(this.network.rttMs(this.host, listener.host), signal);
    if (this.closed) throw closedError();
    // The listener may have gone (or the route broken) during the round trip.
    const now = this.network.target(this.host, endpoint);
    if (now !== listener) {
      throw new PeerwireError(ErrorCode.ConnectionFailed, `connection to ${endpoint.host}:${endpoint.port} failed`, {
        action: 'transient',
      });
    }
    const port = EPHEMERAL_BASE + (this.nextPort++ % EPHEMERAL_COUNT);
    return this.track(this.network.connect(this, listener, tcpEndpoint(endpoint.host, endpoint.port), port));
  }

  /** @internal Called by the network with the listener's end of a new link. */
  incoming(link: MemoryLink): void {
    if (this.closed) {
      link.close(closedError());
      return;
    }
    this.backlog.offer(this.track(link));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const key of this.keys) this.network.unlisten(key, this);
    this.backlog.close();
    for (const link of [...this.links]) link.close(closedError());
    return Promise.resolve();
  }

  /** Severs every link at once, as a crash does (no FIN is flushed first). */
  crash(): void {
    const reason = new PeerwireError(ErrorCode.ConnectionFailed, 'host crashed', { action: 'transient' });
    for (const link of [...this.links]) link.sever(reason);
  }

  private track(link: MemoryLink): MemoryLink {
    this.links.add(link);
    void link.closed.then(() => this.links.delete(link));
    return link;
  }
}

function closedError(): PeerwireError {
  return new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' });
}
