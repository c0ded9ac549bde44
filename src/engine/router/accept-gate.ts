// The accept loop's first, cheapest line of defence, applied before any handshake crypto: a cap on
// handshakes in progress overall, a cap on handshakes in progress per remote IP, and a minimum
// interval between fresh attempts from one IP (Tendermint v0.35's connection tracker). Its map is
// keyed by remote IPs, so it is bounded too: idle entries expire and a full table refuses new IPs.

import type { Clock } from '../../core/clock.ts';

export interface AcceptGateOptions {
  /** Handshakes in progress at once, over all IPs. */
  readonly maxPendingHandshakes: number;
  /** Handshakes in progress at once from one IP. */
  readonly maxPendingPerIp: number;
  /** A fresh attempt from an IP with nothing in flight is refused if its last one was this recent (ms). */
  readonly minIntervalPerIpMs: number;
  /** Most IPs tracked at once; beyond it, new IPs are refused until entries expire. */
  readonly maxTrackedIps: number;
}

export type AcceptVerdict = 'ok' | 'pending-full' | 'ip-pending-full' | 'ip-too-soon' | 'tracker-full';

interface IpEntry {
  inFlight: number;
  lastAttempt: number;
}

export class AcceptGate {
  private readonly options: AcceptGateOptions;
  private readonly clock: Clock;
  private readonly ips = new Map<string, IpEntry>();
  private pending = 0;

  constructor(options: AcceptGateOptions, clock: Clock) {
    this.options = options;
    this.clock = clock;
  }

  get pendingHandshakes(): number {
    return this.pending;
  }

  get trackedIps(): number {
    return this.ips.size;
  }

  /** Decides on a new inbound connection from `ip`; on `ok` the caller must call release(ip) later. */
  admit(ip: string): AcceptVerdict {
    const now = this.clock.now();
    if (this.pending >= this.options.maxPendingHandshakes) return 'pending-full';
    let entry = this.ips.get(ip);
    if (entry === undefined) {
      if (this.ips.size >= this.options.maxTrackedIps) this.expire(now);
      if (this.ips.size >= this.options.maxTrackedIps) return 'tracker-full';
      entry = { inFlight: 0, lastAttempt: Number.NEGATIVE_INFINITY };
      this.ips.set(ip, entry);
    } else if (entry.inFlight >= this.options.maxPendingPerIp) {
      return 'ip-pending-full';
    } else if (entry.inFlight === 0 && now - entry.lastAttempt < this.options.minIntervalPerIpMs) {
      entry.lastAttempt = now;
      return 'ip-too-soon';
    }
    entry.inFlight++;
    entry.lastAttempt = now;
    this.pending++;
    return 'ok';
  }

  release(ip: string): void {
    const entry = this.ips.get(ip);
    if (entry === undefined || entry.inFlight === 0) return;
    entry.inFlight--;
    this.pending--;
    if (entry.inFlight === 0 && this.clock.now() - entry.lastAttempt >= this.options.minIntervalPerIpMs) {
      this.ips.delete(ip);
    }
  }

  /** Drops idle entries whose interval has passed. */
  expire(now = this.clock.now()): void {
    for (const [ip, entry] of this.ips) {
      if (entry.inFlight === 0 && now - entry.lastAttempt >= this.options.minIntervalPerIpMs)
        this.ips.delete(ip);
    }
  }
}
