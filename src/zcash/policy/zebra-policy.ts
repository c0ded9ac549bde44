// Zebra's address book and connection rules for the Zcash wire (docs/protocols/zcash.md §4, §5), as
// a policy over the engine's one PeerManager and peer store — not a second store: two wires never mean
// two address books. A peer's id is its `ip:port` book address; Zebra's MetaAddr fields live in
// PeerRecord.policy and change through `observe`, from the PeerManager's lifecycle events (dialing →
// AttemptPending, dial failed / disconnected → Failed, connected → Responded) and from the wire's
// MetaAddrChanges, which the address-book service (protocols/zcash/address-book.ts) hands to
// PeerManager.add / notify. The update rules, the reconnection order and the gossip rules are pure
// functions in ./zebra/.
//
// What the policy enforces through the PeerManager's hooks:
// - admission to the book: canonical `ip:port` only, valid for outbound (Zebra's port rules), not a
//   banned IP, NODE_NETWORK for gossiped never-attempted entries; at most 5,000 entries, the one that
//   sorts last in reconnection order evicted first (pruneOrder);
// - dialing: reconnection order (rankCandidates), readiness (notBefore: 119 s since the last response,
//   attempt or failure; Failed entries only if seen within 3 days; no other port of an IP that
//   responded within 119 s), one outbound connection per IP (address group = IP), dials spaced by
//   100 ms (limits.minDialInterval);
// - connections: outbound 75, inbound 125, total 200 by default (initial target size 25), never an
//   upgrade or a replacement, one connection per IP (admitConnection keeps the old one), banned IPs
//   refused;
// - misbehaviour: scores add up; 100 or more bans the IP (at most 20,000 banned IPs, oldest forgotten).
// `zebraLocalNetworkProfile` relaxes what a test network on one machine needs (several peers per IP,
// a short reconnection delay); it is never the default. `zebraLabNetworkProfile` is for a lab of many
// hosts on private addresses (netlab): one connection per IP as on a real network, a short
// reconnection delay, and only private and loopback addresses admitted, so a lab node cannot dial out.

