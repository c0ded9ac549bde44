// Tendermint v0.35's peer-management rules for the CometBFT wire (docs/protocols/cometbft.md §6.1),
// with the lessons of its failure applied (§6.2, §6.3):
// - scores: persistent peers 32767; otherwise the persisted mutable score (±1 per good/bad report)
//   minus the address dial failures, clamped to int16. Dialing walks the ranking best first, eviction
//   and pruning walk it worst first; ties in random order.
// - upgrades: when full, dial a better-scored peer, then evict the lowest-scored evictable one;
//   persistent peers are never evicted to make room. Beyond v0.35: every ~5 min while the outbound
//   side is full, one outbound slot rotates to a random fresh address (outbound-rotation.ts); and
//   while the inbound side is full a few newcomers are let in as guests, answered and closed (guests.ts).
// - backoff: exponential with caps (v0.35 was linear and its dialer far too slow; backoff.ts), a
//   short cooldown before redialing a peer that just went away; persistent peers retried forever with
//   a lower cap.
// - errors: 'ban' → disconnect and ban for banDuration; 'disconnect' → evict; 'transient' → score −1
//   (v0.35 disconnected on every reactor error).
// - the address book is strict (only routable addresses from gossip; operator-configured addresses are
//   trusted), at most one outbound connection per address group (IPv4 /16, IPv6 /32) against eclipse
//   attacks, and address exchange never shares private peers, the asker or unroutable addresses.
// `localNetworkProfile` relaxes exactly what a test network on one machine needs (CometBFT's own local
// testnets set allow_duplicate_ip and a non-strict address book); it is never the default.
// `labNetworkProfile` is for a lab of many hosts on private addresses (netlab): private addresses
// count as routable and are grouped by /16, so the real per-group rules apply, and nothing outside
// the private and loopback ranges is ever admitted, so a lab node cannot dial out of its lab.

