// Zebra's address book over the PeerManager: operations per second at a full 5,000-entry book
// (heartbeat updates, insertion with eviction, next reconnection candidate, gossip sanitising).
// Figures are absolute (no baseline measures the same thing); see bench/support/address-book-bench.ts.
// The module is loaded when the suite runs, so a book still under construction (or one whose API
// changed) becomes a printed skip with its reason instead of breaking every other suite's import.

import type { Suite } from '../harness.ts';

/** Entries in the book: Zebra's address-book cap. */
const BOOK_ENTRIES = 5000;

/** The helper's shape this suite relies on (checked at run time, since it is loaded dynamically). */
interface AddressBookBench {
  measureAddressBookOps(options: {
    readonly entries: number;
    readonly timeMs: number;
    readonly warmupMs: number;
  }): Promise<{ readonly opsPerSec: Readonly<Record<string, number>> }>;
}

const FIGURES = [
  ['update', 'heartbeat update (update-responded)'],
  ['insertAtCap', 'gossiped insert into a full book (with eviction)'],
  ['dialNext', 'next reconnection candidate'],
  ['sanitize', 'sanitized gossip list (getaddr refresh)'],
] as const;

async function load(): Promise<AddressBookBench | string> {
  try {
    const mod =
      (await import('../support/address-book-bench.ts')) as Partial<AddressBookBench>;
    if (typeof mod.measureAddressBookOps !== 'function')
      return 'address-book-bench.ts has no measureAddressBookOps';
    return mod as AddressBookBench;
  } catch (err) {
    return `bench/support/address-book-bench.ts did not load: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export const zcashAddressBookSuite: Suite = {
  name: 'peerwire-zcash-book',
  description: `Zebra address-book operations per second at ${BOOK_ENTRIES} entries`,
  async run(ctx) {
    const bench = await load();
    if (typeof bench === 'string') {
      ctx.results.skip('peerwire-zcash-book', bench);
      return;
    }
    ctx.log(`peerwire-zcash-book: filling a ${BOOK_ENTRIES}-entry book and timing its operations`);
    const result = await bench.measureAddressBookOps({
      entries: BOOK_ENTRIES,
      timeMs: ctx.config.measureMs,
      warmupMs: ctx.config.warmupMs,
    });
    for (const [key, label] of FIGURES) {
      const value = result.opsPerSec[key];
      if (typeof value !== 'number') {
        ctx.results.skip('peerwire-zcash-book', `no "${key}" figure in the helper's result`);
        continue;
      }
      ctx.results.add('peerwire-zcash-book', {
        id: `peerwire.zcash.book.${key}`,
        label: `${label}, ${BOOK_ENTRIES} entries`,
        value,
        unit: 'op/s',
        better: 'higher',
      });
    }
  },
};
