// Address exchange: how nodes learn about each other. On a channel of its own, a node asks each new
// outbound peer (and, while below its target, a random peer now and then) for addresses; answers come from
// PeerManager.advertise and everything learned goes to the peer manager's store. The rules are
// CometBFT's PEX rules, which are the strict ones worth keeping for any wire: requests to one peer
// are spaced out, an answer we did not ask for is a ban, a peer asking too often is a ban (its first
// two requests are free, as in Go), answers are capped, and our own ID in an answer is ignored. A
// guest (a newcomer let in while we are full, engine/peers/guests.ts) is answered once and closed,
// as a seed node treats every inbound peer. The
// CometBFT wire plugs its protobuf PexRequest/PexAddrs codec into this same service.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { realClock, type Clock } from '../../core/clock.ts';
import { randomBelow, type Random } from '../../core/random.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Counter, type Metrics } from '../../core/metrics.ts';
import { formatNodeAddress, parseNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { PeerManagerApi, PeerUpdate } from '../peers/types.ts';
import { guestEndError } from '../peers/peer-errors.ts';
import type { Channel, ChannelOptions } from '../router/channel.ts';
import type { MessageCodec } from '../../core/message-codec.ts';
import type { Router } from '../router/router.ts';

export type AddressExchangeMessage =
  { readonly kind: 'request' } | { readonly kind: 'addresses'; readonly addresses: readonly NodeAddress[] };

export interface AddressExchangeOptions {
  /** Channel id (CometBFT PEX: 0x00). */
  readonly channelId: number;
  readonly codec: MessageCodec<AddressExchangeMessage>;
  /** Least time between our requests to one peer (ms; CometBFT: 30 s). */
  readonly requestIntervalMs: number;
  /** A peer asking again sooner than this is banned (ms; CometBFT: 10 s, a third of the ensure period). */
  readonly minInboundRequestIntervalMs: number;
  /** Requests a peer may make before the interval applies (CometBFT: 2, the first two are free). */
  readonly freeInboundRequests: number;
  /** Addresses per answer, both ways (CometBFT: 250; more in an answer is misbehaviour). */
  readonly maxAddresses: number;
  /** How often to ask a random peer while below `targetPeers` (ms). */
  readonly crawlIntervalMs: number;
  /** Keep asking while fewer peers than this are connected. */
  readonly targetPeers: number;
  /** Seed mode: answer a request, then disconnect the asker (CometBFT seed nodes). */
  readonly seedMode: boolean;
  /** Length of a ban for protocol violations (ms; CometBFT: 24 h). */
  readonly banMs: number;
  /** The channel's descriptor (CometBFT's PEX channel: priority 1, queue 10, 64,000-byte messages). */
  readonly channel: ChannelOptions;
}

export const DEFAULT_ADDRESS_EXCHANGE: Omit<AddressExchangeOptions, 'codec'> = {
  channelId: 0x00,
  requestIntervalMs: 30_000,
  minInboundRequestIntervalMs: 10_000,
  freeInboundRequests: 2,
  maxAddresses: 250,
  crawlIntervalMs: 30_000,
  targetPeers: 10,
  seedMode: false,
  banMs: 24 * 60 * 60 * 1000,
  channel: {
    priority: 1,
    sendQueueCapacity: 10,
    recvQueueCapacity: 128,
    recvMessageCapacity: 64_000,
    overflow: 'drop-newest',
  },
};

/**
 * Requests to one peer in flight at once. One lapsed request may be followed by one more (it may have
 * been lost with a replaced connection); more would only pile up on a stalled link.
 */
const MAX_OUTSTANDING_REQUESTS = 2;

interface PeerExchangeState {
  readonly inbound: boolean;
  /** A guest (engine/peers/guests.ts): we are full; answer it once, then close it; never ask it. */
  readonly guest: boolean;
  /** When we last asked this peer; an answer is solicited only while a request is outstanding. */
  lastRequestSent: number;
  /** Our requests not answered yet (at most MAX_OUTSTANDING_REQUESTS). */
  outstanding: number;
  /** The peer asked us something since our last request: the link carries traffic, it is not stalled. */
  heardSinceRequest: boolean;
  inboundRequests: number;
  lastInboundRequest: number;
  /** The accepted request before that one: the rate is judged over two intervals (see onRequest). */
  previousInboundRequest: number;
}

export interface AddressExchangeDeps {
  readonly router: Router;
  readonly peerManager: PeerManagerApi;
  readonly clock?: Clock;
  /** Picks the peer a crawl asks. Default Math.random. */
  readonly random?: Random;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export class AddressExchange {
  private readonly options: AddressExchangeOptions;
  private readonly router: Router;
  private readonly peerManager: PeerManagerApi;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly logger: Logger;
  private readonly learned: Counter;
  private readonly violations: Counter;
  /** One entry per connected peer, removed when it goes down: bounded by the connection limit. */
  private readonly peers = new Map<NodeId, PeerExchangeState>();
  private channel: Channel<AddressExchangeMessage> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly stopController = new AbortController();
  private tasks: Promise<void>[] = [];

  constructor(
    deps: AddressExchangeDeps,
    options: Partial<AddressExchangeOptions> & Pick<AddressExchangeOptions, 'codec'>,
  ) {
    this.options = { ...DEFAULT_ADDRESS_EXCHANGE, ...options };
    this.router = deps.router;
    this.peerManager = deps.peerManager;
    this.clock = deps.clock ?? realClock;
    this.random = deps.random ?? Math.random;
    this.logger = (deps.logger ?? silentLogger).child({ component: 'address-exchange' });
    const metrics = deps.metrics ?? noopMetrics;
    this.learned = metrics.counter({
      name: 'peerwire_pex_addresses_learned_total',
      help: 'Addresses received in answers and stored',
    });
    this.violations = metrics.counter({
      name: 'peerwire_pex_violations_total',
      help: 'Address-exchange protocol violations, by kind',
      labelNames: ['kind'],
    });
  }

  /** Opens the channel (call before router.start() so the channel is advertised). */
  open(): void {
    this.channel = this.router.openChannel(this.options.channelId, this.options.codec, this.options.channel);
  }

  start(): void {
    if (this.channel === undefined) this.open();
    this.unsubscribe = this.router.subscribe((update) => this.onPeerUpdate(update));
    this.tasks = [this.receiveLoop(), this.crawlLoop()];
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopController.abort();
    this.channel?.close();
    await Promise.allSettled(this.tasks);
    this.peers.clear();
  }

  private onPeerUpdate(update: PeerUpdate): void {
    if (update.status === 'down') {
      this.peers.delete(update.id);
      return;
    }
    if (update.info !== undefined && !update.info.channels.includes(this.options.channelId)) return;
    this.rememberListenAddress(update);
    const guest = update.guest === true;
    this.peers.set(update.id, {
      inbound: update.direction === 'inbound',
      guest,
      lastRequestSent: -Infinity,
      outstanding: 0,
      heardSinceRequest: false,
      inboundRequests: 0,
      lastInboundRequest: -Infinity,
      previousInboundRequest: -Infinity,
    });
    // Only a peer we dialed is asked right away, and only while our store has room for more addresses,
    // as CometBFT's PEX reactor does (AddPeer: outbound and NeedMoreAddrs). An outbound peer is one we
    // chose, an inbound one chose us (it could be anyone), so it only gets asked by the crawl, if we are
    // short of peers. Asking inbound peers too doubled the address traffic of every new connection, and
    // asking with a full store only churned it (each answer's new addresses pruned others away).
    if (!this.options.seedMode && !guest && update.direction !== 'inbound' && this.peerManager.needsAddresses()) {
      void this.requestFrom(update.id);
    }
  }

  /**
   * A peer's self-reported listen address goes into the store with the peer as its source, as CometBFT's
   * PEX reactor does for inbound peers, so it can be advertised to others. It is only accepted when it
   * names the peer's own authenticated ID; an address without an ID takes the connection's ID.
   */
  private rememberListenAddress(update: PeerUpdate): void {
    const text = update.info?.listenAddress;
    if (text === undefined || text.length === 0) return;
    let address: NodeAddress;
    try {
      address = parseNodeAddress(text);
    } catch {
      return;
    }
    if (address.id !== undefined && address.id !== update.id) return;
    this.peerManager.add(address.id === undefined ? { ...address, id: update.id } : address, update.id);
  }

  private async requestFrom(peer: NodeId): Promise<void> {
    const state = this.peers.get(peer);
    const channel = this.channel;
    if (state === undefined || channel === undefined) return;
    const now = this.clock.now();
    // An unanswered request lapses after the interval (it may have been lost with a connection that a
    // duplicate replaced, which sends no down/up events): asking again must stay possible.
    if (now - state.lastRequestSent < this.options.requestIntervalMs) return;
    // Ask again while a request is unanswered only when the peer has shown the link is alive: on a
    // stalled link (a partition, a long loss burst) new requests would queue behind the first and
    // arrive together when it recovers, which the peer must treat as asking too often (found by the
    // network lab's partition scenario: both sides banned each other after healing).
    if (state.outstanding > 0 && (!state.heardSinceRequest || state.outstanding >= MAX_OUTSTANDING_REQUESTS)) return;
    state.lastRequestSent = now;
    state.outstanding++;
    state.heardSinceRequest = false;
    try {
      await channel.send({ to: peer, message: { kind: 'request' } });
    } catch {
      // the peer went away; its state is dropped by the down event
    }
  }

  private async receiveLoop(): Promise<void> {
    const channel = this.channel;
    if (channel === undefined) return;
    for await (const envelope of channel) {
      try {
        if (envelope.message.kind === 'request') await this.onRequest(envelope.from);
        else this.onAddresses(envelope.from, envelope.message.addresses);
      } catch (error) {
        this.logger.warn({ peer: envelope.from, err: String(error) }, 'address exchange message failed');
      }
    }
  }

  private async onRequest(from: NodeId): Promise<void> {
    const state = this.peers.get(from);
    const channel = this.channel;
    if (state === undefined || channel === undefined) return;
    const now = this.clock.now();
    state.inboundRequests++;
    if (
      state.inboundRequests > this.options.freeInboundRequests &&
      // Two intervals over the last three requests, not one between the last two: a pair that arrives
      // together because our event loop or the link stalled (the network lab saw this on a loaded
      // machine) is tolerated; a peer that keeps asking faster than the interval is still caught.
      now - state.previousInboundRequest < 2 * this.options.minInboundRequestIntervalMs
    ) {
      this.violation(from, 'request-too-soon', `asked three times in ${now - state.previousInboundRequest} ms`);
      return;
    }
    state.previousInboundRequest = state.lastInboundRequest;
    state.lastInboundRequest = now;
    state.heardSinceRequest = true;
    const addresses = this.peerManager.advertise(from, this.options.maxAddresses);
    await channel.send({ to: from, message: { kind: 'addresses', addresses } });
    if (state.guest || (this.options.seedMode && state.inbound)) {
      // A seed answers an inbound crawler and hangs up (once the answer is written), freeing the slot
      // for the next crawler; a full node does the same for a guest (engine/peers/guests.ts).
      const reason = state.guest
        ? guestEndError('answered')
        : new PeerwireError(ErrorCode.Closed, 'seed answered', { action: 'transient' });
      this.router.disconnect(from, reason, { afterFlush: true });
    }
  }

  private onAddresses(from: NodeId, addresses: readonly NodeAddress[]): void {
    const state = this.peers.get(from);
    if (state === undefined) return;
    if (state.outstanding === 0) {
      this.violation(from, 'unsolicited-answer', 'sent addresses we did not ask for');
      return;
    }
    state.outstanding--;
    if (addresses.length > this.options.maxAddresses) {
      this.violation(from, 'too-many-addresses', `sent ${addresses.length} addresses`);
      return;
    }
    const selfId = this.peerManager.selfId;
    const added = this.peerManager.addAll(
      addresses.filter((a) => a.id === undefined || a.id !== selfId),
      from,
    );
    this.learned.inc(undefined, added);
    this.logger.debug({ peer: from, received: addresses.length, added }, 'addresses received');
  }

  private violation(peer: NodeId, kind: string, message: string): void {
    this.violations.inc({ kind });
    this.channel?.reportError({
      peer,
      error: new PeerwireError('ERR_PEX_VIOLATION', `${kind}: ${message}`, {
        action: 'ban',
        details: { kind },
      }),
    });
  }

  /** While below target, asks a random connected peer for more addresses every crawl interval. */
  private async crawlLoop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.options.crawlIntervalMs, signal);
      } catch {
        return;
      }
      if (this.options.seedMode || this.peers.size >= this.options.targetPeers) continue;
      const ids = [...this.peers].filter(([, state]) => !state.guest).map(([id]) => id);
      const pick = ids[randomBelow(this.random, ids.length)];
      if (pick !== undefined) await this.requestFrom(pick);
    }
  }
}