import type { PeerwireError } from '../../core/errors.ts';
import { parseNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import { addressGroup, dialableInScope, isPrivateOrLoopback, isRoutable, type AddressGroupOptions, type AddressScope } from './address-group.ts';
import { retryDelay, validateBackoff } from './backoff.ts';
import type {
  ConnectionLimits,
  DialCandidate,
  ErrorVerdict,
  PeerEvent,
  PeerPolicy,
  PeerView,
  PolicyContext,
} from './policy.ts';
import { clampScore, MAX_SCORE, pickHighest, rankBy, weightedSample } from './scoring.ts';
import type { PeerAddressRecord } from './types.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface TendermintPolicyOptions {
  /** Connected peers before upgrades. Default 64 (v0.35 `max-connections`). */
  readonly maxConnected?: number;
  /** Outbound connections including dials. Default 12 (v0.35 `max-outgoing-connections`). */
  readonly maxOutgoing?: number;
  /** Inbound connections. Default maxConnected − maxOutgoing (separate budgets, so inbound peers can never take the outbound slots, as in Bitcoin Core). */
  readonly maxIncoming?: number;
  /** Temporary extra connections used to upgrade to better peers. Default 4. */
  readonly maxConnectedUpgrade?: number;
  /** Peers kept in the store. Default 4 + 4 × maxConnected (v0.35). */
  readonly maxPeers?: number;
  /** Addresses kept per peer id. Default 16: a peer has few real addresses; gossip cannot grow it. */
  readonly maxAddressesPerPeer?: number;
  /** Backoff after the first failed dial, ms; doubles per failure. Default 250 ms (v0.35 MinRetryTime). */
  readonly minRetryTime?: number;
  /** Backoff cap, ms. Default 30 min (v0.35 MaxRetryTime). */
  readonly maxRetryTime?: number;
  /** Backoff cap for persistent peers, ms. Default 5 min (v0.35 MaxRetryTimePersistent). */
  readonly maxRetryTimePersistent?: number;
  /** Random extra delay, ms, at most this and at most the backoff itself. Default 5 s (v0.35 RetryTimeJitter). */
  readonly retryJitter?: number;
  /** Wait before redialing a peer that disconnected, ms. Default 2 s (v0.35 DisconnectCooldownPeriod). */
  readonly disconnectCooldown?: number;
  /** How long a 'ban' error bans a peer, ms. Default 24 h (CometBFT marks bad peers for 24 h). */
  readonly banDuration?: number;
  /**
   * Outbound connections per address group. Default 1 (Bitcoin Core's eclipse defence, one outbound connection per netgroup): an attacker
   * holding one /16 gets at most one of our outbound slots.
   */
  readonly maxOutboundPerGroup?: number;
  /**
   * Mean ms between outbound rotations (outbound-rotation.ts): while the outbound slots are full, one
   * of them is handed to a random fresh address, so a network that split re-merges. Default 5 min
   * (Bitcoin Core's extra outbound peer interval); 0 turns it off.
   */
  readonly outboundRotationInterval?: number;
  /**
   * Newcomers admitted as guests while the inbound side is full (guests.ts): PEX answers one request
   * and the node hangs up, as a CometBFT seed does, so a full node never leaves a newcomer with no
   * address to try. Default 4 at once (each stays about one round trip, at most the router's guest
   * deadline, and holds a pending-handshake slot meanwhile); 0 refuses them outright, as CometBFT does.
   */
  readonly maxInboundGuests?: number;
  /** Treat loopback as a routable address and group it by its /16. Default false. */
  readonly loopbackRoutable?: boolean;
  /** Accept loopback, private and unroutable addresses from gossip (`addr_book_strict = false`). Default false. */
  readonly allowNonRoutable?: boolean;
  /**
   * Which peer-learned addresses may be stored and dialed (address-group.ts AddressScope): `public`
   * (routable only, unless allowNonRoutable) or `local` (loopback and private only, whatever
   * allowNonRoutable says). Operator-configured addresses bypass it. Default `public`.
   */
  readonly addressScope?: AddressScope;
  /** Share unroutable and private addresses in address exchange too. Default: allowNonRoutable. */
  readonly advertiseNonRoutable?: boolean;
  /** Treat private addresses as routable and group them by /16 (address-group.ts). Default false. */
  readonly privateRoutable?: boolean;
  /**
   * Admit only private and loopback addresses, operator-configured ones included: a lab node never
   * dials anything outside its lab. Default false.
   */
  readonly onlyPrivate?: boolean;
}

/**
 * The named profile for networks on one machine (tests, `peerwire testnet`): several peers per group
 * and per IP, loopback routable, a non-strict book, and short retry intervals so a local network
 * heals in well under a second. Never use it for a real network.
 */
export const localNetworkProfile: TendermintPolicyOptions = Object.freeze({
  maxOutboundPerGroup: Number.POSITIVE_INFINITY,
  loopbackRoutable: true,
  allowNonRoutable: true,
  addressScope: 'local',
  minRetryTime: 50,
  maxRetryTime: 10 * SECOND,
  maxRetryTimePersistent: 2 * SECOND,
  retryJitter: 50,
  disconnectCooldown: 100,
});

/**
 * The named profile for a lab of many hosts on private addresses (netlab): private addresses are
 * routable and grouped by /16, one outbound peer per group and one connection per IP as on a real
 * network, only private and loopback addresses admitted, and the local profile's short retry
 * intervals so scenarios run in minutes. Never use it for a real network.
 */
export const labNetworkProfile: TendermintPolicyOptions = Object.freeze({
  privateRoutable: true,
  onlyPrivate: true,
  minRetryTime: localNetworkProfile.minRetryTime!,
  maxRetryTime: localNetworkProfile.maxRetryTime!,
  maxRetryTimePersistent: localNetworkProfile.maxRetryTimePersistent!,
  retryJitter: localNetworkProfile.retryJitter!,
  disconnectCooldown: localNetworkProfile.disconnectCooldown!,
});

