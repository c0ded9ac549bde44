// The quick network lab (`npm run netlab -- --quick`) end to end, as CI runs it — root only: six
// hosts in their own namespaces, formation, partition and crash-restart. The lab's own output is
// kept out of the test log unless it fails (its closing line must not be mistaken for the runner's).
// Without root the command must say so in one line and claim nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ip } from '../../netlab/shell.ts';

const MAIN = fileURLToPath(new URL('../../netlab/main.ts', import.meta.url));
/** The quick run must finish well inside this (ms); the issue asks for under 3 minutes. */
const QUICK_LIMIT_MS = 180_000;
const notRoot = process.getuid?.() !== 0;

/** An unprivileged user (nobody) for the non-root path when the tests run as root. */
const NOBODY = 65534;
/** As root, nobody must be able to read the checkout (a clone under a private folder it cannot enter). */
const nobodyCannotRead =
  !notRoot &&
  spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(MAIN)})`], {
    uid: NOBODY,
    gid: NOBODY,
  }).status !== 0;

function runLab(
  args: readonly string[],
  timeoutMs: number,
  asUser?: number,
): Promise<{ code: number | null; output: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asUser === undefined ? {} : { uid: asUser, gid: asUser, env: { ...process.env, HOME: '/tmp' } }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    // SIGTERM lets the lab clean up; the test then fails on the time.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - start });
    });
  });
}

test(
  'the quick lab passes its three scenarios in under 3 minutes and leaves nothing behind',
  { skip: notRoot ? 'needs root for network namespaces' : false },
  async () => {
    const folder = await mkdtemp(join(tmpdir(), 'netlab-test-'));
    try {
      const reportPath = join(folder, 'report.json');
      const result = await runLab(['--quick', '--report', reportPath], QUICK_LIMIT_MS + 60_000);
      const lines = result.output.trimEnd().split('\n');
      assert.equal(result.code, 0, result.output);
      assert.equal(lines.at(-1), '3 passed, 0 failed', result.output);
      assert.ok(result.ms < QUICK_LIMIT_MS, `quick run took ${result.ms} ms`);
      const report = JSON.parse(await readFile(reportPath, 'utf8')) as {
        scenarios: { name: string; passed: boolean; figures: Record<string, unknown> }[];
        passed: number;
        failed: number;
      };
      assert.deepEqual(
        report.scenarios.map((s) => s.name),
        ['formation', 'partition', 'crash-restart'],
      );
      assert.equal(report.failed, 0);
      assert.equal(report.scenarios[2]!.figures.corruptLoads, 0);
      const runId = /netlab: run ([0-9a-f]{4})/.exec(result.output)?.[1];
      assert.ok(runId !== undefined);
      const left = (await ip(undefined, ['netns', 'list'])).stdout
        .split('\n')
        .filter((l) => l.startsWith(`pwl${runId}`));
      assert.deepEqual(left, []);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
);

test(
  'without root the lab says so in one line and exits 0',
  { skip: nobodyCannotRead ? 'the unprivileged user cannot read this checkout' : false },
  async () => {
    // As root, run it as nobody to see the unprivileged path.
    const result = await runLab(['--quick'], 60_000, notRoot ? undefined : NOBODY);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output.trim(), /^netlab: needs root/);
    assert.equal(result.output.trim().split('\n').length, 1);
  },
);
