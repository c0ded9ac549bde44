// Peerwire's own benchmark suites: the extension point for features. Each feature adds one module under
// bench/suites/ exporting a `Suite` (name, description, run(ctx)) and lists it here. A suite measures
// only peerwire's side and reports figures whose `compare` entries name the baseline ids measured in
// the same run, with the spec's target ratio (see BENCHMARKS.md for the ids), for example:
//
//   ctx.results.add('peerwire-mconn', {
//     id: 'peerwire.mconn.msgs.1k', label: '1 KiB msgs, one send each, 2 procs',
//     value: msgsPerSec, unit: 'msg/s', better: 'higher',
//     compare: [{ to: 'libp2p.msgs.1k', target: 4 }, { to: 'sealed.1k.frames', target: 0.6 }],
//   });
//
// Suites run after the baselines and the js-libp2p comparison, in list order; BENCH_FILTER selects by
// name. Helpers: ../harness.ts (timing, percentiles, CPU, memory, child-process sides, results).

import type { Suite } from '../harness.ts';
import { cometbftSuite } from './cometbft.ts';
import { cometbftRouterSuite } from './cometbft-router.ts';
import { routerSuite } from './router.ts';
import { scalingSuite } from './scaling.ts';
import { zcashAddressBookSuite } from './zcash-address-book.ts';
import { zcashDecodeSuite } from './zcash-decode.ts';
import { zcashWireSuite } from './zcash-wire.ts';

export const peerwireSuites: readonly Suite[] = [
  routerSuite,
  zcashDecodeSuite,
  zcashWireSuite,
  zcashAddressBookSuite,
  cometbftSuite,
  cometbftRouterSuite,
  scalingSuite,
];