/** Default redial backoff for a public network (v0.35 values, doubling). */
export const TENDERMINT_DEFAULTS = Object.freeze({
  maxConnected: 64,
  maxOutgoing: 12,
  maxConnectedUpgrade: 4,
  maxAddressesPerPeer: 16,
  minRetryTime: 250,
  maxRetryTime: 30 * MINUTE,
  maxRetryTimePersistent: 5 * MINUTE,
  retryJitter: 5 * SECOND,
  disconnectCooldown: 2 * SECOND,
  banDuration: 24 * HOUR,
  maxOutboundPerGroup: 1,
  outboundRotationInterval: 5 * MINUTE,
  maxInboundGuests: 4,
});

/** Address texts whose scope answer a policy remembers (a few times a full book: maxPeers × 16). */
const SCOPE_CACHE_MAX = 8_192;

export class TendermintPolicy implements PeerPolicy {
  readonly name = 'tendermint';
  readonly limits: ConnectionLimits;
  readonly options: Required<TendermintPolicyOptions>;
  private readonly scopeCache = new Map<string, boolean>();
  /** Address texts parsed for advertising, or null when unparsable or not shareable (bounded like scopeCache). */
  private readonly shareCache = new Map<string, NodeAddress | null>();
  private readonly groupOpts: AddressGroupOptions;

  constructor(options: TendermintPolicyOptions = {}) {
    const d = TENDERMINT_DEFAULTS;
    const maxConnected = options.maxConnected ?? d.maxConnected;
    const maxOutgoing = options.maxOutgoing ?? Math.min(d.maxOutgoing, maxConnected);
    const allowNonRoutable = options.allowNonRoutable ?? false;
    this.options = {
      maxConnected,
      maxOutgoing,
      maxIncoming: options.maxIncoming ?? maxConnected - maxOutgoing,
      maxConnectedUpgrade: options.maxConnectedUpgrade ?? d.maxConnectedUpgrade,
      maxPeers: options.maxPeers ?? 4 + 4 * maxConnected,
      maxAddressesPerPeer: options.maxAddressesPerPeer ?? d.maxAddressesPerPeer,
      minRetryTime: options.minRetryTime ?? d.minRetryTime,
      maxRetryTime: options.maxRetryTime ?? d.maxRetryTime,
      maxRetryTimePersistent: options.maxRetryTimePersistent ?? d.maxRetryTimePersistent,
      retryJitter: options.retryJitter ?? d.retryJitter,
      disconnectCooldown: options.disconnectCooldown ?? d.disconnectCooldown,
      banDuration: options.banDuration ?? d.banDuration,
      maxOutboundPerGroup: options.maxOutboundPerGroup ?? d.maxOutboundPerGroup,
      outboundRotationInterval: options.outboundRotationInterval ?? d.outboundRotationInterval,
      maxInboundGuests: options.maxInboundGuests ?? d.maxInboundGuests,
      loopbackRoutable: options.loopbackRoutable ?? false,
      allowNonRoutable,
      addressScope: options.addressScope ?? 'public',
      advertiseNonRoutable: options.advertiseNonRoutable ?? allowNonRoutable,
      privateRoutable: options.privateRoutable ?? false,
      onlyPrivate: options.onlyPrivate ?? false,
    };
    const o = this.options;
    this.groupOpts = Object.freeze({ loopbackRoutable: o.loopbackRoutable, privateRoutable: o.privateRoutable });
    validateBackoff(
      {
        minRetryTime: o.minRetryTime,
        maxRetryTime: Math.max(o.maxRetryTime, o.maxRetryTimePersistent),
        retryJitter: o.retryJitter,
      },
      'TendermintPolicy',
    );
    this.limits = Object.freeze({
      maxConnected: o.maxConnected,
      maxOutgoing: o.maxOutgoing,
      maxIncoming: o.maxIncoming,
      maxConnectedUpgrade: o.maxConnectedUpgrade,
      maxPeers: o.maxPeers,
      maxAddressesPerPeer: o.maxAddressesPerPeer,
      minDialInterval: 0,
      outboundRotationInterval: o.outboundRotationInterval,
      maxInboundGuests: o.maxInboundGuests,
    });
  }

