// Connections per remote IP among routed peers, both directions: CometBFT refuses a second peer from
// an IP it is already connected to unless `allow_duplicate_ip` is set, Zebra keeps one connection per
// IP (`max_connections_per_ip`, default 1). The count lives in the router because only the router
// knows each connection's remote IP; the map holds only IPs of connected peers, so the connection
// limits bound it.

import { canonicalIp } from '../peers/address-group.ts';

export class ConnectedIps {
  private readonly limit: number;
  private readonly counts = new Map<string, number>();

  /** `limit` connections per IP; Infinity disables the rule (the local-network profile). */
  constructor(limit: number) {
    this.limit = limit;
  }

  /**
   * Takes a place for a connection from `host`; false when the IP already holds `limit`. With `force`
   * the place is taken anyway (a connection about to replace one of the same peer, which frees its own).
   */
  claim(host: string, force = false): boolean {
    if (!Number.isFinite(this.limit)) return true;
    const ip = canonicalIp(host) ?? host;
    const count = this.counts.get(ip) ?? 0;
    if (count >= this.limit && !force) return false;
    this.counts.set(ip, count + 1);
    return true;
  }

  /** Gives back a place taken by claim. */
  release(host: string): void {
    if (!Number.isFinite(this.limit)) return;
    const ip = canonicalIp(host) ?? host;
    const count = this.counts.get(ip) ?? 0;
    if (count <= 1) this.counts.delete(ip);
    else this.counts.set(ip, count - 1);
  }

  /** Connections currently counted from `host`. */
  count(host: string): number {
    return this.counts.get(canonicalIp(host) ?? host) ?? 0;
  }
}
