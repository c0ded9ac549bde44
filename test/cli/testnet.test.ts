// `peerwire testnet` as a child process: a small network of each wire forms from one seed, every node
// reaches its target, all demo traffic arrives, and the command exits 0 with its summary; probes are
// spread between the floods every node starts together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run-cli.ts';
import { probeTime } from '../../src/cli/testnet/testnet.ts';

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

test('each node probes at its own moment, never within a quarter gap of a flood', () => {
  for (const gap of [250, 500, 1000]) {
    for (const members of [1, 2, 16, 33]) {
      const times = Array.from({ length: members }, (_, i) => probeTime(10_000, i, members, gap));
      for (let i = 1; i < members; i++) assert.ok(times[i]! > times[i - 1]!, 'one node at a time');
      for (const t of times) {
        const sinceFlood = (t - 10_000) % gap;
        assert.ok(sinceFlood >= gap / 4 && sinceFlood < (3 * gap) / 4, `probe at ${t} is ${sinceFlood} ms into a ${gap} ms gap`);
      }
    }
  }
});
