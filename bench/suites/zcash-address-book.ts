// Zebra's address book over the PeerManager: operations per second at a full 5,000-entry book
// (heartbeat updates, insertion with eviction, next reconnection candidate, gossip sanitising).
// Figures are absolute (no baseline measures the same thing); see src/protocols/zcash/address-book-bench.ts.

import type { Suite } from '../harness.ts';
import { measureAddressBookOps } from '../../src/protocols/zcash/address-book-bench.ts';

export const zcashAddressBookSuite: Suite = {
  name: 'zcash-address-book',
  description: 'Zebra address-book operations per second at 5,000 entries',
  async run(ctx) {
    const result = await measureAddressBookOps({
      entries: 5000,
      timeMs: ctx.config.measureMs,
      warmupMs: ctx.config.warmupMs,
    });
    const figures = [
      ['update', 'heartbeat update (update-responded)'],
      ['insertAtCap', 'gossiped insert into a full book (with eviction)'],
      ['dialNext', 'next reconnection candidate'],
      ['sanitize', 'sanitized gossip list (getaddr refresh)'],
    ] as const;
    for (const [key, label] of figures) {
      ctx.results.add('zcash-address-book', {
        id: `peerwire.zcash.book.${key}`,
        label: `${label}, 5,000 entries`,
        value: result.opsPerSec[key],
        unit: 'op/s',
        better: 'higher',
      });
    }
    ctx.log(`zcash-address-book: ${JSON.stringify(result.opsPerSec)}`);
  },
};
