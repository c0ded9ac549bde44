// Registers bench-dist-hooks.mjs when BENCH_DIST=1 (see there); without it, does nothing. Loaded with
// `--import` after tsx by the benchmark process and by every forked side, so both ends of a figure run
// the same build. The first process to load it rebuilds dist/ if it is older than src/ (the build's
// own staleness check, under a second when nothing changed), so a figure never measures stale code.

import { spawnSync } from 'node:child_process';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

if (process.env.BENCH_DIST === '1') {
  if (process.env.BENCH_DIST_CHECKED !== '1') {
    const build = fileURLToPath(new URL('./build.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [build, '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`BENCH_DIST=1: building dist/ failed (exit ${r.status ?? r.signal})`);
    process.env.BENCH_DIST_CHECKED = '1'; // inherited by the forked sides: they need not check again
  }
  register('./bench-dist-hooks.mjs', import.meta.url);
}
