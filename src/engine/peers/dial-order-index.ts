// The book's peers kept sorted in a policy's dial order, so "which peer next" walks from the best
// entry and stops at the first dialable one instead of collecting and ranking the whole book on every
// dial (a 5,000-entry Zcash book took ~5-10 ms per dial that way). Zebra keeps its address book in a
// sorted set for the same reason.
//
// The index follows the book: a created or saved entry is marked dirty, a removed one leaves at once;
// dirty entries are re-keyed just before the next walk (an entry loaded from the store is filled in
// after it is created, so keying it at creation would be wrong). Each entry's key is the snapshot the
// policy computed when it was last placed, so its old position can be found after the record changed.
// A removed or re-keyed entry's old slot is not spliced out: it is marked dead and skipped, and the
// array is compacted once dead slots outnumber live ones (amortised O(1) per removal). A dial moves the
// best entry, at the front, to the back; splicing it out of a 5,000-slot array moved every other slot
// and was the largest cost of a dial. Dead slots keep their keys, so the array stays sorted for the
// binary search. Memory: at most two slots per book entry plus a constant, and the dirty set, all
// bounded by the book's size.

import type { BookEntry } from './peer-book.ts';
import type { DialOrder, PeerView } from './policy.ts';

interface Slot {
  readonly entry: BookEntry;
  readonly key: unknown;
  /** Left the book or re-keyed: skipped by walks, dropped at the next compaction. */
  dead: boolean;
}

/** Dead slots tolerated before a compaction even in a tiny book (keeps small books from compacting often). */
const MIN_DEAD_BEFORE_COMPACTION = 64;

export class DialOrderIndex {
  /** Sorted by key; slots before `start` are all dead, later ones may be. */
  private slots: Slot[] = [];
  private start = 0;
  private deadCount = 0;
  private readonly slotOf = new Map<BookEntry, Slot>();
  private readonly dirty = new Set<BookEntry>();

  constructor(
    private readonly order: DialOrder,
    private readonly view: (entry: BookEntry) => PeerView,
  ) {}

  /** Entries placed (live slots). */
  get size(): number {
    return this.slots.length - this.deadCount;
  }

  /** Slots held, dead ones included (bounded by twice the size plus a constant). */
  get capacity(): number {
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
    this.kill(slot);
  }

  /** Entries best first. Do not change the book while walking (re-keying happens before the walk). */
  *walk(): IterableIterator<BookEntry> {
    this.refresh();
    for (let i = this.start; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (!slot.dead) yield slot.entry;
    }
  }

  private refresh(): void {
    if (this.dirty.size > 0) {
      for (const entry of this.dirty) {
        const old = this.slotOf.get(entry);
        if (old !== undefined) this.kill(old);
        const slot: Slot = { entry, key: this.order.key(this.view(entry)), dead: false };
        this.slotOf.set(entry, slot);
        this.slots.splice(this.lowerBound(slot.key), 0, slot);
      }
      this.dirty.clear();
    }
    if (this.deadCount > Math.max(MIN_DEAD_BEFORE_COMPACTION, this.size)) this.compact();
    while (this.start < this.slots.length && this.slots[this.start]!.dead) this.start++;
  }

  /** The first position (from `start`) whose key is not before `key`. */
  private lowerBound(key: unknown): number {
    let lo = this.start;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order.compare(this.slots[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private kill(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    this.deadCount++;
  }

  private compact(): void {
    this.slots = this.slots.filter((slot) => !slot.dead);
    this.start = 0;
    this.deadCount = 0;
  }
}
