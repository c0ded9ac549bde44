// `npm run bench`: runs the physical baselines, the js-libp2p comparison and peerwire's own suites
// (bench/suites/index.ts) in one process tree, prints one table with every figure beside its same-run
// baselines, and writes JSON lines to bench/results/latest.jsonl (BENCH_OUT overrides).
// BENCH_QUICK=1 gives a smoke pass; BENCH_FILTER=<regex> selects suites by name. A suite that fails is
// reported and skipped; the run carries on and exits non-zero at the end.

import { baselineSuites } from './baselines/index.ts';
import { libp2pSuite } from './comparisons/libp2p.ts';
import { loadConfig, machineInfo, ResultsCollector, type BenchContext, type Suite } from './harness.ts';
import { peerwireSuites } from './suites/index.ts';

const config = loadConfig();
const machine = machineInfo();
const results = new ResultsCollector({
  ...machine,
  // peerwire as published (tsc output in dist/) unless BENCH_DIST=0: its sources through tsx. The
  // register script (scripts/bench-dist-register.mjs) sets BENCH_DIST=1 when it is unset.
  build: process.env.BENCH_DIST === '1' ? 'dist' : 'source (tsx)',
  quick: config.quick,
  measureMs: config.measureMs,
  warmupMs: config.warmupMs,
  repeat: config.repeat,
});
const started = performance.now();
const ctx: BenchContext = {
  config,
  results,
  log: (message) =>
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`),
};

const suites: readonly Suite[] = [...baselineSuites, libp2pSuite, ...peerwireSuites];
let failed = 0;
ctx.log(
  `node ${machine.node}, ${machine.cpus} cpus, load ${machine.load1}; ${config.quick ? 'QUICK smoke pass' : 'full run'}` +
    ` of ${process.env.BENCH_DIST === '1' ? 'dist/ (the published build)' : 'the sources through tsx'}` +
    ` (phase ${config.measureMs} ms, warm-up ${config.warmupMs} ms, repeat ${config.repeat})`,
);
for (const suite of suites) {
  if (config.filter !== undefined && !config.filter.test(suite.name)) continue;
  ctx.log(`suite ${suite.name}: ${suite.description}`);
  try {
    await suite.run(ctx);
  } catch (err) {
    failed++;
    results.skip(suite.name, `failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

const end = machineInfo();
console.log(
  `\npeerwire benchmark — node ${machine.node}, ${machine.cpus}x ${machine.cpuModel}, ` +
    `load ${machine.load1} at start / ${end.load1} at end${config.quick ? ', QUICK (indicative only)' : ''}`,
);
console.log('Ratios compare figures measured in this same run; absolute numbers vary with the box load.');
console.log(results.table());
await results.writeJsonl(config.outFile);
console.log(
  `\n${results.figureCount} figures -> ${config.outFile} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
);
// Exit explicitly: a suite that leaked a handle must not keep the benchmark hanging after its report.
process.exit(failed > 0 ? 1 : 0);