  // ---- the store -------------------------------------------------------------------------------

  admitAddress(address: NodeAddress, source: NodeId | undefined): boolean {
    // CometBFT authenticates peers by id: an address without one cannot be checked after dialing.
    if (address.id === undefined) return false;
    if (address.protocol !== 'memory' && address.port === 0) return false;
    if (this.options.onlyPrivate && !isPrivateOrLoopback(address)) return false;
    return source === undefined || this.inScope(address);
  }

  /** May a peer-learned address be stored and dialed (the scope, and addr_book_strict)? */
  private inScope(address: NodeAddress): boolean {
    const o = this.options;
    if (o.addressScope === 'public' && o.allowNonRoutable) return true;
    return dialableInScope(address, o.addressScope, this.groupOptions());
  }

  /** Remembers operator-configured peers (added without a source), whose addresses bypass the scope. */
  observe(_peer: PeerView, fields: Record<string, unknown>, event: PeerEvent): boolean {
    if (event.type !== 'added' || event.source !== undefined || fields.configured === true) return false;
    fields.configured = true;
    return true;
  }

  /**
   * Never dials a peer-learned address out of scope, even one stored before the scope changed (an old
   * peer store under the local-network profile): persistent and configured peers are exempt.
   */
  notBefore(peer: PeerView, address: Readonly<PeerAddressRecord>, context: PolicyContext): number {
    if (peer.persistent || peer.record.policy?.configured === true) return context.now;
    return this.addressInScope(address.address) ? context.now : Number.POSITIVE_INFINITY;
  }

  /**
   * inScope for an address's text, remembered: the dial planner asks for every candidate on every
   * dial decision, and parsing each time was a top cost of large networks (docs/simulation.md). The
   * options never change, so the answer depends on the text alone; the map is cleared at
   * SCOPE_CACHE_MAX entries, which bounds it whatever peers gossip.
   */
  private addressInScope(text: string): boolean {
    let known = this.scopeCache.get(text);
    if (known !== undefined) return known;
    try {
      known = this.inScope(parseNodeAddress(text));
    } catch {
      known = false;
    }
    if (this.scopeCache.size >= SCOPE_CACHE_MAX) this.scopeCache.clear();
    this.scopeCache.set(text, known);
    return known;
  }

  addressGroup(address: NodeAddress): string {
    return addressGroup(address, this.groupOptions());
  }

  private groupOptions(): AddressGroupOptions {
    return this.groupOpts;
  }

  maxOutboundPerGroup(_group: string): number {
    return this.options.maxOutboundPerGroup;
  }

  // ---- scores and dialing ----------------------------------------------------------------------

  score(peer: PeerView): number {
    if (peer.persistent) return MAX_SCORE;
    let failures = 0;
    for (const a of peer.record.addresses) failures += a.dialFailures;
    return clampScore(peer.record.mutableScore - failures);
  }

  retryDelay(peer: PeerView, address: Readonly<PeerAddressRecord>, random: () => number): number {
    const o = this.options;
    const maxRetryTime = peer.persistent ? o.maxRetryTimePersistent : o.maxRetryTime;
    return retryDelay(
      address.dialFailures,
      { minRetryTime: o.minRetryTime, maxRetryTime, retryJitter: o.retryJitter },
      random,
    );
  }

  redialCooldown(_peer: PeerView): number {
    return this.options.disconnectCooldown;
  }

  rankCandidates(candidates: readonly DialCandidate[], context: PolicyContext): DialCandidate[] {
    // Best peer first; within a peer, the address with the fewest failures, then the latest success.
    return rankBy(
      candidates,
      (c) =>
        this.score(c.peer) * 2 ** 21 -
        Math.min(c.addressRecord.dialFailures, 2 ** 20) +
        (c.addressRecord.lastDialSuccess !== undefined ? 0.5 : 0),
      context.random,
    );
  }

  // ---- eviction and pruning --------------------------------------------------------------------

