// Both PeerStore implementations keep the peer-store contract (peer-store-contract.ts): the in-memory
// store (a "next run" starts from what it committed) and the file store (a new instance over the same
// file, timers on a manual clock so nothing outlives a test).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { FilePeerStore } from '../../../src/engine/peers/file-peer-store.ts';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import type { PeerStore } from '../../../src/engine/peers/types.ts';
import { runPeerStoreContract } from './peer-store-contract.ts';

async function loaded<S extends PeerStore>(
  store: S,
): Promise<{ store: S; records: Awaited<ReturnType<S['load']>> }> {
  const records = (await store.load()) as Awaited<ReturnType<S['load']>>;
  return { store, records };
}

runPeerStoreContract('memory', {
  create: async () => (await loaded(new MemoryPeerStore())).store,
  reopen: (store) => loaded(new MemoryPeerStore(store.snapshot())),
});

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const clock = new ManualClock();
let files = 0;

runPeerStoreContract('file', {
  create: async () => {
    if (dirs.length === 0) dirs.push(await mkdtemp(join(tmpdir(), 'peerwire-store-contract-')));
    const path = join(dirs[0]!, `peers-${files++}.dat`);
    return (await loaded(new FilePeerStore({ path, clock }))).store;
  },
  reopen: (store) => loaded(new FilePeerStore({ path: store.path, clock })),
});
