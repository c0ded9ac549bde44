// The README's library examples run as written: each program in examples/ exits 0 and prints what it
// received. The examples import the package by its own name (`peerwire/cometbft`...); the
// `peerwire-source` export condition resolves those imports to the TypeScript sources, so the suite
// never runs them against a stale dist/ (test/package/pack.test.ts covers the built package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=peerwire-source', '--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('examples/cometbft-channel.ts sends and receives on a CometBFT channel', { timeout: 150_000 }, async () => {
  const result = await run('examples/cometbft-channel.ts');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /alice received "hello over SecretConnection \+ MConnection" from [0-9a-f]{40}/);
});

test('examples/zcash-messages.ts pings and pushes a transaction on the Zcash wire', { timeout: 150_000 }, async () => {
  const result = await run('examples/zcash-messages.ts');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /bob pinged 127\.0\.0\.1:\d+: \d+ ms/);
  assert.match(result.stdout, /alice received tx [0-9a-f]{64}/);
});
