// The banned-IP set of Zebra's address book (docs/protocols/zcash.md §4.2): a misbehaviour score of 100 or more bans the
// peer's IP — every port of it — from the book, from dialing and from admission. It is keyed by remote
// input, so it is bounded: at most MAX_BANNED_IPS entries, the oldest ban forgotten first. Listeners
// hear about each new ban (the address book then drops the IP's entries and connections).

import { MAX_BANNED_IPS } from './constants.ts';

export class BannedIps {
  /** IP → epoch ms of the ban, in ban order (Map insertion order: oldest first). */
  private readonly bans = new Map<string, number>();
  private readonly listeners = new Set<(ip: string) => void>();
  private evictedCount = 0;

  constructor(readonly capacity: number = MAX_BANNED_IPS) {}

  get size(): number {
    return this.bans.size;
  }

  /** Bans forgotten to respect the capacity, since creation. */
  get evicted(): number {
    return this.evictedCount;
  }

  has(ip: string): boolean {
    return this.bans.has(ip);
  }

  /** Bans `ip` at `at`; returns true when it was not banned yet (listeners are told). */
  ban(ip: string, at: number): boolean {
    if (this.bans.has(ip)) return false;
    while (this.bans.size >= this.capacity) {
      const oldest = this.bans.keys().next().value;
      if (oldest === undefined) break;
      this.bans.delete(oldest);
      this.evictedCount++;
    }
    this.bans.set(ip, at);
    for (const listener of this.listeners) {
      try {
        listener(ip);
      } catch {
        // A listener's failure must not undo or block the ban itself.
      }
    }
    return true;
  }

  /** Subscribes to new bans; returns the unsubscribe function. */
  onBan(listener: (ip: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ips(): IterableIterator<string> {
    return this.bans.keys();
  }
}