  mayReplace(newcomer: PeerView, victim: PeerView): boolean {
    const bar = this.upgradeBar(victim);
    return bar !== undefined && this.score(newcomer) > bar;
  }

  /** A better score replaces a non-persistent victim (v0.35's upgrade rule), so the planner may index by score. */
  upgradeBar(victim: PeerView): number | undefined {
    return victim.persistent ? undefined : this.score(victim);
  }

  evictionOrder(peers: readonly PeerView[], context: PolicyContext): PeerView[] {
    const evictable = peers.filter((p) => !p.persistent);
    return rankBy(evictable, (p) => -this.score(p), context.random);
  }

  pruneOrder(peers: readonly PeerView[], context: PolicyContext, needed?: number): PeerView[] {
    // Worst score first; banned peers last, so a ban is forgotten only under real pressure;
    // peers without any dialable address first of all (they only carry a score).
    const now = context.now;
    const key = (p: PeerView): number => {
      const banned = (p.record.bannedUntil ?? 0) > now ? 2 ** 18 : 0;
      const empty = p.record.addresses.length === 0 && banned === 0 ? -(2 ** 18) : 0;
      return -(this.score(p) + banned + empty);
    };
    if (needed === 1) {
      // A full book prunes one peer per address learned: pick the worst in one pass (ties uniformly
      // at random, as the ranking would) instead of ranking the whole book each time.
      const worst = pickHighest(
        peers.filter((p) => !p.persistent),
        key,
        context.random,
      );
      return worst === undefined ? [] : [worst];
    }
    return rankBy(
      peers.filter((p) => !p.persistent),
      key,
      context.random,
    );
  }

  judgeError(_peer: PeerView | undefined, error: PeerwireError): ErrorVerdict {
    switch (error.action) {
      case 'ban':
        return { evict: true, banFor: this.options.banDuration, scoreDelta: 0 };
      case 'disconnect':
        return { evict: true, banFor: 0, scoreDelta: 0 };
      default:
        return { evict: false, banFor: 0, scoreDelta: -1 };
    }
  }

  // ---- address exchange ------------------------------------------------------------------------

  selectAdvertised(peers: readonly PeerView[], limit: number, context: PolicyContext): NodeAddress[] {
    const advertisable: { peer: PeerView; address: NodeAddress }[] = [];
    for (const peer of peers) {
      const address = this.bestAddress(peer);
      if (address !== undefined) advertisable.push({ peer, address });
    }
    // Score-weighted random selection: the ranking decides the weights (best = n, worst = 1), so good
    // peers are shared more often, but every peer has a chance and two askers get different answers.
    const ranked = rankBy(advertisable, (e) => this.score(e.peer), context.random);
    const n = ranked.length;
    return weightedSample(ranked, limit, (_e, i) => n - i, context.random).map((e) => e.address);
  }

  private bestAddress(peer: PeerView): NodeAddress | undefined {
    let best: NodeAddress | undefined;
    let bestFailures = 0;
    for (const record of peer.record.addresses) {
      const address = this.shareableAddress(record.address);
      if (address === null) continue;
      if (best === undefined || record.dialFailures < bestFailures) {
        best = address;
        bestFailures = record.dialFailures;
      }
    }
    return best;
  }

  /**
   * An address text parsed, when it may be shared, else null; remembered, as addressInScope is: every
   * answer to an address request looks at every address in the book, and parsing them all again was
   * half the cost of an answer in a 1,000-node simulation. Depends on the text and the options alone.
   */
  private shareableAddress(text: string): NodeAddress | null {
    let known = this.shareCache.get(text);
    if (known !== undefined) return known;
    try {
      const address = parseNodeAddress(text);
      known = this.options.advertiseNonRoutable || isRoutable(address, this.groupOptions()) ? address : null;
    } catch {
      known = null;
    }
    if (this.shareCache.size >= SCOPE_CACHE_MAX) this.shareCache.clear();
    this.shareCache.set(text, known);
    return known;
  }
}
