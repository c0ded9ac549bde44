// Runs every test file with node's own test runner. Node 20's `--test` neither expands globs nor
// finds .ts files by itself, so this lists them explicitly. TEST_FILTER=substring narrows the set.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const files = listTests('test').filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error(`no test files match "${filter}"`);
  process.exit(1);
}
// Two workers: the machine has two cores, and multi-node tests are timing-bound, not CPU-bound.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--expose-gc', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