import type { PeerwireError } from '../../core/errors.ts';
import { formatNodeAddress, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { Direction } from '../../transport/types.ts';
import { isPrivateOrLoopback } from '../../engine/peers/address-group.ts';
import { NODE_NETWORK } from '../wire/net-address.ts';
import { ZCASH_MAINNET, type NetworkParams } from '../params/network-params.ts';
import type {
  ConnectionLimits,
  DialCandidate,
  DialOrder,
  ErrorVerdict,
  PeerEvent,
  PeerPolicy,
  PeerView,
  PolicyContext,
} from '../../engine/peers/policy.ts';
import { clampScore } from '../../engine/peers/scoring.ts';
import { dialableInScope, type AddressScope } from '../../engine/peers/address-group.ts';
import type { PeerAddressRecord } from '../../engine/peers/types.ts';
import { BannedIps } from './banned-ips.ts';
import {
  isCanonical,
  isValidForOutbound,
  parseSocketAddr,
  socketAddrOf,
  type SocketAddr,
} from './book-address.ts';
import * as Z from './constants.ts';
import { ipBannedError, ipLimitError } from './errors.ts';
import { applyChange, readMeta, reconnectionRank, writeMeta, type MetaAddr } from './meta-addr.ts';
import { compareKeys, orderKey, readyAt, type OrderKey } from './reconnection-order.ts';
import { asMetaChange, metaChangeOf } from './meta-events.ts';
import { sanitizeAll } from './sanitize.ts';

export interface ZebraPolicyOptions {
  /** The network: its default port is always valid and preferred. Default Zcash Mainnet. */
  readonly network?: NetworkParams;
  /** `peerset_initial_target_size`. Default 25; outbound and inbound limits derive from it. */
  readonly initialTargetSize?: number;
  /** Outbound connections including dials. Default 3 × initialTargetSize (75). */
  readonly maxOutbound?: number;
  /** Inbound connections. Default 5 × initialTargetSize (125). */
  readonly maxInbound?: number;
  /** Connections per IP, both directions. Default 1 (`max_connections_per_ip`). */
  readonly maxConnectionsPerIp?: number;
  /** Address-book entries. Default 5,000 (MAX_ADDRS_IN_ADDRESS_BOOK). */
  readonly maxAddresses?: number;
  /** Minimum ms between two dials. Default 100 (MIN_OUTBOUND_PEER_CONNECTION_INTERVAL). */
  readonly minDialInterval?: number;
  /** No redial within this many ms of a response, attempt or failure. Default 119 s. */
  readonly reconnectionDelay?: number;
  /** Failed entries are redialed only if seen within this many ms. Default 3 days. */
  readonly maxRecentPeerAge?: number;
  /** Banned IPs remembered. Default 20,000. */
  readonly maxBannedIps?: number;
  /** How long a `ban` error bans the peer's persisted record, ms. Default 24 h. */
  readonly banDuration?: number;
  /** Admit only private and loopback addresses, operator-configured ones included. Default false. */
  readonly onlyPrivate?: boolean;
  /** Gossiped addresses kept and advertised: `public` (routable) or `local` (loopback, private). Default public. */
  readonly addressScope?: AddressScope;
}

/** The named profile for test networks on one machine: many peers per IP, quick redials. */
export const zebraLocalNetworkProfile: ZebraPolicyOptions = Object.freeze({
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  addressScope: 'local',
  reconnectionDelay: 1000,
});

/**
 * The named profile for a lab of hosts on private addresses (netlab): Zebra's per-IP rule kept, the
 * local profile's 1 s reconnection delay (Zebra's 119 s would make every scenario last minutes), and
 * nothing outside the private and loopback ranges admitted.
 */
export const zebraLabNetworkProfile: ZebraPolicyOptions = Object.freeze({
  reconnectionDelay: zebraLocalNetworkProfile.reconnectionDelay!,
  onlyPrivate: true,
  addressScope: 'local',
});

type Resolved = Required<ZebraPolicyOptions>;

/** One IP's most recent response, for the one-responded-peer-per-IP readiness rule. */
interface IpResponse {
  readonly id: NodeId;
  readonly at: number;
}

export class ZebraPolicy implements PeerPolicy {
  readonly name = 'zebra';
  readonly limits: ConnectionLimits;
  readonly options: Resolved;
  readonly bannedIps: BannedIps;
  /** IP → its latest response; bounded by maxAddresses (stale entries are dropped first). */
  private readonly responses = new Map<string, IpResponse>();
  // Derived values cached by object identity, so sorting and scanning a full book parse nothing:
  // a record's socket address never changes; a policy-fields object changes only through observe.
  private readonly sockets = new WeakMap<object, SocketAddr | null>();
  private readonly metas = new WeakMap<object, MetaAddr>();
  private readonly keys = new WeakMap<
    object,
    { readonly meta: MetaAddr | undefined; readonly key: OrderKey }
  >();
  private readonly groups = new WeakMap<NodeAddress, string>();

  constructor(options: ZebraPolicyOptions = {}) {
    const target = options.initialTargetSize ?? Z.DEFAULT_INITIAL_TARGET_SIZE;
    this.options = {
      network: options.network ?? ZCASH_MAINNET,
      initialTargetSize: target,
      maxOutbound: options.maxOutbound ?? target * Z.OUTBOUND_MULTIPLIER,
      maxInbound: options.maxInbound ?? target * Z.INBOUND_MULTIPLIER,
      maxConnectionsPerIp: options.maxConnectionsPerIp ?? Z.DEFAULT_MAX_CONNECTIONS_PER_IP,
      maxAddresses: options.maxAddresses ?? Z.MAX_ADDRS_IN_ADDRESS_BOOK,
      minDialInterval: options.minDialInterval ?? Z.MIN_OUTBOUND_PEER_CONNECTION_INTERVAL,
      reconnectionDelay: options.reconnectionDelay ?? Z.MIN_PEER_RECONNECTION_DELAY,
      maxRecentPeerAge: options.maxRecentPeerAge ?? Z.MAX_RECENT_PEER_AGE,
      maxBannedIps: options.maxBannedIps ?? Z.MAX_BANNED_IPS,
      banDuration: options.banDuration ?? Z.PERSISTED_BAN_DURATION,
      onlyPrivate: options.onlyPrivate ?? false,
      addressScope: options.addressScope ?? 'public',
    };
    const o = this.options;
    this.bannedIps = new BannedIps(Math.max(1, o.maxBannedIps));
    this.limits = Object.freeze({
      maxConnected: o.maxOutbound + o.maxInbound,
      maxOutgoing: o.maxOutbound,
      maxIncoming: o.maxInbound,
      // Zebra never dials past its limits to replace a worse peer.
      maxConnectedUpgrade: 0,
      maxPeers: o.maxAddresses,
      // A Zcash peer *is* its address.
      maxAddressesPerPeer: 1,
      minDialInterval: o.minDialInterval,
    });
  }

  get network(): NetworkParams {
    return this.options.network;
  }

  /** The MetaAddr of a peer (undefined until its first change). */
  meta(peer: Pick<PeerView, 'record'>): MetaAddr | undefined {
    const fields = peer.record.policy;
    if (fields === undefined) return undefined;
    let meta = this.metas.get(fields);
    if (meta === undefined) {
      meta = readMeta(fields);
      if (meta !== undefined) this.metas.set(fields, meta);
    }
    return meta;
  }

  /** The socket address a peer id names, or undefined when the id is not a book address. */
  socketOf(peer: Pick<PeerView, 'record'>): SocketAddr | undefined {
    const record = peer.record;
    let socket = this.sockets.get(record);
    if (socket === undefined) {
      socket = parseSocketAddr(record.id) ?? null;
      this.sockets.set(record, socket);
    }
    return socket ?? undefined;
  }

  isBanned(ip: string): boolean {
    return this.bannedIps.has(ip);
  }

  /** Bans an IP now; returns true when it was not banned yet. */
  banIp(ip: string, now: number): boolean {
    return this.bannedIps.ban(ip, now);
  }

  /**
   * Rebuilds the in-memory indexes from stored peers (call once after PeerManager.start): the latest
   * response per IP, and IP bans for records still banned in the store.
   */
  rebuild(peers: readonly PeerView[], now: number): void {
    for (const peer of peers) {
      const socket = this.socketOf(peer);
      if (socket === undefined) continue;
      const meta = this.meta(peer);
      if (meta?.lastResponse !== undefined) this.noteResponse(socket.ip, peer.id, meta.lastResponse);
      if (
        (peer.record.bannedUntil ?? 0) > now &&
        (meta?.misbehaviorScore ?? 0) >= Z.MAX_PEER_MISBEHAVIOR_SCORE
      )
        this.bannedIps.ban(socket.ip, now);
    }
  }

  // ---- the store -------------------------------------------------------------------------------

  admitAddress(address: NodeAddress, _source: NodeId | undefined, detail?: unknown): boolean {
    const socket = socketAddrOf(address);
    if (socket === undefined || !isCanonical(address)) return false;
    if (this.options.onlyPrivate && !isPrivateOrLoopback(address)) return false;
    if (this.bannedIps.has(socket.ip) || !isValidForOutbound(socket, this.options.network)) return false;
    const change = asMetaChange(detail);
    if (change?.kind === 'new-gossiped' && (change.services & NODE_NETWORK) === 0n) return false;
    // Only start-up peers may be outside the scope.
    const configured = change === undefined || change.kind === 'new-initial';
    return configured || dialableInScope(address, this.options.addressScope);
  }

  addressGroup(address: NodeAddress): string {
    let group = this.groups.get(address);
    if (group === undefined) {
      const socket = socketAddrOf(address);
      group = socket === undefined ? `other:${formatNodeAddress(address)}` : `ip:${socket.ip}`;
      this.groups.set(address, group);
    }
    return group;
  }

  maxOutboundPerGroup(_group: string): number {
    return this.options.maxConnectionsPerIp;
  }

  // ---- scores and dialing ----------------------------------------------------------------------

  score(peer: PeerView): number {
    const meta = this.meta(peer);
    const rank = reconnectionRank(meta?.lastConnectionState ?? 'never-attempted');
    return clampScore(3 - rank - (meta?.misbehaviorScore ?? 0));
  }

  retryDelay(_peer: PeerView, _address: Readonly<PeerAddressRecord>, _random: () => number): number {
    return this.options.reconnectionDelay;
  }

  redialCooldown(_peer: PeerView): number {
    return this.options.reconnectionDelay;
  }

  notBefore(peer: PeerView, _address: Readonly<PeerAddressRecord>, context: PolicyContext): number {
    // A Zcash peer's only address is its id.
    const socket = this.socketOf(peer);
    if (socket === undefined || this.bannedIps.has(socket.ip)) return Number.POSITIVE_INFINITY;
    const o = this.options;
    const meta = this.meta(peer);
    // Operator-configured peers are always redialed, however long they have been failing.
    const maxRecentPeerAge = peer.persistent ? Number.POSITIVE_INFINITY : o.maxRecentPeerAge;
    let at = readyAt(socket, meta, context.now, {
      network: o.network,
      reconnectionDelay: o.reconnectionDelay,
      maxRecentPeerAge,
    });
    if (Number.isFinite(o.maxConnectionsPerIp)) {
      const response = this.responses.get(socket.ip);
      if (response !== undefined && response.id !== peer.id)
        at = Math.max(at, response.at + o.reconnectionDelay);
    }
    return at;
  }

  /** Reconnection order as sort keys: the planner keeps the book sorted by it (one walk per dial). */
  readonly dialOrder: DialOrder<OrderKey> = {
    key: (peer) => this.orderKeyOf(peer),
    compare: compareKeys,
  };

  rankCandidates(candidates: readonly DialCandidate[], _context: PolicyContext): DialCandidate[] {
    // Zebra never upgrades, so the planner only takes the first: find it in one pass.
    const best = this.extreme(candidates, (c) => c.peer, -1);
    return best === undefined ? [] : [best];
  }

  // ---- eviction and pruning --------------------------------------------------------------------

  mayReplace(_newcomer: PeerView, _victim: PeerView): boolean {
    return false;
  }

  evictionOrder(peers: readonly PeerView[], _context: PolicyContext): PeerView[] {
    return this.sorted(peers, (p) => p).reverse();
  }

  pruneOrder(peers: readonly PeerView[], _context: PolicyContext, needed?: number): PeerView[] {
    // The entry that sorts last in reconnection order goes first; entries of banned IPs before all.
    if (needed === 1 && this.bannedIps.size === 0) {
      const worst = this.extreme(peers, (p) => p, 1);
      return worst === undefined ? [] : [worst];
    }
    const banned: PeerView[] = [];
    const rest: PeerView[] = [];
    for (const p of peers) {
      const socket = this.socketOf(p);
      if (socket !== undefined && this.bannedIps.has(socket.ip)) banned.push(p);
      else rest.push(p);
    }
    if (needed !== undefined && needed <= banned.length) return banned;
    if (needed === 1 && banned.length === 0) {
      const worst = this.extreme(rest, (p) => p, 1);
      return worst === undefined ? [] : [worst];
    }
    return [...banned, ...this.sorted(rest, (p) => p).reverse()];
  }

  judgeError(_peer: PeerView | undefined, error: PeerwireError): ErrorVerdict {
    // Zebra closes the connection on any error and scores only explicit misbehaviour reports.
    switch (error.action) {
      case 'ban':
        return { evict: true, banFor: this.options.banDuration, scoreDelta: 0 };
      case 'disconnect':
        return { evict: true, banFor: 0, scoreDelta: 0 };
      default:
        return { evict: false, banFor: 0, scoreDelta: 0 };
    }
  }

  admitConnection(
    peer: PeerView,
    _direction: Direction,
    connected: readonly PeerView[],
    _context: PolicyContext,
  ): PeerwireError | undefined {
    const socket = this.socketOf(peer);
    if (socket === undefined) return undefined;
    if (this.bannedIps.has(socket.ip)) return ipBannedError(socket.ip);
    const limit = this.options.maxConnectionsPerIp;
    if (!Number.isFinite(limit)) return undefined;
    let sameIp = 0;
    for (const other of connected)
      if (other.id !== peer.id && this.socketOf(other)?.ip === socket.ip) sameIp++;
    return sameIp >= limit ? ipLimitError(socket.ip, limit) : undefined;
  }

  // ---- address exchange ------------------------------------------------------------------------

  selectAdvertised(peers: readonly PeerView[], limit: number, context: PolicyContext): NodeAddress[] {
    const entries: { addr: string; socket: SocketAddr; meta: MetaAddr | undefined }[] = [];
    const scope = this.options.addressScope;
    for (const p of peers) {
      const socket = this.socketOf(p);
      // Never advertise what a peer must not dial: on a public network, unroutable addresses stay ours.
      if (
        socket !== undefined &&
        dialableInScope({ protocol: 'tcp', host: socket.ip, port: socket.port }, scope)
      )
        entries.push({ addr: p.id, socket, meta: this.meta(p) });
    }
    const gossip = sanitizeAll(
      entries,
      undefined,
      { network: this.options.network, now: context.now, isBanned: (ip) => this.bannedIps.has(ip) },
      context.random,
    );
    return gossip.slice(0, Math.max(0, limit)).map((g) => ({ protocol: 'tcp', host: g.ip, port: g.port }));
  }

  // ---- MetaAddr bookkeeping --------------------------------------------------------------------

  observe(
    peer: PeerView,
    fields: Record<string, unknown>,
    event: PeerEvent,
    context: PolicyContext,
  ): boolean {
    const change = metaChangeOf(event);
    if (change === undefined) return false;
    const previous = readMeta(fields);
    const next = applyChange(previous, change, context.now);
    if (next === undefined) return false;
    writeMeta(fields, next);
    this.metas.set(fields, next);
    const socket = this.socketOf(peer);
    if (socket !== undefined) {
      if (next.lastResponse !== undefined && next.lastResponse !== previous?.lastResponse)
        this.noteResponse(socket.ip, peer.id, next.lastResponse);
      if (next.misbehaviorScore >= Z.MAX_PEER_MISBEHAVIOR_SCORE) this.bannedIps.ban(socket.ip, context.now);
    }
    return true;
  }

  private noteResponse(ip: string, id: NodeId, at: number): void {
    const current = this.responses.get(ip);
    if (current !== undefined && current.at >= at) return;
    this.responses.delete(ip);
    this.responses.set(ip, { id, at });
    // Bounded: drop the oldest-noted IPs beyond the book's size (they are stale by then anyway).
    while (this.responses.size > this.options.maxAddresses) {
      const oldest = this.responses.keys().next().value;
      if (oldest === undefined) break;
      this.responses.delete(oldest);
    }
  }

  /** The reconnection-order key of a peer (cached until its metadata changes). */
  orderKeyOf(peer: Pick<PeerView, 'record'>): OrderKey {
    const meta = this.meta(peer);
    const cached = this.keys.get(peer.record);
    if (cached !== undefined && cached.meta === meta) return cached.key;
    // A record's id (its socket address) never changes, so the IP part of its last key is reused:
    // only the metadata changes between two keys of one record (a dial re-keys the dialed entry).
    const key = orderKey(
      this.socketOf(peer) ?? { ip: '::', port: 0 },
      meta,
      this.options.network,
      cached?.key.ip,
    );
    this.keys.set(peer.record, { meta, key });
    return key;
  }

  /** Items in reconnection order, best first. */
  private sorted<T>(items: readonly T[], peerOf: (item: T) => Pick<PeerView, 'record'>): T[] {
    const keyed = items.map((item) => ({ item, key: this.orderKeyOf(peerOf(item)) }));
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    return keyed.map((k) => k.item);
  }

  /** The first (direction −1) or last (+1) item in reconnection order, in one pass. */
  private extreme<T>(
    items: readonly T[],
    peerOf: (item: T) => Pick<PeerView, 'record'>,
    direction: 1 | -1,
  ): T | undefined {
    let best: T | undefined;
    let bestKey: OrderKey | undefined;
    for (const item of items) {
      const key = this.orderKeyOf(peerOf(item));
      if (bestKey === undefined || compareKeys(key, bestKey) * direction > 0) {
        best = item;
        bestKey = key;
      }
    }
    return best;
  }
}
