// Same seed, same run: the event log hash of a small network (real CometBFT wire: SecretConnection,
// MConnection, PEX; and the real Zcash wire) is equal between two runs in this process and between
// two separate processes running the `peerwire sim` command; another seed gives another hash. A
// mismatch prints the one-line command that replays the seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation, type SimOptions } from '../../src/sim/simulation.ts';
import type { SimSummary } from '../../src/sim/summary.ts';
import { runCli } from '../cli/run-cli.ts';

/** A simulation child process may take minutes on the shared two-core machine. */
const CHILD_TIMEOUT_MS = 280_000;

/** Small enough for CI (a few seconds each), long enough for handshakes, PEX rounds and pings. */
const SMALL: Omit<SimOptions, 'wire' | 'seed'> = { nodes: 24, virtualHours: 0.1 };

async function cli(args: string[]): Promise<SimSummary> {
  const result = await runCli(['sim', ...args, '--json'], { timeoutMs: CHILD_TIMEOUT_MS });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as SimSummary;
}

function withoutSpeed(s: SimSummary): Omit<SimSummary, 'speed'> {
  const { speed: _speed, ...rest } = s;
  return rest;
}

test('CometBFT: one seed gives the same event log hash in this process and in two other processes', async () => {
  const options: SimOptions = { ...SMALL, wire: 'cometbft', seed: 7 };
  const a = await runSimulation(options);
  const b = await runSimulation(options);
  assert.equal(a.eventLogHash, b.eventLogHash, `in-process replay differs; replay: ${a.replay}`);
  assert.deepEqual(withoutSpeed(a), withoutSpeed(b), `summaries differ; replay: ${a.replay}`);
  assert.ok(a.events > 1000, `a real run records many events (${a.events})`);
  assert.ok(a.linksOpened >= SMALL.nodes, 'the network formed links');
  const args = ['--wire', 'cometbft', '--nodes', String(SMALL.nodes), '--seed', '7', '--virtual-hours', String(SMALL.virtualHours)];
  const [p1, p2] = await Promise.all([cli(args), cli(args)]);
  assert.equal(p1.eventLogHash, a.eventLogHash, `process 1 differs; replay: ${a.replay}`);
  assert.equal(p2.eventLogHash, a.eventLogHash, `process 2 differs; replay: ${a.replay}`);
  const other = await runSimulation({ ...options, seed: 8 });
  assert.notEqual(other.eventLogHash, a.eventLogHash, 'another seed is another run');
});

test('Zcash: one seed gives the same event log hash twice; the churn scenario replays too', async () => {
  const options: SimOptions = { ...SMALL, wire: 'zcash', seed: 3, scenario: 'churn', virtualHours: 0.25 };
  const a = await runSimulation(options);
  const b = await runSimulation(options);
  assert.ok(a.plannedEvents > 0, 'churn planned node departures');
  assert.equal(a.eventLogHash, b.eventLogHash, `replay differs; replay: ${a.replay}`);
  assert.deepEqual(withoutSpeed(a), withoutSpeed(b), `summaries differ; replay: ${a.replay}`);
  assert.equal(a.properties.cleanRun, true, `stop left timers behind; replay: ${a.replay}`);
});

test('the command rejects bad flags with exit 2 and one line', async () => {
  const wire = await runCli(['sim', '--wire', 'bitcoin']);
  assert.equal(wire.code, 2);
  assert.match(wire.stderr, /expected one of cometbft, zcash/);
  assert.equal(wire.stderr.trim().split('\n').length, 1);
  const model = await runCli(['sim', '--wire', 'zcash', '--wire-model', 'fast']);
  assert.equal(model.code, 2);
  assert.match(model.stderr, /cometbft only/);
  const hours = await runCli(['sim', '--wire', 'zcash', '--virtual-hours', '0']);
  assert.equal(hours.code, 2);
});
