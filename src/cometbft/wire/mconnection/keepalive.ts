// The MConnection ping/pong state machine (docs/protocols/cometbft.md §3.6), without timers of its own: the
// owner asks `nextDeadline()`, arms one timer, and calls `check()` when it fires. Rules mirrored from
// CometBFT v0.34-v1.0: we ping every 60 s on a fixed ticker (even when busy); after each ping a 45 s
// pong deadline runs and only a PacketPong stops it (other traffic does not count); every received
// ping is answered with a pong, at most one pending at a time (Go coalesces), written ahead of data.

import type { Clock } from '../../../core/clock.ts';
import { PeerwireError } from '../../../core/errors.ts';
import { MConnErrorCode } from './mconn-errors.ts';

/** CometBFT's PingInterval (not configurable in config.toml): 60 s. */
export const DEFAULT_PING_INTERVAL_MS = 60_000;
/**
 * CometBFT's PongTimeout: 45 s. A Go peer closes the connection when our pong is later than this, so
 * pongs are always written before queued data.
 */
export const DEFAULT_PONG_TIMEOUT_MS = 45_000;

export interface KeepAliveOptions {
  /** Interval between our pings, ms. Default 60,000. */
  readonly pingIntervalMs?: number;
  /** How long we wait for a pong after our ping, ms. Default 45,000. */
  readonly pongTimeoutMs?: number;
}

export class KeepAlive {
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  private readonly clock: Clock;
  private nextPingAt: number;
  private pongDeadline: number | undefined;
  private pingDue = false;
  private pongOwed = false;
  /** When the ping now awaiting its pong was written. */
  private pingSentAt: number | undefined;
  /** The last ping-to-pong time (ms); shown on status pages, never used to judge the peer. */
  private lastRtt: number | undefined;

  constructor(clock: Clock, options: KeepAliveOptions = {}) {
    this.clock = clock;
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.pongTimeoutMs = options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    this.nextPingAt = clock.now() + this.pingIntervalMs;
  }

  /** A ping or pong is waiting to be written. */
  get hasControlPending(): boolean {
    return this.pingDue || this.pongOwed;
  }

  get pingPending(): boolean {
    return this.pingDue;
  }

  get pongPending(): boolean {
    return this.pongOwed;
  }

  /** True while we wait for the pong to our last ping. */
  get awaitingPong(): boolean {
    return this.pongDeadline !== undefined;
  }

  /** The remote pinged us: owe it one pong (several pings before we write collapse into one). */
  onPing(): void {
    this.pongOwed = true;
  }

  /** The remote answered: stop the pong deadline. An unsolicited pong is harmless. */
  onPong(): void {
    this.pongDeadline = undefined;
    if (this.pingSentAt !== undefined) this.lastRtt = Math.max(0, this.clock.now() - this.pingSentAt);
    this.pingSentAt = undefined;
  }

  /** The round trip of the last answered ping (ms), undefined before the first pong. */
  get rttMs(): number | undefined {
    return this.lastRtt;
  }

  /** The owed pong was written. */
  pongWritten(): void {
    this.pongOwed = false;
  }

  /** Our ping was written: its pong deadline starts now (an earlier running deadline is kept). */
  pingWritten(): void {
    this.pingDue = false;
    this.pingSentAt ??= this.clock.now();
    const deadline = this.clock.now() + this.pongTimeoutMs;
    if (this.pongDeadline === undefined || deadline < this.pongDeadline) this.pongDeadline = deadline;
  }

  /**
   * Applies the clock: marks a ping due when the ticker fires, throws ERR_MCONN_PONG_TIMEOUT (action
   * disconnect) when the pong deadline passed.
   */
  check(): void {
    const now = this.clock.now();
    if (this.pongDeadline !== undefined && now >= this.pongDeadline) {
      throw new PeerwireError(MConnErrorCode.PongTimeout, 'mconnection: pong timeout', {
        action: 'disconnect',
        details: { pongTimeoutMs: this.pongTimeoutMs },
      });
    }
    if (now >= this.nextPingAt) {
      this.pingDue = true;
      // A fixed ticker; after a long stall (a suspended process) it does not fire a burst of pings.
      this.nextPingAt += this.pingIntervalMs;
      if (this.nextPingAt <= now) this.nextPingAt = now + this.pingIntervalMs;
    }
  }

  /** When `check()` should run next (ms since the epoch). */
  nextDeadline(): number {
    return this.pongDeadline === undefined ? this.nextPingAt : Math.min(this.nextPingAt, this.pongDeadline);
  }
}
