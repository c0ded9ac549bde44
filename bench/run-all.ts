// `npm run bench`: runs the physical baselines, the js-libp2p comparison and peerwire's own suites
// (bench/suites/index.ts), prints one table with every figure beside its same-run baselines, and
// writes JSON lines to bench/results/latest.jsonl (BENCH_OUT overrides). BENCH_QUICK=1 gives a smoke
// pass; BENCH_FILTER=<regex> selects suites by name. A suite that fails is reported and skipped; the
// run carries on and exits non-zero at the end.
//
// Each suite runs in a fresh process (this script again, with BENCH_SUITE naming it), as js-libp2p's
// comparison always did: a node runs one stack, and in one shared process a suite measured code the
// earlier suites had already trained on other wires. Measured on the 2-core box (BENCHMARKS.md): the
// CometBFT 1 KiB message rate was 106 k msg/s after the router suite in the same process against
// 129 k alone, minutes apart, its sender spending 8.4 against 7.5 CPU-us per message. A suite's
// process gets the figures measured before it (a CPU bound reads the sealed ceiling's), and hands its
// own back through a file.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineSuites } from './baselines/index.ts';
import { libp2pSuite } from './comparisons/libp2p.ts';
import { loadConfig, machineInfo, ResultsCollector, type BenchContext, type Suite } from './harness.ts';
import type { Figure, Skip } from './results.ts';
import { peerwireSuites } from './suites/index.ts';

/** What a suite's process hands back (ResultsCollector.reported). */
interface SuiteReport {
  readonly figures: { suite: string; figure: Figure }[];
  readonly skips: Skip[];
}

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
// Log times count from the start of the whole run, in the suites' processes too.
const startedAt = Number(process.env.BENCH_STARTED_AT ?? Date.now());
const ctx: BenchContext = {
  config,
  results,
  log: (message) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`),
};
const suites: readonly Suite[] = [...baselineSuites, libp2pSuite, ...peerwireSuites];

const only = process.env.BENCH_SUITE;
if (only !== undefined) {
  // A suite's own process (see the header).
  const suite = suites.find((s) => s.name === only);
  const prior = process.env.BENCH_SUITE_PRIOR;
  const out = process.env.BENCH_SUITE_OUT;
  if (suite === undefined || prior === undefined || out === undefined) {
    throw new Error(`BENCH_SUITE=${only}: no such suite, or run-all.ts did not start this process`);
  }
  results.know(JSON.parse(readFileSync(prior, 'utf8')) as Figure[]);
  let ok = true;
  try {
    await suite.run(ctx);
  } catch (err) {
    ok = false;
    results.skip(suite.name, `failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  writeFileSync(out, JSON.stringify(results.reported()));
  // Exit explicitly: a suite that leaked a handle must not keep the benchmark hanging after its report.
  process.exit(ok ? 0 : 1);
}

/** Runs one suite in a fresh process; resolves with its exit code. */
function runSuite(suite: Suite, dir: string): Promise<number> {
  const prior = join(dir, `${suite.name}.prior.json`);
  const out = join(dir, `${suite.name}.json`);
  writeFileSync(prior, JSON.stringify(results.figures()));
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      BENCH_SUITE: suite.name,
      BENCH_SUITE_PRIOR: prior,
      BENCH_SUITE_OUT: out,
      BENCH_STARTED_AT: String(startedAt),
    },
  });
  return new Promise((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => {
      try {
        results.merge(JSON.parse(readFileSync(out, 'utf8')) as SuiteReport);
      } catch {
        results.skip(suite.name, `its process exited (${code}) without a report`);
      }
      resolve(code ?? -1);
    });
  });
}

let failed = 0;
ctx.log(
  `node ${machine.node}, ${machine.cpus} cpus, load ${machine.load1}; ${config.quick ? 'QUICK smoke pass' : 'full run'}` +
    ` of ${process.env.BENCH_DIST === '1' ? 'dist/ (the published build)' : 'the sources through tsx'}` +
    ` (phase ${config.measureMs} ms, warm-up ${config.warmupMs} ms, repeat ${config.repeat}; one process per suite)`,
);
const dir = mkdtempSync(join(tmpdir(), 'peerwire-bench-'));
try {
  for (const suite of suites) {
    if (config.filter !== undefined && !config.filter.test(suite.name)) continue;
    ctx.log(`suite ${suite.name}: ${suite.description}`);
    if ((await runSuite(suite, dir)) !== 0) failed++;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const end = machineInfo();
console.log(
  `\npeerwire benchmark — node ${machine.node}, ${machine.cpus}x ${machine.cpuModel}, ` +
    `load ${machine.load1} at start / ${end.load1} at end${config.quick ? ', QUICK (indicative only)' : ''}`,
);
console.log('Ratios compare figures measured in this same run; absolute numbers vary with the box load.');
console.log(results.table());
await results.writeJsonl(config.outFile);
console.log(`\n${results.figureCount} figures -> ${config.outFile} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
process.exit(failed > 0 ? 1 : 0);
