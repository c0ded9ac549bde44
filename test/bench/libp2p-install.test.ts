// The benchmark's js-libp2p install (bench/comparisons/libp2p-install.ts), run against a stand-in
// `npm` script in a temporary folder: a transient failure is retried, a lasting one ends in a reason
// that names the folder and the manual fix, and an install that matches the lockfile is not redone.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLibp2pInstalled, PINNED_LIBP2P } from '../../bench/comparisons/libp2p-install.ts';

/**
 * A folder with a lockfile and a fake npm that fails (with npm's DNS error) `failures` times, then
 * installs a libp2p package.json of `version`. Every call appends its arguments to calls.log.
 */
function fixture(
  failures: number,
  version = PINNED_LIBP2P,
): { dir: string; npm: string; calls: () => string[] } {
  const dir = `${mkdtempSync(join(tmpdir(), 'pw-libp2p-install-'))}/`;
  writeFileSync(`${dir}package-lock.json`, '{"lockfileVersion":3}\n');
  const npm = `${dir}fake-npm.sh`;
  writeFileSync(
    npm,
    [
      '#!/bin/sh',
      'echo "$@" >> calls.log',
      `if [ "$(wc -l < calls.log)" -le ${failures} ]; then echo "npm error code EAI_AGAIN" >&2; exit 1; fi`,
      'mkdir -p node_modules/libp2p',
      `echo '{"version":"${version}"}' > node_modules/libp2p/package.json`,
      '',
    ].join('\n'),
  );
  chmodSync(npm, 0o755);
  const calls = (): string[] => {
    try {
      return readFileSync(`${dir}calls.log`, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return { dir, npm, calls };
}

const quiet = (): void => undefined;

describe('libp2p comparison install', () => {
  it('retries a transient registry failure and then installs, preferring the npm cache', async () => {
    const f = fixture(2);
    try {
      const reason = await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] });
      assert.equal(reason, undefined);
      const calls = f.calls();
      assert.equal(calls.length, 3);
      assert.match(calls[0]!, /^ci .*--prefer-offline/);
      assert.match(calls[0]!, /--engine-strict=false/);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });

  it('gives up after three attempts with a reason naming the folder, the error and the fix', async () => {
    const f = fixture(99);
    try {
      const reason = await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] });
      assert.equal(f.calls().length, 3);
      assert.ok(reason !== undefined);
      assert.match(reason, /failed 3 times/);
      assert.match(reason, /EAI_AGAIN/);
      assert.ok(reason.includes(f.dir));
      assert.match(reason, /BENCH_LIBP2P=0/);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });

  it('does not reinstall what matches the lockfile, and reinstalls when the lockfile changes', async () => {
    const f = fixture(0);
    try {
      assert.equal(await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] }), undefined);
      assert.equal(await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] }), undefined);
      assert.equal(f.calls().length, 1);
      writeFileSync(`${f.dir}package-lock.json`, '{"lockfileVersion":3,"changed":true}\n');
      assert.equal(await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] }), undefined);
      assert.equal(f.calls().length, 2);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });

  it('refuses an install of another libp2p version', async () => {
    const f = fixture(0, '0.0.1');
    try {
      const reason = await ensureLibp2pInstalled(f.dir, quiet, { npm: f.npm, pauseMs: [0] });
      assert.ok(reason !== undefined);
      assert.match(reason, /installed libp2p is 0\.0\.1, expected/);
    } finally {
      rmSync(f.dir, { recursive: true, force: true });
    }
  });
});
