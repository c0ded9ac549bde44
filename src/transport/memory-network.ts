// An in-process network for tests and simulations: one per test (never global), where memory carriers
// listen by name (`memory:name`) and dial each other. Every connection is a MemoryLinkPair the test can
// find (`links()`), reshape (`setFaults`) or sever (`cut()`); the network's default faults apply to
// links that have none of their own. Time comes from an injected Clock (ManualClock makes delays and
// bandwidth caps deterministic), randomness from an injected source (reproducible loss).

import { realClock, type Clock } from '../core/clock.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { noopMetrics, type Counter, type Metrics } from '../core/metrics.ts';
import type { ResolvedLinkOptions } from './byte-link.ts';
import { memoryEndpoint } from './endpoint.ts';
import { TransportErrorCode } from './errors.ts';
import { checkFaults, NO_FAULTS, type LinkFaults } from './memory-faults.ts';
import { MemoryLink, type LinkEnvironment } from './memory-link.ts';
import type { Endpoint } from './types.ts';

export interface MemoryNetworkOptions {
  /** Faults of every link without its own. Default: none. */
  readonly faults?: LinkFaults;
  /** Uniform random numbers in [0, 1) for loss. Default Math.random; pass a seeded one for replays. */
  readonly random?: () => number;
  /** Time for delays, bandwidth and linger. Default: the real clock. */
  readonly clock?: Clock;
  /** Default: no metrics. */
  readonly metrics?: Metrics;
}

/** A listener registered under a name: how the network hands it a new inbound link. */
export interface MemoryListener {
  readonly linkOptions: ResolvedLinkOptions;
  incoming(link: MemoryLink): void;
}

/** One connection of the network: both ends and their shared faults. */
export class MemoryLinkPair {
  readonly dialer: MemoryLink;
  readonly listener: MemoryLink;
  private own: LinkFaults | undefined;
  private readonly network: MemoryNetwork;

  constructor(
    network: MemoryNetwork,
    dialerEnd: Endpoint,
    listenerEnd: Endpoint,
    dialerOptions: ResolvedLinkOptions,
    listenerOptions: ResolvedLinkOptions,
  ) {
    this.network = network;
    const env: LinkEnvironment = {
      clock: network.clock,
      random: network.random,
      faults: () => this.own ?? network.faults,
      onLoss: (bytes) => network.recordLoss(bytes),
    };
    [this.dialer, this.listener] = MemoryLink.pair(
      dialerEnd,
      listenerEnd,
      dialerOptions,
      listenerOptions,
      env,
    );
  }

  /** The faults in force for this link (its own, or the network's defaults). */
  get faults(): LinkFaults {
    return this.own ?? this.network.faults;
  }

  /** Replaces this link's faults (both directions); undefined returns to the network's defaults. */
  setFaults(faults: LinkFaults | undefined): void {
    this.own = faults === undefined ? undefined : checkFaults(faults);
  }

  get isClosed(): boolean {
    return this.dialer.isClosed && this.listener.isClosed;
  }

  /** Severs the link now: both ends close with ERR_CONNECTION_FAILED; bytes in flight are lost. */
  cut(): void {
    const reason = new PeerwireError(ErrorCode.ConnectionFailed, 'link cut', { action: 'transient' });
    this.dialer.sever(reason);
    this.listener.sever(reason);
  }
}

export class MemoryNetwork {
  readonly clock: Clock;
  readonly random: () => number;
  private defaults: LinkFaults;
  private readonly listeners = new Map<string, MemoryListener>();
  private readonly pairs = new Set<MemoryLinkPair>();
  private readonly lost: Counter;
  private lostWrites = 0;
  private sequence = 0;
  private anonymous = 0;

  constructor(options: MemoryNetworkOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.defaults = checkFaults(options.faults ?? NO_FAULTS);
    this.lost = (options.metrics ?? noopMetrics).counter({
      name: 'peerwire_transport_memory_lost_writes_total',
      help: 'Write units discarded by simulated loss on memory links.',
    });
  }

  /** Faults applied to links without their own. */
  get faults(): LinkFaults {
    return this.defaults;
  }

  setFaults(faults: LinkFaults): void {
    this.defaults = checkFaults(faults);
  }

  /** Write units discarded by loss so far. */
  get lostWriteCount(): number {
    return this.lostWrites;
  }

  /** Registers a listener; throws ERR_TRANSPORT_ADDRESS_IN_USE when the name is taken. */
  listen(name: string, listener: MemoryListener): void {
    if (this.listeners.has(name)) {
      throw new PeerwireError(TransportErrorCode.AddressInUse, `memory:${name} is already listened on`, {
        action: 'transient',
      });
    }
    this.listeners.set(name, listener);
  }

  unlisten(name: string, listener: MemoryListener): void {
    if (this.listeners.get(name) === listener) this.listeners.delete(name);
  }

  /**
   * Connects `fromName` to the listener named `toName` and returns the dialer's end (the listener gets
   * the other). Throws ERR_CONNECTION_FAILED when nobody listens there, as TCP's ECONNREFUSED.
   */
  connect(fromName: string, toName: string, dialerOptions: ResolvedLinkOptions): MemoryLink {
    const listener = this.listeners.get(toName);
    if (listener === undefined) {
      throw new PeerwireError(
        ErrorCode.ConnectionFailed,
        `ECONNREFUSED: no memory listener named ${toName}`,
        {
          action: 'transient',
        },
      );
    }
    const pair = new MemoryLinkPair(
      this,
      memoryEndpoint(fromName, ++this.sequence),
      memoryEndpoint(toName),
      dialerOptions,
      listener.linkOptions,
    );
    this.pairs.add(pair);
    const forget = (): void => {
      if (pair.isClosed) this.pairs.delete(pair);
    };
    void pair.dialer.closed.then(forget);
    void pair.listener.closed.then(forget);
    listener.incoming(pair.listener);
    return pair.dialer;
  }

  /** Live links, optionally only those with an end named `name` (dialer or listener). */
  links(name?: string): MemoryLinkPair[] {
    const out: MemoryLinkPair[] = [];
    for (const pair of this.pairs) {
      if (pair.isClosed) continue;
      if (
        name === undefined ||
        pair.dialer.localEndpoint.host === name ||
        pair.listener.localEndpoint.host === name
      ) {
        out.push(pair);
      }
    }
    return out;
  }

  /** Cuts every live link (of `name`, when given); returns how many. A partition in one call. */
  cut(name?: string): number {
    const victims = this.links(name);
    for (const pair of victims) pair.cut();
    return victims.length;
  }

  /** A fresh name for a carrier that dials without listening (`anon-1`, `anon-2`, ...). */
  anonymousName(): string {
    return `anon-${++this.anonymous}`;
  }

  /** Names listened on now. */
  listenNames(): string[] {
    return [...this.listeners.keys()];
  }

  /** @internal */
  recordLoss(_bytes: number): void {
    this.lostWrites++;
    this.lost.inc();
  }
}
