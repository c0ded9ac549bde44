// The accept loop's first, cheapest line of defence, applied before any handshake crypto. It accounts
// for *pending* handshakes only: a slot is held from accept until the handshake ends (the router then
// releases it, whatever the outcome), so connected peers never occupy pending slots — they count
// against the peer manager's inbound limit instead.
//
// An attacker with many sockets cannot monopolise the pending slots:
// - at most `maxPendingPerIp` handshakes per remote IP;
// - when every slot is taken, a newcomer whose subnet (IPv4 /16, IPv6 /32) holds fewer pending slots
//   than the busiest subnet evicts the oldest pending connection of the busiest IP in that subnet; a
//   newcomer from the busiest subnet itself evicts within its subnet when its own IP holds fewer slots
//   than the busiest IP there. A newcomer from an unrepresented subnet is therefore never refused.
//   Within the chosen IPs, a *silent* connection (the remote has not sent a byte: an honest dialer
//   speaks at once) goes before one whose handshake is under way, and the oldest first, so honest
//   handshakes outlive stalled sockets even when the loop is too busy to finish them quickly;
// - handshake deadlines shrink as the slots fill (`deadlineMs`), so stalled sockets are shed sooner;
// - an IP whose last attempt failed, was refused for want of a slot, or was evicted is refused for
//   `minIntervalPerIpMs` (CometBFT 100 ms, Zebra 10 ms after a failed inbound connection), so a socket
//   that reconnects as fast as it is dropped is turned away cheaply. That refusal itself does not
//   restart the interval: an honest peer retrying quickly is never locked out.
// Every map is bounded: pending tickets by maxPendingHandshakes, subnets by the same, the per-IP
// pacing memory by maxTrackedIps (the least recently seen idle IP is forgotten first).

import type { Clock } from '../../core/clock.ts';
import { canonicalIp, subnetOf } from '../peers/address-group.ts';

export interface AcceptGateOptions {
  /** Handshakes in progress at once, over all IPs. */
  readonly maxPendingHandshakes: number;
  /** Handshakes in progress at once from one IP. */
  readonly maxPendingPerIp: number;
  /** After a failed, refused or evicted attempt, the IP is refused for this long (ms). */
  readonly minIntervalPerIpMs: number;
  /** Idle IPs whose pacing is remembered; beyond it the least recently seen is forgotten. */
  readonly maxTrackedIps: number;
  /**
   * The share of the handshake deadline left when every pending slot is taken, in (0, 1]. Below half
   * occupancy the full deadline applies; from there it falls linearly to this share.
   */
  readonly minDeadlineFraction: number;
}

export type AcceptRefusal = 'pending-full' | 'ip-pending-full' | 'ip-too-soon' | 'ip-banned';


export type AcceptDecision =
  | { readonly verdict: 'ok'; readonly ticket: PendingTicket; readonly evicted: boolean }
  | { readonly verdict: AcceptRefusal };

/** A pending handshake's slot; hand it back with `release`. */
export class PendingTicket {
  /** Set once the slot is free again (released, or evicted for a newcomer). */
  released = false;
  constructor(
    readonly ip: string,
    readonly subnet: string,
    readonly admittedAt: number,
    readonly evict: () => void,
    /** True once the remote has sent anything; silent tickets are evicted first. */
    readonly heardFrom: () => boolean,
  ) {}
}

interface IpEntry {
  readonly pending: Set<PendingTicket>;
  /** When its last attempt failed, was refused or evicted; -Infinity when none did. */
  lastFailure: number;
  /** Refused before any handshake until then (a peer from this IP was just banned); -Infinity if not. */
  refusedUntil: number;
}

function never(): boolean {
  return false;
}

export class AcceptGate {
  private readonly options: AcceptGateOptions;
  private readonly clock: Clock;
  /** Remote IP → its pending tickets and pacing; insertion order is least recently seen first. */
  private readonly ips = new Map<string, IpEntry>();
  /** Subnet → pending tickets in it (only subnets with at least one). */
  private readonly subnets = new Map<string, number>();
  /** Every pending ticket, oldest first. */
  private readonly tickets = new Set<PendingTicket>();

  constructor(options: AcceptGateOptions, clock: Clock) {
    this.options = options;
    this.clock = clock;
  }

  get pendingHandshakes(): number {
    return this.tickets.size;
  }

  get trackedIps(): number {
    return this.ips.size;
  }

  /** Pending handshakes held by `host`'s subnet (IPv4 /16, IPv6 /32). */
  subnetPending(host: string): number {
    return this.subnets.get(subnetOf(canonicalIp(host) ?? host)) ?? 0;
  }

