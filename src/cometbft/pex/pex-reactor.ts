// CometBFT's peer exchange (docs/protocols/cometbft.md §5.2-5.3) as the generic AddressExchange service with
// the PEX codec on channel 0x00 and CometBFT's exact rules: we ask a peer at most every 30 s and never
// send an answer nobody asked for; answers carry at most 250 addresses from PeerManager.advertise;
// our own ID in an answer is ignored; an unsolicited answer, or a request less than 10 s after that
// peer's previous one (its first two are free), bans the peer for 24 h (the ban length is the peer
// policy's, CometBFT's 24 h by default); everything learned goes to the peer store through
// peerManager.add, including an inbound peer's self-reported listen address (Go adds it to its book on
// AddPeer; the policy decides whether it is admissible). In seed mode the node answers, then
// disconnects once the answer is written.

import type { PeerUpdate } from '../../engine/peers/types.ts';
import {
  AddressExchange,
  DEFAULT_ADDRESS_EXCHANGE,
  type AddressExchangeDeps,
  type AddressExchangeOptions,
} from '../../engine/services/address-exchange.ts';
import { PEX_CHANNEL } from '../wire/standard-channels.ts';
import { cometbftAddress } from '../wire/transport.ts';
import { pexCodec } from './pex-codec.ts';

/** Least time between our PexRequests to one peer: 30 s (Go's ensurePeersPeriod; docs/protocols/cometbft.md §5.3). */
export const PEX_REQUEST_INTERVAL_MS = 30_000;
/** A peer's request sooner than this after its previous one is a violation: 10 s (ensurePeersPeriod / 3). */
export const PEX_MIN_INBOUND_REQUEST_INTERVAL_MS = 10_000;
/** Requests a peer may make before the interval applies: Go's tracker starts at zero, so two. */
export const PEX_FREE_INBOUND_REQUESTS = 2;
/** Most addresses in one answer (Go's GetSelection cap). */
export const PEX_MAX_ADDRESSES = 250;
/** How long a PEX violation bans the peer: 24 h (Go's defaultBanTime). */
export const PEX_BAN_MS = 24 * 60 * 60 * 1000;

export type CometbftPexOptions = Partial<
  Pick<AddressExchangeOptions, 'seedMode' | 'targetPeers' | 'crawlIntervalMs' | 'requestIntervalMs'>
>;

/** CometBFT's rules, on top of the service defaults (docs/protocols/cometbft.md §5.3). */
export const COMETBFT_PEX_RULES: Omit<AddressExchangeOptions, 'codec'> = {
  ...DEFAULT_ADDRESS_EXCHANGE,
  channelId: PEX_CHANNEL.id,
  requestIntervalMs: PEX_REQUEST_INTERVAL_MS,
  minInboundRequestIntervalMs: PEX_MIN_INBOUND_REQUEST_INTERVAL_MS,
  freeInboundRequests: PEX_FREE_INBOUND_REQUESTS,
  maxAddresses: PEX_MAX_ADDRESSES,
  banMs: PEX_BAN_MS,
};

/** The PEX reactor of a CometBFT node: the address-exchange service plus the inbound-peer rule. */
export class CometbftPex {
  readonly exchange: AddressExchange;
  private readonly deps: AddressExchangeDeps;
  private unsubscribe: (() => void) | undefined;

  constructor(deps: AddressExchangeDeps, options: CometbftPexOptions = {}) {
    this.deps = deps;
    this.exchange = new AddressExchange(deps, {
      ...COMETBFT_PEX_RULES,
      ...options,
      requestIntervalMs: Math.max(
        PEX_REQUEST_INTERVAL_MS,
        options.requestIntervalMs ?? PEX_REQUEST_INTERVAL_MS,
      ),
      codec: pexCodec,
    });
  }

  /** Opens channel 0x00 (call before router.start() so it is advertised). */
  open(): void {
    this.exchange.open();
  }

  start(): void {
    this.unsubscribe = this.deps.router.subscribe((update) => this.onPeerUpdate(update));
    this.exchange.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.exchange.stop();
  }

  /** An inbound peer's self-reported listen address goes to the book, with the peer as its source. */
  private onPeerUpdate(update: PeerUpdate): void {
    if (update.status !== 'up' || update.direction !== 'inbound') return;
    const text = update.info?.listenAddress;
    if (text === undefined) return;
    try {
      const address = cometbftAddress(text);
      if (address.id === update.id) this.deps.peerManager.add(address, update.id);
    } catch {
      // an unparsable listen address is simply not dialable; NodeInfo validation already vetted it
    }
  }
}

/**
 * The PEX reactor of a CometBFT node. `seedMode` (default false) answers and hangs up; `targetPeers`
 * and `crawlIntervalMs` steer the periodic asking; `requestIntervalMs` may only be raised (a Go peer
 * bans us below 10 s), and is clamped to at least 30 s.
 */
export function cometbftPex(deps: AddressExchangeDeps, options: CometbftPexOptions = {}): CometbftPex {
  return new CometbftPex(deps, options);
}
