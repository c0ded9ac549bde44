// The contract every PeerStore keeps, whatever holds the records: a new store is empty; what was put
// and flushed is what the next run loads (every field, deep-equal); a put is a snapshot of the caller's
// object and a load hands out copies; the last put or delete of an id wins; writes after close are
// refused with a typed error; close is idempotent; and any sequence of puts, deletes and flushes
// leaves the state a simple model predicts. memory-peer-store and file-peer-store run it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode } from '../../../src/core/errors.ts';
import type { PeerRecord, PeerStore } from '../../../src/engine/peers/types.ts';

export interface PeerStoreHarness<S extends PeerStore> {
  /** A new, empty store, loaded (load() already called, as the PeerManager does on start). */
  create(): Promise<S>;
  /** The next run: a new instance over what `store` committed, loaded. `store` may be closed already. */
  reopen(store: S): Promise<{ readonly store: S; readonly records: PeerRecord[] }>;
}

const RUNS = Number(process.env.FC_RUNS ?? 25);

/** A record with every optional field set, distinct per n. */
export function fullRecord(n: number): PeerRecord {
  const id = n.toString(16).padStart(40, 'c');
  return {
    id,
    addresses: [
      {
        address: `${id}@127.0.0.1:${20_000 + n}`,
        dialFailures: n % 5,
        lastDialSuccess: 1_704_067_200_000 + n,
      },
      { address: `${id}@[::1]:${20_000 + n}`, dialFailures: 0, lastDialFailure: 1_704_067_300_000 },
    ],
    lastConnected: 1_704_067_400_000 + n,
    inactive: n % 2 === 0,
    mutableScore: (n % 21) - 10,
    bannedUntil: 1_704_153_600_000,
    policy: { state: 'responded', services: n, nested: { list: [1, 'two', null, true] } },
  };
}

const byId = (a: PeerRecord, b: PeerRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const sorted = (records: readonly PeerRecord[]): PeerRecord[] => [...records].sort(byId);

type Op =
  | { readonly kind: 'put'; readonly n: number; readonly score: number }
  | { readonly kind: 'delete'; readonly n: number }
  | { readonly kind: 'flush' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    n: fc.integer({ min: 1, max: 8 }),
    score: fc.integer({ min: -50, max: 50 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
);

export function runPeerStoreContract<S extends PeerStore>(name: string, h: PeerStoreHarness<S>): void {
  describe(`peer store contract: ${name}`, () => {
    it('a new store is empty', async () => {
      const store = await h.create();
      const next = await h.reopen(store);
      assert.deepEqual(next.records, []);
      await store.close();
      await next.store.close();
    });

    it('what was put and flushed is what the next run loads, every field deep-equal', async () => {
      const store = await h.create();
      const records = [
        fullRecord(1),
        fullRecord(2),
        { id: 'minimal', addresses: [], inactive: false, mutableScore: 0 },
      ];
      for (const record of records) store.put(record);
      await store.flush();
      const next = await h.reopen(store);
      assert.deepEqual(sorted(next.records), sorted(records));
      await store.close();
      await next.store.close();
    });

    it('close commits pending changes', async () => {
      const store = await h.create();
      store.put(fullRecord(3));
      await store.close();
      const next = await h.reopen(store);
      assert.deepEqual(next.records, [fullRecord(3)]);
      await next.store.close();
    });

    it('a put is a snapshot, and a load hands out copies', async () => {
      const store = await h.create();
      const record = fullRecord(4);
      store.put(record);
      record.mutableScore = 99;
      record.addresses[0]!.dialFailures = 9;
      await store.close();
      const next = await h.reopen(store);
      assert.deepEqual(next.records, [fullRecord(4)]);
      next.records[0]!.mutableScore = 55;
      assert.deepEqual(await next.store.load(), [fullRecord(4)]);
      await next.store.close();
    });

    it('the last put or delete of an id wins', async () => {
      const store = await h.create();
      store.put(fullRecord(5));
      store.put({ ...fullRecord(5), mutableScore: 7 });
      store.put(fullRecord(6));
      store.delete(fullRecord(6).id);
      await store.close();
      const next = await h.reopen(store);
      assert.deepEqual(next.records, [{ ...fullRecord(5), mutableScore: 7 }]);
      await next.store.close();
    });

    it('refuses writes after close with a typed error; close is idempotent', async () => {
      const store = await h.create();
      await store.close();
      assert.throws(() => store.put(fullRecord(1)), { code: ErrorCode.Closed });
      assert.throws(() => store.delete(fullRecord(1).id), { code: ErrorCode.Closed });
      await store.close();
    });

    it('any sequence of puts, deletes and flushes leaves what a model predicts (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 30, size: 'max' }), async (ops) => {
          const store = await h.create();
          const model = new Map<string, PeerRecord>();
          for (const op of ops) {
            if (op.kind === 'flush') {
              await store.flush();
            } else if (op.kind === 'put') {
              const record = { ...fullRecord(op.n), mutableScore: op.score };
              store.put(record);
              model.set(record.id, record);
            } else {
              store.delete(fullRecord(op.n).id);
              model.delete(fullRecord(op.n).id);
            }
          }
          await store.close();
          const next = await h.reopen(store);
          assert.deepEqual(sorted(next.records), sorted([...model.values()]));
          await next.store.close();
        }),
        { numRuns: RUNS },
      );
    });
  });
}
