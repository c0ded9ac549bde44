// Registers bench-dist-hooks.mjs (see there) unless BENCH_DIST=0: by default a benchmark measures
// peerwire as published, the tsc build in dist/, since that is what users run (tsx is only a
// development dependency); BENCH_DIST=0 measures the sources through tsx instead. Loaded with
// `--import` after tsx by the benchmark process and by every forked side, so both ends of a figure run
// the same build. The first process to load it rebuilds dist/ if it is older than src/ (the build's
// own staleness check, under a second when nothing changed), so a figure never measures stale code.

import { spawnSync } from 'node:child_process';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

if (process.env.BENCH_DIST !== '0') {
  // Spelled out for the run header (bench/run-all.ts) and inherited by the forked sides.
  process.env.BENCH_DIST = '1';
  if (process.env.BENCH_DIST_CHECKED !== '1') {
    const build = fileURLToPath(new URL('./build.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [build, '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      throw new Error(
        `benchmark of dist/: building it failed (exit ${r.status ?? r.signal}); BENCH_DIST=0 measures the sources`,
      );
    }
    process.env.BENCH_DIST_CHECKED = '1'; // inherited by the forked sides: they need not check again
  }
  register('./bench-dist-hooks.mjs', import.meta.url);
}
