// The book's peers kept sorted in a policy's dial order, so "which peer next" walks from the best
// entry and stops at the first dialable one instead of collecting and ranking the whole book on every
// dial (a 5,000-entry Zcash book took ~5-10 ms per dial that way). Zebra keeps its address book in a
// sorted set for the same reason.
//
// The index follows the book: a created or saved entry is marked dirty, a removed one leaves at once;
// dirty entries are re-keyed just before the next walk (an entry loaded from the store is filled in
// after it is created, so keying it at creation would be wrong). Each entry's key is the snapshot the
// policy computed when it was last placed, so its old position can be found after the record changed.
// Memory: one slot per book entry plus the dirty set, both bounded by the book's size.

import type { BookEntry } from './peer-book.ts';
import type { DialOrder, PeerView } from './policy.ts';

interface Slot {
  readonly entry: BookEntry;
  key: unknown;
}

export class DialOrderIndex {
  private readonly slots: Slot[] = [];
  private readonly slotOf = new Map<BookEntry, Slot>();
  private readonly dirty = new Set<BookEntry>();

  constructor(
    private readonly order: DialOrder,
    private readonly view: (entry: BookEntry) => PeerView,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  /** The entry was created or its record changed: re-key it before the next walk. */
  touched(entry: BookEntry): void {
    this.dirty.add(entry);
  }

  /** The entry left the book. */
  removed(entry: BookEntry): void {
    this.dirty.delete(entry);
    const slot = this.slotOf.get(entry);
    if (slot === undefined) return;
    this.slotOf.delete(entry);
    this.unplace(slot);
  }

  /** Entries best first. Do not change the book while walking (re-keying happens before the walk). */
  *walk(): IterableIterator<BookEntry> {
    this.refresh();
    for (let i = 0; i < this.slots.length; i++) yield this.slots[i]!.entry;
  }

  private refresh(): void {
    if (this.dirty.size === 0) return;
    for (const entry of this.dirty) {
      const old = this.slotOf.get(entry);
      if (old !== undefined) this.unplace(old);
      const slot: Slot = { entry, key: this.order.key(this.view(entry)) };
      this.slotOf.set(entry, slot);
      this.slots.splice(this.lowerBound(slot.key), 0, slot);
    }
    this.dirty.clear();
  }

  /** The first position whose key is not before `key`. */
  private lowerBound(key: unknown): number {
    let lo = 0;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order.compare(this.slots[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private unplace(slot: Slot): void {
    const at = this.positionOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
  }

  /** Where a placed slot sits: its key's lower bound, then along equal keys to the slot itself. */
  private positionOf(slot: Slot): number {
    for (let i = this.lowerBound(slot.key); i < this.slots.length; i++) {
      if (this.slots[i] === slot) return i;
    }
    // Unreachable while keys are immutable snapshots; a linear search keeps the index consistent anyway.
    return this.slots.indexOf(slot);
  }
}
