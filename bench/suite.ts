// What a benchmark suite is: a named unit that measures some figures and reports them to the run's
// collector. Baselines, the js-libp2p comparison and (later) every peerwire feature are suites; the
// runner (run-all.ts) calls them in order and keeps going when one fails.

import type { BenchConfig } from './harness.ts';
import type { ResultsCollector } from './results.ts';

export interface BenchContext {
  readonly config: BenchConfig;
  readonly results: ResultsCollector;
  /** Progress line on stderr (the table goes to stdout at the end). */
  log(message: string): void;
}

export interface Suite {
  /** Short name, also matched by BENCH_FILTER ("tcp", "sealed", "libp2p", "peerwire-mconn", ...). */
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<void>;
}
