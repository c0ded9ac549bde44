// What the router does with a freshly accepted connection before any handshake crypto: shed it when
// the node is overloaded (overload-shedder.ts) — unless its subnet holds no pending handshake, so a
// newcomer is never shed for load that others cause —, pass it through the pending-handshake gate
// (accept-gate.ts: per-IP caps, failure pacing, subnet-fair eviction), and give it a handshake
// deadline that shrinks as the pending slots fill. Refused and evicted connections are closed here
// with a typed error and counted under `peerwire_router_inbound_*` metrics, labelled by a fixed
// reason (never by address). Refusing must cost less than the attacker's reconnect, so each reason's
// error is built once (no stack trace per refused socket), and under attack a refused or evicted
// socket is held open, unread, before it is closed (refusal-hold.ts), so a socket reconnecting as soon
// as it is dropped comes back once per hold, not once per round trip. After a handshake, in either direction, it counts the connection
// against its IP's share of connected peers (connected-ips.ts) before the peer manager is asked.

import type { Clock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { Counter, Gauge, Metrics } from '../../core/metrics.ts';
import type { Connection } from '../../transport/types.ts';
import { AcceptGate, type PendingTicket } from './accept-gate.ts';
import { ConnectedIps } from './connected-ips.ts';
import { OverloadShedder } from './overload-shedder.ts';
import { RefusalHold } from './refusal-hold.ts';
import type { RouterOptions } from './router-options.ts';

export interface InboundAdmissionInit {
  readonly options: RouterOptions;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** Load probe for overload shedding (tests inject one); default: event-loop utilisation. */
  readonly loadProbe?: (() => number) | undefined;
  readonly random?: (() => number) | undefined;
}

/** A connection let through: its pending slot and its handshake deadline. */
export interface AdmittedConnection {
  readonly ticket: PendingTicket;
  readonly handshakeTimeoutMs: number;
}

export class InboundAdmission {
  readonly gate: AcceptGate;
  readonly shedder: OverloadShedder;
  private readonly handshakeTimeoutMs: number;
  private readonly connectedIps: ConnectedIps;
  private readonly refused: Counter;
  private readonly evictions: Counter;
  private readonly pending: Gauge;
  private readonly refusals = new Map<string, PeerwireError>();
  private readonly hold: RefusalHold;
  private readonly bannedIpRefusalMs: number;

  constructor(init: InboundAdmissionInit) {
    const o = init.options;
    this.handshakeTimeoutMs = o.handshakeTimeoutMs;
    this.gate = new AcceptGate(
      {
        maxPendingHandshakes: o.maxPendingHandshakes,
        maxPendingPerIp: o.maxPendingHandshakesPerIp,
        minIntervalPerIpMs: o.minAcceptIntervalPerIpMs,
        maxTrackedIps: o.maxTrackedIps,
        minDeadlineFraction: o.minHandshakeDeadlineFraction,
      },
      init.clock,
    );
    this.shedder = new OverloadShedder({
      threshold: o.overloadThreshold,
      clock: init.clock,
      probe: init.loadProbe,
      random: init.random,
    });
    this.connectedIps = new ConnectedIps(o.maxConnectionsPerIp);
    this.hold = new RefusalHold(o.refusalHoldMs, o.maxHeldRefusals, init.clock, init.random);
    this.bannedIpRefusalMs = o.bannedIpRefusalMs;
    this.refused = init.metrics.counter({
      name: 'peerwire_router_inbound_refused_total',
      help: 'Inbound connections closed before their handshake, by reason (overload, pending-full, ip-pending-full, ip-too-soon, ip-banned)',
      labelNames: ['reason'],
    });
    this.evictions = init.metrics.counter({
      name: 'peerwire_router_pending_evictions_total',
      help: 'Pending inbound handshakes evicted to admit a connection from a less represented subnet',
    });
    this.pending = init.metrics.gauge({
      name: 'peerwire_router_pending_handshakes',
      help: 'Inbound handshakes in progress',
    });
  }

  /** Refused sockets that may still be held open (bounded by maxHeldRefusals). */
  get heldRefusals(): number {
    return this.hold.held;
  }

  /** Screens a new inbound connection; closes it and returns undefined when it is refused. */
  admit(conn: Connection): AdmittedConnection | undefined {
    const host = conn.remoteEndpoint.host;
    if (this.gate.subnetPending(host) > 0 && this.shedder.shouldShed()) {
      this.refuse(conn, 'overload');
      return undefined;
    }
    const decision = this.gate.admit(
      host,
      () => {
        this.evictions.inc();
        conn.close(this.refusal('evicted', 'pending handshake evicted for a less represented subnet'), this.hold.next());
      },
      () => conn.heardFrom === true,
    );
    if (decision.verdict !== 'ok') {
      this.refuse(conn, decision.verdict);
      return undefined;
    }
    this.pending.set(this.gate.pendingHandshakes);
    return { ticket: decision.ticket, handshakeTimeoutMs: this.gate.deadlineMs(this.handshakeTimeoutMs) };
  }

  /** The handshake ended: the slot is free again; a failure paces the IP. */
  handshakeEnded(admitted: AdmittedConnection, outcome: 'succeeded' | 'failed'): void {
    this.gate.release(admitted.ticket, outcome);
    this.pending.set(this.gate.pendingHandshakes);
  }

  /**
   * Counts a handshaken connection against its IP's share, then asks the peer manager (`ask`); throws
   * the refusal of either. A newer connection `replacing` one of the same peer may go beyond the share:
   * the old one frees its place when it ends (releaseIp).
   */
  claimIp<T>(conn: Connection, replacing: boolean, ask: () => T, banned: () => boolean = () => false): T {
    const host = conn.remoteEndpoint.host;
    if (!this.connectedIps.claim(host, replacing))
      throw new PeerwireError(ErrorCode.Rejected, 'IP has its share of peers', { action: 'transient' });
    try {
      return ask();
    } catch (error) {
      this.connectedIps.release(host);
      this.ended(conn, banned());
      throw error;
    }
  }

  /** An inbound peer was refused or left; a banned one's IP is refused for bannedIpRefusalMs. */
  ended(conn: Connection, banned: boolean): void {
    if (banned && this.bannedIpRefusalMs > 0) this.gate.refuseFor(conn.remoteEndpoint.host, this.bannedIpRefusalMs);
  }

  /** A connection counted by claimIp ended. */
  releaseIp(conn: Connection): void {
    this.connectedIps.release(conn.remoteEndpoint.host);
  }

  private refuse(conn: Connection, reason: string): void {
    this.refused.inc({ reason });
    conn.close(this.refusal(reason, `inbound refused: ${reason}`), this.hold.next());
  }

  /** The shared error of one refusal reason (a fixed, small set), built on first use. */
  private refusal(reason: string, message: string): PeerwireError {
    let error = this.refusals.get(reason);
    if (error === undefined) {
      error = new PeerwireError(ErrorCode.Rejected, message, { action: 'transient' });
      this.refusals.set(reason, error);
    }
    return error;
  }
}
