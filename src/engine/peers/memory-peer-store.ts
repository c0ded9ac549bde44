// An in-memory PeerStore, for tests and for nodes without a home directory. It behaves like the
// file store from the PeerManager's side: put/delete are pending until flush() commits them all at
// once, load() returns the last committed state, and records are copied in and out so that nobody
// shares mutable objects with the store. `initial` seeds the committed state (a "previous run").
// Copies are made by a plain walk of the record's JSON-like values, not structuredClone: a put happens
// on every dial and every dial failure, and structuredClone costs about 3 µs per small record.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { PeerRecord, PeerStore } from './types.ts';

type Pending = { readonly kind: 'put'; readonly record: PeerRecord } | { readonly kind: 'delete' };

export class MemoryPeerStore implements PeerStore {
  private committed = new Map<NodeId, PeerRecord>();
  private pending = new Map<NodeId, Pending>();
  private closed = false;
  /** Number of flushes that committed at least one change (for tests). */
  commits = 0;

  constructor(initial: readonly PeerRecord[] = []) {
    for (const record of initial) this.committed.set(record.id, copyRecord(record));
  }

  load(): Promise<PeerRecord[]> {
    return Promise.resolve([...this.committed.values()].map((r) => copyRecord(r)));
  }

  put(record: PeerRecord): void {
    this.assertOpen();
    this.pending.set(record.id, { kind: 'put', record: copyRecord(record) });
  }

  delete(id: NodeId): void {
    this.assertOpen();
    this.pending.set(id, { kind: 'delete' });
  }

  flush(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    for (const [id, change] of this.pending) {
      if (change.kind === 'put') this.committed.set(id, change.record);
      else this.committed.delete(id);
    }
    this.pending.clear();
    this.commits++;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }

  /** Committed records (a copy), for tests. */
  snapshot(): PeerRecord[] {
    return [...this.committed.values()].map((r) => copyRecord(r));
  }

  /** Changes not yet flushed. */
  get pendingChanges(): number {
    return this.pending.size;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new PeerwireError(ErrorCode.Closed, 'peer store is closed', { action: 'transient' });
  }
}

/** A deep copy of a record: objects, arrays and primitives (records hold JSON-like values only). */
function copyRecord(record: PeerRecord): PeerRecord {
  return copyValue(record) as PeerRecord;
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyValue((value as Record<string, unknown>)[key]);
  return out;
}
