// The PeerManager's in-memory copy of the peer store: one entry per known peer, with the persisted
// record and the process-local facts that are not worth persisting (the jittered retry time of each
// address, when the peer last disconnected, whether the operator configured it as persistent or
// private). Every change is written through to the PeerStore with put/delete; the store batches and
// commits them. Records loaded from disk are checked field by field: a damaged record is dropped, never
// trusted and never allowed to crash the node (v0.35 panicked on a corrupt address book).

import {
  MAX_ADDRESS_TEXT,
  parseNodeAddress,
  peerIdOf,
  type NodeAddress,
  type NodeId,
} from '../../core/node-address.ts';
import type { Logger } from '../../core/logger.ts';
import { clampScore } from './scoring.ts';
import type { PeerAddressRecord, PeerRecord, PeerStore } from './types.ts';

export interface BookEntry {
  readonly record: PeerRecord;
  /** Parsed form of each address in `record.addresses`, by address text. */
  readonly parsed: Map<string, NodeAddress>;
  /** Epoch ms before which each address must not be dialed (backoff including its jitter), by text. */
  readonly retryAt: Map<string, number>;
  lastDisconnected: number | undefined;
  persistent: boolean;
  private: boolean;
}

/** Dial failures are counted up to this (about 2^20: far past any backoff cap, still a small number). */
const MAX_COUNTED_FAILURES = 1_000_000;

/** Told about every entry created, saved (its record may have changed) or removed. */
export interface BookWatcher {
  touched(entry: BookEntry): void;
  removed(entry: BookEntry): void;
}

export class PeerBook {
  private readonly entries = new Map<NodeId, BookEntry>();
  /** The indexes kept over the book (dial order, score order): a fixed few per PeerManager. */
  private readonly watchers: BookWatcher[] = [];

  constructor(
    private readonly store: PeerStore,
    private readonly maxAddressesPerPeer: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds a watcher (an index over the book); entries already present count as created. */
  watch(watcher: BookWatcher): void {
    this.watchers.push(watcher);
    for (const entry of this.entries.values()) watcher.touched(entry);
  }

  get(id: NodeId): BookEntry | undefined {
    return this.entries.get(id);
  }

  values(): IterableIterator<BookEntry> {
    return this.entries.values();
  }

  /** Creates an empty entry (not yet persisted: call save). */
  create(id: NodeId): BookEntry {
    const entry: BookEntry = {
      record: { id, addresses: [], inactive: false, mutableScore: 0 },
      parsed: new Map(),
      retryAt: new Map(),
      lastDisconnected: undefined,
      persistent: false,
      private: false,
    };
    this.entries.set(id, entry);
    for (const watcher of this.watchers) watcher.touched(entry);
    return entry;
  }

  /**
   * Writes the entry's record through to the store. No copy here: put() takes its own snapshot
   * (PeerStore's contract), and a second copy per save was a fifth of a Zcash dial's cost.
   */
  save(entry: BookEntry): void {
    for (const watcher of this.watchers) watcher.touched(entry);
    try {
      this.store.put(entry.record);
    } catch (error) {
      // A closed or failing store must not break connection management: memory stays authoritative.
      this.logger.warn({ err: error, peer: entry.record.id }, 'peer store refused a write');
    }
  }

  remove(id: NodeId): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    for (const watcher of this.watchers) watcher.removed(entry);
    try {
      this.store.delete(id);
    } catch (error) {
      this.logger.warn({ err: error, peer: id }, 'peer store refused a delete');
    }
  }

  /**
   * Adds an address to an entry. When the entry is at its address cap, the new address replaces the
   * address with the most consecutive failures, and only if that one has failed at least once: an
   * address that works is never pushed out by gossip. Returns true if the address was added.
   */
  addAddress(entry: BookEntry, address: NodeAddress, text: string): boolean {
    if (entry.parsed.has(text)) return false;
    const list = entry.record.addresses;
    if (list.length >= this.maxAddressesPerPeer) {
      let worst = -1;
      for (let i = 0; i < list.length; i++) {
        if (list[i]!.dialFailures > 0 && (worst < 0 || list[i]!.dialFailures > list[worst]!.dialFailures))
          worst = i;
      }
      if (worst < 0) return false;
      this.removeAddressAt(entry, worst);
    }
    list.push({ address: text, dialFailures: 0 });
    entry.parsed.set(text, address);
    return true;
  }

