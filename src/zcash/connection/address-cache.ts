// The per-connection address cache (docs/protocols/zcash.md §3.4, §7). Addresses a peer sends without being asked
// (unsolicited `addr`/`addrv2`), and the alternate addresses learned from its handshake, wait here;
// they reach the address book only if we later ask this same connection for peers, and then at most
// 37 per answer. So a peer cannot push addresses into our book, only offer them when asked.
// Bounded at 1000 entries (one maximum `addr` message); the oldest are dropped first.

import { randomInt } from 'node:crypto';
import { randomBelow, type Random } from '../../core/random.ts';
import { MAX_ADDRS_IN_MESSAGE } from '../encoding/constants.ts';
import type { AddrEntry } from '../wire/net-address.ts';

/** Zebra PEER_ADDR_RESPONSE_LIMIT: addresses returned per Peers response (the rest stay cached). */
export const PEER_ADDR_RESPONSE_LIMIT = 37;
/** Cache bound: one maximum `addr` message (MAX_ADDRS_IN_MESSAGE). */
export const MAX_CACHED_ADDRS = MAX_ADDRS_IN_MESSAGE;

export class AddressCache {
  readonly capacity: number;
  private entries: AddrEntry[] = [];
  /** Entries dropped because the cache was full (oldest first). */
  dropped = 0;

  /** Picks entries to hand out. Default: node:crypto's randomInt; a simulation passes a seeded one. */
  private readonly pickBelow: (n: number) => number;

  constructor(capacity = MAX_CACHED_ADDRS, random?: Random) {
    this.capacity = capacity;
    this.pickBelow = random === undefined ? (n) => randomInt(n) : (n) => randomBelow(random, n);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds entries, keeping the newest `capacity`. */
  add(addrs: readonly AddrEntry[]): void {
    if (addrs.length === 0) return;
    const start = Math.max(0, addrs.length - this.capacity);
    for (let i = start; i < addrs.length; i++) this.entries.push(addrs[i]!);
    const excess = this.entries.length - this.capacity;
    if (excess > 0) {
      this.entries.splice(0, excess);
      this.dropped += excess;
    }
    this.dropped += start;
  }

  /** Removes and returns up to `limit` randomly chosen entries (all of them if fewer). */
  take(limit = PEER_ADDR_RESPONSE_LIMIT): AddrEntry[] {
    const n = Math.min(limit, this.entries.length);
    // Partial Fisher-Yates: move n random picks to the end, then cut them off.
    for (let i = 0; i < n; i++) {
      const last = this.entries.length - 1 - i;
      const j = this.pickBelow(last + 1);
      const tmp = this.entries[j]!;
      this.entries[j] = this.entries[last]!;
      this.entries[last] = tmp;
    }
    return this.entries.splice(this.entries.length - n, n);
  }

  /**
   * Answers a Peers request from a fresh `addr`: at most `limit` random entries are returned, the
   * rest are cached for the next request.
   */
  split(addrs: readonly AddrEntry[], limit = PEER_ADDR_RESPONSE_LIMIT): AddrEntry[] {
    if (addrs.length <= limit) return [...addrs];
    const copy = [...addrs];
    for (let i = 0; i < limit; i++) {
      const j = i + this.pickBelow(copy.length - i);
      const tmp = copy[i]!;
      copy[i] = copy[j]!;
      copy[j] = tmp;
    }
    this.add(copy.slice(limit));
    return copy.slice(0, limit);
  }
}
