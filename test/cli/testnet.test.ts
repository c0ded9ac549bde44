// `peerwire testnet` as a child process: a small network of each wire forms from one seed, every node
// reaches its target, all demo traffic arrives, and the command exits 0 with its summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run-cli.ts';

for (const wire of ['cometbft', 'zcash'] as const) {
  test(`a small ${wire} testnet completes with exit 0`, { timeout: 180_000 }, async () => {
    const result = await runCli(['testnet', '--wire', wire, '--nodes', '3', '--duration', '2']);
    assert.equal(result.code, 0, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stdout, /testnet summary/);
    assert.match(result.stdout, new RegExp(`${wire}\\s+nodes 3 .*reached 3/3.*complete at 3/3 nodes`));
    // The RTT figure says what it measures, next to the shared event loop's delay.
    assert.match(result.stdout, /rtt: an application probe .* delay p99 [\d.]+ ms/);
    assert.match(result.stdout, /^OK: every node reached its target peer count and all traffic arrived$/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}
