// The benchmark's build (scripts/bench-dist-register.mjs, scripts/bench-dist-hooks.mjs): by default a
// benchmark process resolves peerwire's sources to the compiled files of the published package and
// leaves every other module alone; BENCH_DIST=0 leaves everything alone (the sources through tsx).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../', import.meta.url);
const REGISTER = fileURLToPath(new URL('scripts/bench-dist-register.mjs', ROOT));
const SOURCE = new URL('src/cometbft/wire/secret-connection/frame-sealer.ts', ROOT).href;
const OTHER = new URL('bench/harness.ts', ROOT).href;

/** What a process started like `npm run bench` resolves `SOURCE` and `OTHER` to. */
function resolveIn(env: Record<string, string>): string[] {
  const script =
    `console.log(import.meta.resolve(${JSON.stringify(SOURCE)}));` +
    `console.log(import.meta.resolve(${JSON.stringify(OTHER)}));` +
    'console.log(process.env.BENCH_DIST);';
  const inherited = { ...process.env };
  delete inherited.BENCH_DIST;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', REGISTER, '--input-type=module', '-e', script],
    // BENCH_DIST_CHECKED: the staleness check of dist/ (a build) is not what this test is about.
    { cwd: fileURLToPath(ROOT), env: { ...inherited, BENCH_DIST_CHECKED: '1', ...env }, encoding: 'utf8' },
  );
  return out.trim().split('\n');
}

describe('benchmark of the published build', () => {
  const DIST_FILE = new URL('dist/cometbft/wire/secret-connection/frame-sealer.js', ROOT).href;

  it('maps src/**/*.ts to dist/**/*.js by default, and nothing else; the run says BENCH_DIST=1', () => {
    assert.deepEqual(resolveIn({}), [DIST_FILE, OTHER, '1']);
  });

  it('does the same with BENCH_DIST=1', () => {
    assert.deepEqual(resolveIn({ BENCH_DIST: '1' }), [DIST_FILE, OTHER, '1']);
  });

  it('changes nothing with BENCH_DIST=0 (the sources through tsx)', () => {
    assert.deepEqual(resolveIn({ BENCH_DIST: '0' }), [SOURCE, OTHER, '0']);
  });
});
