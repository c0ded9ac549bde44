// Redial backoff: doubling from minRetryTime, capped, with proportional bounded jitter.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maxRetryDelay, retryDelay, validateBackoff } from '../../../src/engine/peers/backoff.ts';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const opts = { minRetryTime: 250, maxRetryTime: 30 * 60_000, retryJitter: 5000 };

describe('retryDelay', () => {
  it('is zero without failures and doubles per failure', () => {
    const none = () => 0;
    assert.equal(retryDelay(0, opts, none), 0);
    assert.equal(retryDelay(1, opts, none), 250);
    assert.equal(retryDelay(2, opts, none), 500);
    assert.equal(retryDelay(3, opts, none), 1000);
    assert.equal(retryDelay(10, opts, none), 250 * 512);
  });

  it('caps the exponential part and survives huge failure counts', () => {
    assert.equal(
      retryDelay(14, opts, () => 0),
      opts.maxRetryTime,
    );
    assert.equal(
      retryDelay(1_000_000, opts, () => 0),
      opts.maxRetryTime,
    );
    assert.equal(
      retryDelay(1_000_000, opts, () => 0.999),
      opts.maxRetryTime + Math.floor(0.999 * 5000),
    );
  });

  it('keeps jitter within min(retryJitter, base) even for a broken random source', () => {
    assert.equal(
      retryDelay(1, opts, () => 0.5),
      250 + 125,
    );
    assert.ok(retryDelay(1, opts, () => 7) < 500);
    assert.equal(
      retryDelay(1, opts, () => Number.NaN),
      250,
    );
    assert.equal(
      retryDelay(1, opts, () => -1),
      250,
    );
  });

  it('property: monotone in failures (without jitter) and bounded by maxRetryDelay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (f, u) => {
          const d = retryDelay(f, opts, () => u);
          assert.ok(d >= retryDelay(f, opts, () => 0));
          assert.ok(d <= maxRetryDelay(opts));
          assert.ok(retryDelay(f + 1, opts, () => 0) >= retryDelay(f, opts, () => 0));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('rejects inconsistent options', () => {
    assert.throws(() => validateBackoff({ minRetryTime: 10, maxRetryTime: 5, retryJitter: 0 }, 'x'), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.throws(() => validateBackoff({ minRetryTime: -1, maxRetryTime: 5, retryJitter: 0 }, 'x'), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.doesNotThrow(() => validateBackoff(opts, 'x'));
  });
});
