// Runs every test file with node's own test runner. Node 20's `--test` neither expands globs nor
// finds .ts files by itself, so this lists them explicitly. TEST_FILTER=substring narrows the set.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function listTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filter = process.env.TEST_FILTER ?? '';
// TEST_EXCLUDE=a,b leaves out files whose path contains any of the substrings (CI's runs on the
// extra Node versions leave out the network lab, which runs once per CI run).
const excluded = (process.env.TEST_EXCLUDE ?? '').split(',').filter((s) => s !== '');
const files = listTests('test').filter((f) => f.includes(filter) && !excluded.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files match "${filter}"`);
  process.exit(1);
}
// Two workers: the machine has two cores, and multi-node tests are timing-bound, not CPU-bound.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A watchdog: a wedged test process must fail the run in minutes, not hold CI for its 90-minute limit.
const watchdogMs = Number(process.env.TEST_WATCHDOG_MS ?? 15 * 60 * 1000);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--expose-gc',
    '--test',
    `--test-concurrency=${concurrency}`,
    // No single test may run longer than this: a hang fails that test instead of the whole run.
    '--test-timeout=300000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', detached: true },
);
const watchdog = setTimeout(() => {
  console.error(`test run exceeded ${watchdogMs} ms; killing it`);
  process.kill(-child.pid, 'SIGKILL');
}, watchdogMs);
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  if (signal !== null) console.error(`test run ended by ${signal}`);
  process.exit(code ?? 1);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.kill(-child.pid, signal));
}
