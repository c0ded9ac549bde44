// The dial-order index on its own (engine/peers/dial-order-index.ts), with a numeric order: under any
// sequence of creations, key changes, removals and walks, a walk yields exactly the live entries sorted
// by their current key, however many dead slots the index holds; and the slots
// it holds stay within twice the live entries plus the compaction allowance.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DialOrderIndex } from '../../../src/engine/peers/dial-order-index.ts';
import type { BookEntry } from '../../../src/engine/peers/peer-book.ts';
import type { PeerView } from '../../../src/engine/peers/policy.ts';

const RUNS = Number(process.env.FC_RUNS ?? 60);
/** The index's MIN_DEAD_BEFORE_COMPACTION: dead slots a small index may hold before compacting. */
const DEAD_ALLOWANCE = 64;

function entryOf(id: number, score: number): BookEntry {
  return {
    record: { id: `p${id}`, addresses: [], inactive: false, mutableScore: score },
    parsed: new Map(),
    retryAt: new Map(),
    lastDisconnected: undefined,
    persistent: false,
    private: false,
  };
}

/** Lowest score first, then by id: a total order, as a policy's dial order must be. */
function byScore(a: BookEntry, b: BookEntry): number {
  const d = a.record.mutableScore - b.record.mutableScore;
  return d !== 0 ? d : a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0;
}

/** An index in byScore order; the view only needs the record. */
function numericIndex(): DialOrderIndex {
  type Key = { readonly score: number; readonly id: string };
  return new DialOrderIndex(
    {
      key: (peer): Key => ({ score: peer.record.mutableScore, id: peer.record.id }),
      compare: (a, b) => {
        const [x, y] = [a as Key, b as Key];
        return x.score - y.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
      },
    },
    (entry) => ({ record: entry.record }) as unknown as PeerView,
  );
}

const op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      id: fc.nat(40),
      score: fc.integer({ min: -20, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), id: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('walk' as const) }) },
);

describe('DialOrderIndex', () => {
  it('walks the live entries in key order whatever was changed or removed before (property)', () => {
    let walks = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400, size: 'max' }), (ops) => {
        const index = numericIndex();
        const live = new Map<number, BookEntry>();
        const compareWalk = (): void => {
          const expected = [...live.values()].sort(byScore);
          assert.deepEqual([...index.walk()], expected);
          assert.equal(index.size, live.size);
          assert.ok(index.capacity <= 2 * live.size + DEAD_ALLOWANCE + 1, `capacity ${index.capacity}`);
          walks++;
        };
        for (const o of ops) {
          if (o.kind === 'set') {
            let entry = live.get(o.id);
            if (entry === undefined) {
              entry = entryOf(o.id, o.score);
              live.set(o.id, entry);
            } else {
              (entry.record as { mutableScore: number }).mutableScore = o.score;
            }
            index.touched(entry);
          } else if (o.kind === 'remove') {
            const entry = live.get(o.id);
            if (entry === undefined) continue;
            live.delete(o.id);
            index.removed(entry);
          } else {
            compareWalk();
          }
        }
        compareWalk(); // every run ends with a walk, whatever the generated operations were
      }),
      { numRuns: RUNS },
    );
    assert.ok(walks >= RUNS, `only ${walks} walks compared`);
  });

  it('compacts: re-keying one entry 10,000 times keeps the slots bounded and the order right', () => {
    const index = numericIndex();
    const entries = Array.from({ length: 100 }, (_, i) => entryOf(i, i));
    for (const entry of entries) index.touched(entry);
    assert.equal([...index.walk()].length, 100);
    const first = entries[0]!;
    for (let i = 0; i < 10_000; i++) {
      // The best entry moves to the back and then forward again: what a dial and a later answer do.
      (first.record as { mutableScore: number }).mutableScore = i % 2 === 0 ? 1000 : -1;
      index.touched(first);
      const walked = [...index.walk()];
      assert.equal(walked.length, 100);
      assert.equal(walked[i % 2 === 0 ? 99 : 0], first);
      assert.ok(index.capacity <= 2 * 100 + DEAD_ALLOWANCE + 1, `capacity ${index.capacity} at step ${i}`);
    }
  });
});
