// What Zebra gossips about its address book (`MetaAddr::sanitize`, `AddressBook::sanitized`; spec
// §4.3). Gossip leaks what we know, so only the minimum leaves: addresses valid for outbound, with
// NODE_NETWORK (missing services are assumed NODE_NETWORK), never inbound-learned ones (their ports
// are ephemeral and they reveal who connects to us), never misbehaving or banned ones, and only those
// seen within 3 h. The last-seen time is truncated down to 30 min so peers cannot fingerprint our
// connection graph, every other field is dropped, our own listener is added, and the list is shuffled.

import { NODE_NETWORK } from '../wire/net-address.ts';
import { type NetworkParams } from '../params/network-params.ts';
import { bookAddressOf, isValidForOutbound, type SocketAddr } from './book-address.ts';
import { MAX_PEER_ACTIVE_FOR_GOSSIP, TIMESTAMP_TRUNCATION_SECONDS } from './constants.ts';
import { lastSeen, type MetaAddr } from './meta-addr.ts';
import { servesNetwork } from './reconnection-order.ts';

/** One gossiped address: the fields of an `addr` entry (time in seconds since the epoch) plus its key. */
export interface GossipEntry {
  readonly addr: string;
  readonly ip: string;
  readonly port: number;
  readonly services: bigint;
  /** Last-seen, seconds since the epoch, truncated down to a multiple of 30 min. */
  readonly time: number;
}

export interface SanitizeContext {
  readonly network: NetworkParams;
  readonly now: number;
  readonly isBanned: (ip: string) => boolean;
}

/** Truncates an epoch-ms time down to whole TIMESTAMP_TRUNCATION_SECONDS, in seconds. */
export function truncateLastSeen(ms: number): number {
  const seconds = Math.floor(ms / 1000);
  return seconds - (seconds % TIMESTAMP_TRUNCATION_SECONDS);
}

/** The gossip form of one entry (`addr` is its canonical book address), or undefined when it must not be gossiped. */
export function sanitizeEntry(
  addr: string,
  socket: SocketAddr,
  meta: MetaAddr | undefined,
  context: SanitizeContext,
): GossipEntry | undefined {
  if (meta === undefined || meta.isInbound || meta.misbehaviorScore !== 0) return undefined;
  if (!isValidForOutbound(socket, context.network) || !servesNetwork(meta)) return undefined;
  if (context.isBanned(socket.ip)) return undefined;
  const seen = lastSeen(meta);
  if (seen === undefined || context.now - seen > MAX_PEER_ACTIVE_FOR_GOSSIP) return undefined;
  return {
    addr,
    ip: socket.ip,
    port: socket.port,
    services: meta.services ?? NODE_NETWORK,
    time: truncateLastSeen(Math.min(seen, context.now)),
  };
}

/** In-place Fisher–Yates shuffle with an injected random source. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/**
 * The sanitized, shuffled gossip list of `entries` plus our own listener (last seen now, NODE_NETWORK)
 * when it is set and valid for outbound.
 */
export function sanitizeAll(
  entries: Iterable<{
    readonly addr: string;
    readonly socket: SocketAddr;
    readonly meta: MetaAddr | undefined;
  }>,
  local: SocketAddr | undefined,
  context: SanitizeContext,
  random: () => number,
): GossipEntry[] {
  const out: GossipEntry[] = [];
  const seen = new Set<string>();
  const localAddr = local === undefined ? undefined : bookAddressOf(local.ip, local.port);
  if (local !== undefined && localAddr !== undefined) {
    const self = sanitizeEntry(
      localAddr,
      local,
      {
        lastConnectionState: 'responded',
        lastResponse: context.now,
        misbehaviorScore: 0,
        isInbound: false,
        services: NODE_NETWORK,
      },
      context,
    );
    if (self !== undefined) {
      out.push(self);
      seen.add(self.addr);
    }
  }
  for (const { addr, socket, meta } of entries) {
    const entry = sanitizeEntry(addr, socket, meta, context);
    if (entry === undefined || seen.has(entry.addr)) continue;
    seen.add(entry.addr);
    out.push(entry);
  }
  return shuffleInPlace(out, random);
}