/** Address text helpers for codecs that carry addresses as strings. */
export function addressesToText(addresses: readonly NodeAddress[]): string[] {
  return addresses.map(formatNodeAddress);
}

/** Parses address strings from a remote answer, skipping (not failing on) invalid entries. */
export function addressesFromText(texts: readonly unknown[], maxEntries: number): NodeAddress[] {
  if (texts.length > maxEntries) {
    throw new PeerwireError(
      ErrorCode.Malformed,
      `answer carries ${texts.length} addresses, more than ${maxEntries}`,
    );
  }
  const out: NodeAddress[] = [];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    try {
      out.push(parseNodeAddress(text));
    } catch {
      // one bad entry does not spoil the rest
    }
  }
  return out;
}

/** A JSON codec for the plain wire's address exchange (bounded by the channel's message capacity). */
export const jsonAddressExchangeCodec: MessageCodec<AddressExchangeMessage> = {
  encode: (message) =>
    Buffer.from(
      JSON.stringify(
        message.kind === 'request' ? { t: 'req' } : { t: 'addrs', a: addressesToText(message.addresses) },
      ),
    ),
  decode: (bytes) => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (error) {
      throw new PeerwireError(ErrorCode.Malformed, 'address exchange message is not JSON', { cause: error });
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as { t?: unknown; a?: unknown };
      if (record.t === 'req') return { kind: 'request' };
      if (record.t === 'addrs' && Array.isArray(record.a)) {
        return {
          kind: 'addresses',
          addresses: addressesFromText(record.a, DEFAULT_ADDRESS_EXCHANGE.maxAddresses * 4),
        };
      }
    }
    throw new PeerwireError(ErrorCode.Malformed, 'unknown address exchange message');
  },
};
