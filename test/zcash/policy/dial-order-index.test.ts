// The sorted dial-order index (engine/peers/dial-order-index.ts) under Zebra's reconnection order:
// under random gossip, dials that fail or succeed, disconnections and time, a PeerManager that walks
// the index dials exactly the addresses, in exactly the order, that one ranking every candidate dials;
// and the index holds one slot per book entry however much the book churns.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flushMicrotasks } from '../../../src/core/clock.ts';
import { disconnectOne, settleDial, zaddr, zebraHarness, type ZebraHarness } from './zebra-fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 60);
const CAP = 40;

const op = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('gossip' as const),
      entries: fc.array(
        fc.record({
          n: fc.integer({ min: 0, max: 60 }),
          port: fc.constantFrom(8233, 8233, 9000),
          age: fc.integer({ min: -600, max: 4 * 86400 }),
        }),
        { maxLength: 20, size: 'max' },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('dial' as const), ok: fc.constantFrom(false, false, true) }),
  },
  fc.record({ kind: fc.constant('disconnect' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300_000 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Applies one step; returns the dialed address text for a dial step. */
async function step(h: ZebraHarness, o: Op): Promise<string | undefined> {
  let dialed: string | undefined;
  switch (o.kind) {
    case 'gossip': {
      const now = h.nowSeconds();
      h.book.addGossiped(
        o.entries.map((e) => ({ addr: zaddr(e.n, e.port), services: 1n, untrustedLastSeen: now - e.age })),
      );
      break;
    }
    case 'dial': {
      await h.clock.advance(h.policy.limits.minDialInterval);
      const address = h.pm.dialNext();
      if (address === undefined) break;
      dialed = `${address.host}:${address.port}`;
      settleDial(h, address, dialed, o.ok);
      break;
    }
    case 'disconnect':
      disconnectOne(h, o.pick);
      break;
    case 'advance':
      await h.clock.advance(o.ms);
      break;
  }
  h.book.drain();
  await flushMicrotasks();
  return dialed;
}

describe('dial-order index', () => {
  it('dials what ranking every candidate dials, in the same order', async () => {
    let dials = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 20, maxLength: 80, size: 'max' }),
        fc.integer({ min: 1, max: 1000 }),
        async (ops, seed) => {
          const policy = { initialTargetSize: 2, maxAddresses: CAP };
          const indexed = await zebraHarness({ policy, seed });
          const scanned = await zebraHarness({ policy, seed, withoutDialOrder: true });
          assert.ok(indexed.policy.dialOrder !== undefined && scanned.policy.dialOrder === undefined);
          for (const o of ops) {
            const [a, b] = [await step(indexed, o), await step(scanned, o)];
            assert.equal(a, b);
            if (a !== undefined) dials++;
            assert.equal(indexed.pm.nextDialTime(), scanned.pm.nextDialTime());
          }
          indexed.book.stop();
          scanned.book.stop();
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(dials >= RUNS, `only ${dials} dials compared`);
  });

  it('keeps one slot per book entry while gossip churns a full book', async () => {
    const h = await zebraHarness({ policy: { initialTargetSize: 2, maxAddresses: 50 } });
    for (let i = 0; i < 2000; i++) {
      h.book.addGossiped([{ addr: zaddr(i), services: 1n, untrustedLastSeen: h.nowSeconds() }]);
      if (i % 7 === 0) {
        const address = h.pm.dialNext();
        if (address !== undefined) h.pm.dialFailed(address);
        await h.clock.advance(100);
      }
    }
    h.pm.dialNext(); // a walk re-keys what changed since the last one
    const planner = (h.pm as unknown as { planner: { index: { size: number } } }).planner;
    assert.equal(planner.index.size, h.pm.stats().stored);
    assert.ok(h.pm.stats().stored <= 50);
    h.book.stop();
  });
});
