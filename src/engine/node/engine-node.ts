// An engine node: transports, one PeerManager, the Router and the address-exchange service, wired in
// the order they depend on each other, with one start() and one stop(). Wires and the command line
// build on it; tests and the `npm start` demo use it to run whole networks in one process.
//
// Lifecycle: `await EngineNode.create(options)` loads the peer store and starts listening (so the
// listen address is known before any handshake); services then open their channels; `start()` starts
// the router's loops; `stop()` unwinds in reverse and leaves no sockets, timers or listeners.

import { realClock, type Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import { formatNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import { NodeKey } from '../../core/node-key.ts';
import { PeerManager } from '../peers/peer-manager.ts';
import type { PeerPolicy } from '../peers/policy.ts';
import type { PeerStore } from '../peers/types.ts';
import {
  AddressExchange,
  jsonAddressExchangeCodec,
  type AddressExchangeMessage,
  type AddressExchangeOptions,
} from '../services/address-exchange.ts';
import type { Channel, ChannelOptions } from '../router/channel.ts';
import type { MessageCodec } from '../../core/message-codec.ts';
import { Router, type LocalInfoTemplate } from '../router/router.ts';
import type { RouterOptions } from '../router/router-options.ts';
import type { TrafficObserver } from '../router/traffic-observer.ts';
import type { Endpoint, Transport } from '../../transport/types.ts';

export interface EngineNodeOptions {
  /** Node identity; default a fresh Ed25519 key. */
  readonly key?: NodeKey;
  readonly transports: readonly Transport[];
  /** Endpoints to listen on, each served by the transport of its protocol. */
  readonly listen: readonly Endpoint[];
  /** Chain id or network name told to peers. */
  readonly network: string;
  readonly protocolVersion?: string;
  readonly userAgent?: string;
  /** Extra fields of our handshake info (a wire's own record). */
  readonly info?: Partial<LocalInfoTemplate>;
  readonly policy?: PeerPolicy;
  /** Where peers persist; the node owns it from now on and closes it in stop(). Default: in memory. */
  readonly store?: PeerStore;
  /** Always-redialed peers (highest score). */
  readonly persistentPeers?: readonly NodeAddress[];
  /** Addresses added to the store at start (seeds, bootstrap peers). */
  readonly bootstrap?: readonly NodeAddress[];
  readonly privatePeerIds?: readonly NodeId[];
  readonly router?: Partial<RouterOptions>;
  /** Address exchange settings (its codec defaults to the plain wire's JSON); `false` turns it off. */
  readonly addressExchange?: false | (Partial<AddressExchangeOptions> & { codec?: MessageCodec<AddressExchangeMessage> });
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The slice's traffic observer, for its network's own metrics. */
  readonly traffic?: TrafficObserver;
}

export class EngineNode {
  readonly key: NodeKey;
  readonly peerManager: PeerManager;
  readonly router: Router;
  readonly addressExchange: AddressExchange | undefined;
  readonly listenEndpoints: readonly Endpoint[];
  private readonly transports: readonly Transport[];
  private readonly store: PeerStore | undefined;
  private started = false;
  private stopped = false;

  private constructor(
    key: NodeKey,
    peerManager: PeerManager,
    router: Router,
    addressExchange: AddressExchange | undefined,
    transports: readonly Transport[],
    listenEndpoints: readonly Endpoint[],
    store: PeerStore | undefined,
  ) {
    this.store = store;
    this.key = key;
    this.peerManager = peerManager;
    this.router = router;
    this.addressExchange = addressExchange;
    this.transports = transports;
    this.listenEndpoints = listenEndpoints;
  }

  get id(): NodeId {
    return this.key.id;
  }

  /** The address other nodes dial us at (`id@host:port` or `id@memory:name`). */
  get address(): NodeAddress {
    const first = this.listenEndpoints[0];
    if (first === undefined) throw new Error('node does not listen');
    return { protocol: first.protocol, id: this.key.id, host: first.host, port: first.port };
  }

  static async create(options: EngineNodeOptions): Promise<EngineNode> {
    const key = options.key ?? NodeKey.generate();
    const clock = options.clock ?? realClock;
    const logger = (options.logger ?? silentLogger).child({ node: key.id.slice(0, 8) });
    const metrics = options.metrics ?? noopMetrics;
    const peerManager = new PeerManager({
      selfId: key.id,
      clock,
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.persistentPeers === undefined ? {} : { persistentPeers: options.persistentPeers }),
      ...(options.privatePeerIds === undefined ? {} : { privatePeerIds: options.privatePeerIds }),
      ...(options.random === undefined ? {} : { random: options.random }),
      logger,
      metrics,
    });
    await peerManager.start();
    for (const address of options.bootstrap ?? []) peerManager.add(address);

    const listenEndpoints: Endpoint[] = [];
    try {
      for (const endpoint of options.listen) {
        const transport = options.transports.find((t) => t.protocols.includes(endpoint.protocol));
        if (transport === undefined) throw new Error(`no transport serves ${endpoint.protocol}`);
        listenEndpoints.push(await transport.listen(endpoint));
      }
    } catch (error) {
      await Promise.allSettled(options.transports.map((t) => t.close()));
      await peerManager.stop();
      await options.store?.close();
      throw error;
    }
    const first = listenEndpoints[0];
    const listenAddress =
      first === undefined ? undefined : formatNodeAddress({ protocol: first.protocol, id: key.id, host: first.host, port: first.port });
    const router = new Router({
      key,
      info: {
        protocolVersion: options.protocolVersion ?? '1',
        network: options.network,
        ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
        ...(listenAddress === undefined ? {} : { listenAddress }),
        ...options.info,
      },
      peerManager,
      transports: options.transports,
      ...(options.router === undefined ? {} : { options: options.router }),
      clock,
      logger,
      metrics,
      ...(options.traffic === undefined ? {} : { traffic: options.traffic }),
    });
    let addressExchange: AddressExchange | undefined;
    if (options.addressExchange !== false) {
      addressExchange = new AddressExchange(
        { router, peerManager, clock, ...(options.random === undefined ? {} : { random: options.random }), logger, metrics },
        { codec: jsonAddressExchangeCodec, ...options.addressExchange },
      );
      addressExchange.open();
    }
    return new EngineNode(key, peerManager, router, addressExchange, options.transports, listenEndpoints, options.store);
  }

  openChannel<T>(id: number, codec: MessageCodec<T>, options?: ChannelOptions): Channel<T> {
    return this.router.openChannel(id, codec, options);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.router.start();
    this.addressExchange?.start();
  }

  /** Stops services, the router (and with it the transports), then persists the peer store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.addressExchange?.stop();
    await this.router.stop();
    await Promise.allSettled(this.transports.map((t) => t.close()));
    await this.peerManager.stop();
    await this.store?.close();
  }
}
