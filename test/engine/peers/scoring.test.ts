// Score clamping, random-tie ranking and weighted sampling.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clampScore, MAX_SCORE, MIN_SCORE, pickHighest, rankBy, weightedSample } from '../../../src/engine/peers/scoring.ts';
import { seededRandom } from './peer-fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 200);

describe('scoring', () => {
  it('clamps to int16', () => {
    assert.equal(clampScore(40_000), MAX_SCORE);
    assert.equal(clampScore(-40_000), MIN_SCORE);
    assert.equal(clampScore(3.7), 3);
    assert.equal(clampScore(Number.NaN), 0);
  });

  it('property: rankBy sorts descending and keeps every item', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 40, size: 'max' }),
        fc.integer(),
        (values, seed) => {
          const ranked = rankBy(values, (v) => v, seededRandom(seed));
          assert.deepEqual(
            [...ranked].sort((x, y) => x - y),
            [...values].sort((x, y) => x - y),
          );
          for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]! >= ranked[i]!);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('breaks ties randomly', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const first = new Set<number>();
    for (let seed = 0; seed < 30; seed++) first.add(rankBy(items, () => 0, seededRandom(seed))[0]!);
    assert.ok(first.size > 3);
  });

  it('property: pickHighest returns an item with the highest key, undefined only when empty', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 40, size: 'max' }),
        fc.integer(),
        (values, seed) => {
          const picked = pickHighest(values, (v) => v, seededRandom(seed));
          if (values.length === 0) assert.equal(picked, undefined);
          else assert.equal(picked, Math.max(...values));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('pickHighest chooses among ties uniformly', () => {
    // 4 tied items (and one lower): over 4,000 seeded picks each tied item is chosen about 1,000
    // times; the bounds are ±20%, far outside the binomial spread (σ ≈ 27).
    const items = [{ k: 1 }, { k: 3 }, { k: 3 }, { k: 3 }, { k: 3 }];
    const counts = new Map<object, number>();
    const random = seededRandom(7);
    for (let i = 0; i < 4_000; i++) {
      const picked = pickHighest(items, (e) => e.k, random)!;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    assert.equal(counts.get(items[0]!), undefined);
    for (const item of items.slice(1)) {
      const n = counts.get(item) ?? 0;
      assert.ok(n > 800 && n < 1_200, `tied item picked ${n} times of 4,000`);
    }
  });

  it('property: weightedSample returns distinct items, at most limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer(),
        (n, limit, seed) => {
          const items = Array.from({ length: n }, (_, i) => i);
          const picked = weightedSample(items, limit, (_x, i) => n - i, seededRandom(seed));
          assert.equal(picked.length, Math.min(n, limit));
          assert.equal(new Set(picked).size, picked.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('prefers heavier items', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    let heavy = 0;
    const random = seededRandom(7);
    for (let t = 0; t < 500; t++)
      if (weightedSample(items, 1, (_x, i) => (i === 0 ? 50 : 1), random)[0] === 0) heavy++;
    assert.ok(heavy > 250, `item 0 picked ${heavy} of 500 times`);
  });
});
