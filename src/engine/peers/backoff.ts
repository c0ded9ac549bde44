// Redial backoff: how long to wait before dialing an address again after `failures` consecutive failed
// dials. Exponential (the v0.35 doc comment promised doubling but its code grew linearly, so a peer
// that was down for an hour was retried every few seconds by every node), capped so that a peer that
// comes back is found again within the cap, plus random jitter so that a network partition that heals
// does not make every node redial at the same instant. The jitter is proportional to the delay
// (never more than the delay itself, nor `retryJitter`): early retries stay fast, which is the other
// v0.35 lesson (nodes that lost peers reconnected "orders of magnitude" slower than the legacy switch).

import { ErrorCode, PeerwireError } from '../../core/errors.ts';

export interface BackoffOptions {
  /** Delay after the first failure, in ms. Doubles with every further failure. */
  readonly minRetryTime: number;
  /** Upper bound of the exponential part, in ms. */
  readonly maxRetryTime: number;
  /** Upper bound of the random part, in ms (the random part is also at most the exponential part). */
  readonly retryJitter: number;
}

/**
 * The delay in ms before the next dial after `failures` consecutive failures:
 * `min(maxRetryTime, minRetryTime · 2^(failures−1)) + random() · min(retryJitter, that)`.
 * Zero failures means no delay. `random` returns a number in [0, 1).
 */
export function retryDelay(failures: number, options: BackoffOptions, random: () => number): number {
  if (failures <= 0) return 0;
  // 2^52 is exact in a double; beyond that the min() below has long since chosen the cap.
  const exponent = Math.min(failures - 1, 52);
  const base = Math.min(options.maxRetryTime, options.minRetryTime * 2 ** exponent);
  const jitter = Math.min(options.retryJitter, base) * clampUnit(random());
  return Math.floor(base + jitter);
}

/** The largest delay retryDelay can return with these options (for tests and for sizing sleeps). */
export function maxRetryDelay(options: BackoffOptions): number {
  return options.maxRetryTime + Math.min(options.retryJitter, options.maxRetryTime);
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 0.999_999 : value;
}

/** Checks backoff options, throwing ERR_INVALID_ARGUMENT for negative or inconsistent values. */
export function validateBackoff(options: BackoffOptions, what: string): void {
  const { minRetryTime, maxRetryTime, retryJitter } = options;
  const ok =
    Number.isFinite(minRetryTime) &&
    Number.isFinite(maxRetryTime) &&
    Number.isFinite(retryJitter) &&
    minRetryTime >= 0 &&
    retryJitter >= 0 &&
    maxRetryTime >= minRetryTime;
  if (!ok) {
    throw new PeerwireError(
      ErrorCode.InvalidArgument,
      `${what}: need 0 <= minRetryTime <= maxRetryTime and retryJitter >= 0 (finite, in ms)`,
      { action: 'transient' },
    );
  }
}