  /**
   * Decides on a new inbound connection from `host`. On `ok` the caller must call release(ticket) when
   * the handshake ends; `evict` is called (at most once) if a newcomer takes the slot instead, and must
   * close the connection — the caller still releases the ticket when its handshake then fails.
   * `heardFrom` says whether the remote has sent anything yet (default: never).
   */
  admit(host: string, evict: () => void, heardFrom: () => boolean = never): AcceptDecision {
    const now = this.clock.now();
    const ip = canonicalIp(host) ?? host;
    const entry = this.touch(ip);
    if (now < entry.refusedUntil) return { verdict: 'ip-banned' };
    if (entry.pending.size >= this.options.maxPendingPerIp) return { verdict: 'ip-pending-full' };
    if (entry.pending.size === 0 && now - entry.lastFailure < this.options.minIntervalPerIpMs) {
      return { verdict: 'ip-too-soon' };
    }
    const subnet = subnetOf(ip);
    let evicted = false;
    if (this.tickets.size >= this.options.maxPendingHandshakes) {
      const victim = this.victimFor(subnet, entry.pending.size);
      if (victim === undefined) {
        entry.lastFailure = now;
        return { verdict: 'pending-full' };
      }
      this.drop(victim);
      this.ips.get(victim.ip)!.lastFailure = now;
      victim.evict();
      evicted = true;
    }
    const ticket = new PendingTicket(ip, subnet, now, evict, heardFrom);
    entry.pending.add(ticket);
    this.tickets.add(ticket);
    this.subnets.set(subnet, (this.subnets.get(subnet) ?? 0) + 1);
    return { verdict: 'ok', ticket, evicted };
  }

  /**
   * Refuses `host` before any handshake for `ms` (a peer from it was just banned: without this a banned
   * node redials at once and each attempt costs a full handshake before its id is known). Bounded like
   * every IP entry: under pressure from many IPs the least recently seen idle one is forgotten.
   */
  refuseFor(host: string, ms: number): void {
    const entry = this.touch(canonicalIp(host) ?? host);
    entry.refusedUntil = Math.max(entry.refusedUntil, this.clock.now() + ms);
  }

  /** Hands a slot back when its handshake ends; a failed one paces its IP. Idempotent. */
  release(ticket: PendingTicket, outcome: 'succeeded' | 'failed'): void {
    const entry = this.ips.get(ticket.ip);
    if (!ticket.released) this.drop(ticket);
    if (entry !== undefined && outcome === 'failed') entry.lastFailure = this.clock.now();
  }

  /** The handshake deadline to give a connection admitted now, shortened as the slots fill (ms). */
  deadlineMs(baseMs: number): number {
    const occupancy = this.tickets.size / Math.max(1, this.options.maxPendingHandshakes);
    if (occupancy <= 0.5) return baseMs;
    const floor = this.options.minDeadlineFraction;
    const share = 1 - (1 - floor) * Math.min(1, (occupancy - 0.5) * 2);
    return Math.max(1, Math.round(baseMs * share));
  }

  private drop(ticket: PendingTicket): void {
    ticket.released = true;
    this.tickets.delete(ticket);
    this.ips.get(ticket.ip)?.pending.delete(ticket);
    const left = (this.subnets.get(ticket.subnet) ?? 1) - 1;
    if (left <= 0) this.subnets.delete(ticket.subnet);
    else this.subnets.set(ticket.subnet, left);
  }

  /** The IP's entry, moved to the most recently seen end; forgets the least recently seen idle IP when full. */
  private touch(ip: string): IpEntry {
    let entry = this.ips.get(ip);
    if (entry !== undefined) {
      this.ips.delete(ip);
    } else {
      entry = { pending: new Set(), lastFailure: Number.NEGATIVE_INFINITY, refusedUntil: Number.NEGATIVE_INFINITY };
      if (this.ips.size >= this.options.maxTrackedIps) this.forgetIdle();
    }
    this.ips.set(ip, entry);
    return entry;
  }

  private forgetIdle(): void {
    for (const [ip, entry] of this.ips) {
      if (entry.pending.size === 0) {
        this.ips.delete(ip);
        return;
      }
    }
  }

  /**
   * The pending connection a newcomer from `subnet` (its IP already holding `ipPending`) may evict:
   * the oldest among the busiest IPs of the busiest subnet, when the newcomer's subnet holds fewer;
   * within the newcomer's own subnet when it is one of the busiest and its IP holds fewer. Among
   * those, the oldest silent one, else the oldest.
   */
  private victimFor(subnet: string, ipPending: number): PendingTicket | undefined {
    let busiest = 0;
    for (const count of this.subnets.values()) busiest = Math.max(busiest, count);
    const own = this.subnets.get(subnet) ?? 0;
    let eligible: (s: string) => boolean;
    if (own < busiest) eligible = (s) => this.subnets.get(s) === busiest;
    else if (own === busiest) eligible = (s) => s === subnet;
    else return undefined;
    // The busiest IP count within each eligible subnet.
    const busiestIp = new Map<string, number>();
    for (const t of this.tickets) {
      if (!eligible(t.subnet)) continue;
      const count = this.ips.get(t.ip)!.pending.size;
      if (count > (busiestIp.get(t.subnet) ?? 0)) busiestIp.set(t.subnet, count);
    }
    if (own === busiest && (busiestIp.get(subnet) ?? 0) <= ipPending) return undefined;
    let oldest: PendingTicket | undefined;
    for (const t of this.tickets) {
      if (!eligible(t.subnet) || this.ips.get(t.ip)!.pending.size !== busiestIp.get(t.subnet)) continue;
      if (!t.heardFrom()) return t;
      oldest ??= t;
    }
    return oldest;
  }
}
