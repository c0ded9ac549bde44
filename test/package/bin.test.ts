// bin/peerwire.js runs the compiled command in dist/. In a checkout that was never built it must say
// what to do in one line and exit 1, not fail with a module-resolution stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/peerwire.js', import.meta.url));

test('bin/peerwire.js without a build prints one line and exits 1', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'peerwire-unbuilt-'));
  try {
    writeFileSync(join(checkout, 'package.json'), JSON.stringify({ name: 'peerwire', type: 'module' }));
    mkdirSync(join(checkout, 'bin'));
    copyFileSync(BIN, join(checkout, 'bin', 'peerwire.js'));
    const result = spawnSync(process.execPath, [join(checkout, 'bin', 'peerwire.js'), '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'peerwire: dist/ is missing; run `npm run build` in the checkout first\n');
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
});
