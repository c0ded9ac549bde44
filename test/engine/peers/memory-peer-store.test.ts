// The in-memory PeerStore: pending writes, atomic flush, copies in and out, close.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import type { PeerRecord } from '../../../src/engine/peers/types.ts';
import { nodeId } from './peer-fixtures.ts';

const rec = (n: number, score = 0): PeerRecord => ({
  id: nodeId(n),
  addresses: [],
  inactive: false,
  mutableScore: score,
});

describe('MemoryPeerStore', () => {
  it('commits puts and deletes only on flush', async () => {
    const store = new MemoryPeerStore([rec(1)]);
    store.put(rec(2));
    store.delete(nodeId(1));
    assert.equal(store.pendingChanges, 2);
    assert.deepEqual(
      (await store.load()).map((r) => r.id),
      [nodeId(1)],
    );
    await store.flush();
    assert.deepEqual(
      (await store.load()).map((r) => r.id),
      [nodeId(2)],
    );
    assert.equal(store.commits, 1);
    await store.flush();
    assert.equal(store.commits, 1);
  });

  it('copies records in and out', async () => {
    const store = new MemoryPeerStore();
    const r = rec(3);
    store.put(r);
    r.mutableScore = 99;
    await store.flush();
    const [loaded] = await store.load();
    assert.equal(loaded!.mutableScore, 0);
    loaded!.mutableScore = 5;
    assert.equal((await store.load())[0]!.mutableScore, 0);
  });

  it('flushes on close and refuses writes afterwards', async () => {
    const store = new MemoryPeerStore();
    store.put(rec(4, 2));
    await store.close();
    assert.equal(store.snapshot()[0]!.mutableScore, 2);
    assert.throws(() => store.put(rec(5)), { code: 'ERR_CLOSED' });
    await store.close();
  });
});