  removeAddress(entry: BookEntry, text: string): void {
    const index = entry.record.addresses.findIndex((a) => a.address === text);
    if (index >= 0) this.removeAddressAt(entry, index);
  }

  private removeAddressAt(entry: BookEntry, index: number): void {
    const [gone] = entry.record.addresses.splice(index, 1);
    if (gone === undefined) return;
    entry.parsed.delete(gone.address);
    entry.retryAt.delete(gone.address);
  }

  addressRecord(entry: BookEntry, text: string): PeerAddressRecord | undefined {
    return entry.record.addresses.find((a) => a.address === text);
  }

  /** Loads records from the store, dropping damaged ones and ourselves. Returns the loaded entries. */
  load(records: readonly unknown[], selfId: NodeId): BookEntry[] {
    const loaded: BookEntry[] = [];
    let dropped = 0;
    for (const raw of records) {
      const record = sanitizeRecord(raw, this.maxAddressesPerPeer);
      if (record === undefined || record.id === selfId || this.entries.has(record.id)) {
        dropped++;
        continue;
      }
      const entry = this.create(record.id);
      Object.assign(entry.record, record);
      for (const a of record.addresses) entry.parsed.set(a.address, parseNodeAddress(a.address));
      loaded.push(entry);
    }
    if (dropped > 0)
      this.logger.warn({ dropped }, 'dropped damaged or duplicate peer records from the store');
    return loaded;
  }
}

function optionalTime(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function sanitizeAddress(raw: unknown, id: NodeId): PeerAddressRecord | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.address !== 'string' || r.address.length > MAX_ADDRESS_TEXT) return undefined;
  let parsed: NodeAddress;
  try {
    parsed = parseNodeAddress(r.address);
  } catch {
    return undefined;
  }
  if (peerIdOf(parsed) !== id) return undefined;
  const failures = typeof r.dialFailures === 'number' && Number.isFinite(r.dialFailures) ? r.dialFailures : 0;
  const out: PeerAddressRecord = {
    address: r.address,
    dialFailures: Math.max(0, Math.min(MAX_COUNTED_FAILURES, Math.trunc(failures))),
  };
  const success = optionalTime(r.lastDialSuccess);
  const failure = optionalTime(r.lastDialFailure);
  if (success !== undefined) out.lastDialSuccess = success;
  if (failure !== undefined) out.lastDialFailure = failure;
  return out;
}

/** A clean copy of a stored record, or undefined when it is unusable. Exported for tests. */
export function sanitizeRecord(raw: unknown, maxAddresses: number): PeerRecord | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > MAX_ADDRESS_TEXT) return undefined;
  const id = r.id;
  const addresses: PeerAddressRecord[] = [];
  const seen = new Set<string>();
  if (Array.isArray(r.addresses)) {
    for (const a of r.addresses as unknown[]) {
      const clean = sanitizeAddress(a, id);
      if (clean === undefined || seen.has(clean.address) || addresses.length >= maxAddresses) continue;
      seen.add(clean.address);
      addresses.push(clean);
    }
  }
  const record: PeerRecord = {
    id,
    addresses,
    inactive: r.inactive === true,
    mutableScore: typeof r.mutableScore === 'number' ? clampScore(r.mutableScore) : 0,
  };
  const lastConnected = optionalTime(r.lastConnected);
  const bannedUntil = optionalTime(r.bannedUntil);
  if (lastConnected !== undefined) record.lastConnected = lastConnected;
  if (bannedUntil !== undefined) record.bannedUntil = bannedUntil;
  if (typeof r.policy === 'object' && r.policy !== null && !Array.isArray(r.policy)) {
    record.policy = structuredClone(r.policy as Record<string, unknown>);
  }
  return record;
}
