// BENCH_DIST=1 (scripts/bench-dist-register.mjs, scripts/bench-dist-hooks.mjs): a benchmark process
// resolves peerwire's sources to the compiled files of the published package, and leaves every other
// module (and everything without the variable) alone.

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
  const script = `console.log(import.meta.resolve(${JSON.stringify(SOURCE)}));console.log(import.meta.resolve(${JSON.stringify(OTHER)}));`;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', REGISTER, '--input-type=module', '-e', script],
    // BENCH_DIST_CHECKED: the staleness check of dist/ (a build) is not what this test is about.
    { cwd: fileURLToPath(ROOT), env: { ...process.env, BENCH_DIST_CHECKED: '1', ...env }, encoding: 'utf8' },
  );
  return out.trim().split('\n');
}

describe('benchmark of the published build', () => {
  it('maps src/**/*.ts to dist/**/*.js with BENCH_DIST=1, and nothing else', () => {
    const [source, other] = resolveIn({ BENCH_DIST: '1' });
    assert.equal(source, new URL('dist/cometbft/wire/secret-connection/frame-sealer.js', ROOT).href);
    assert.equal(other, OTHER);
  });

  it('changes nothing without BENCH_DIST', () => {
    assert.deepEqual(resolveIn({ BENCH_DIST: '0' }), [SOURCE, OTHER]);
  });
});
