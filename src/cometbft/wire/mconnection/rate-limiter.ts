// A byte-rate limiter for MConnection send and receive (CometBFT's `p2p.send_rate` / `p2p.recv_rate`,
// docs/protocols/cometbft.md §3.7). Go uses a flowrate monitor with 100 ms samples; a token bucket with
// the same rate and a burst of one sample gives the same long-run rate and the same burst size.
// Tokens may go negative: a caller that sent a whole batch pays it back before the next one, so a
// batch is never split to fit and the average rate still holds. Time comes from the injected Clock.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import type { Clock } from '../../../core/clock.ts';

/** CometBFT's config.toml default for send_rate and recv_rate: 5,120,000 bytes per second. */
export const DEFAULT_RATE_BYTES_PER_SECOND = 5_120_000;

/** Flowrate's sample window: the burst allowed at once is one window's worth of bytes. */
export const RATE_SAMPLE_MS = 100;

export class RateLimiter {
  readonly bytesPerSecond: number;
  /** Most tokens that can accumulate while idle: rate x 100 ms. */
  readonly burstBytes: number;
  private readonly clock: Clock;
  private tokens: number;
  private lastRefill: number;

  constructor(clock: Clock, bytesPerSecond: number) {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `rate limit must be > 0 bytes/s, got ${bytesPerSecond}`,
        {
          action: 'transient',
        },
      );
    }
    this.clock = clock;
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = Math.max(1, Math.floor((bytesPerSecond * RATE_SAMPLE_MS) / 1000));
    this.tokens = this.burstBytes;
    this.lastRefill = clock.now();
  }

  /** Bytes that may be moved now (<= 0 means wait; see msUntilAvailable). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Records `bytes` moved; the balance may go negative. */
  consume(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }

  /**
   * Milliseconds until the balance is positive again: 0 when it already is, or while the debt is
   * under `slackBytes` (a receiver's allowance for a sender at exactly the rate; see RECV_RATE_SLACK_BYTES).
   */
  msUntilAvailable(slackBytes = 0): number {
    this.refill();
    if (this.tokens > -slackBytes) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.bytesPerSecond);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastRefill;
    if (elapsed <= 0) return;
    this.lastRefill = now;
    this.tokens = Math.min(this.burstBytes, this.tokens + (elapsed * this.bytesPerSecond) / 1000);
  }
}
