// `peerwire keygen` writes a key that loads (CometBFT's node_key.json format) and prints its node ID,
// refuses to overwrite one; `peerwire status` reads a running node's /status and fails in one line
// when nothing answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNodeKeyFile } from '../../src/cometbft/wire/node-key-file.ts';
import { logRecord, runCli, startCli } from './run-cli.ts';

test('keygen writes a loadable node key and prints its ID; an existing key is kept', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-keygen-'));
  try {
    const out = join(dir, 'node_key.json');
    const result = await runCli(['keygen', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const key = await readNodeKeyFile(out);
    assert.equal(result.stdout.trim(), key.id);
    const again = await runCli(['keygen', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    assert.equal((await readNodeKeyFile(out)).id, key.id);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('status reads a running node with --metrics; /metrics is Prometheus text', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-status-'));
  const node = startCli(['node', '--chain-id', 'status-test', '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--home', dir, '--log-format', 'json']);
  try {
    const started = logRecord(await node.waitForLine((l) => logRecord(l)?.msg === 'node started', 'node started'))!;
    const url = String(started.status);
    const status = await runCli(['status', '--url', `${url}/status`]);
    assert.equal(status.code, 0, status.stderr);
    const doc = JSON.parse(status.stdout) as { wire: string; id: string; peers: unknown[]; channels: { id: number }[]; peerStore: { stored: number } };
    assert.equal(doc.wire, 'cometbft');
    assert.equal(doc.id, started.id);
    assert.deepEqual(doc.peers, []);
    assert.ok(doc.channels.some((c) => c.id === 0), 'the PEX channel is listed');
    assert.equal(typeof doc.peerStore.stored, 'number');
    const metrics = await fetch(`${url}/metrics`);
    const exposition = await metrics.text();
    assert.match(exposition, /^# HELP cometbft_p2p_peers /m);
    assert.match(exposition, /^# HELP peerwire_router_peers /m);
  } finally {
    node.child.kill('SIGTERM');
    assert.equal((await node.exited).code, 0);
    await rm(dir, { recursive: true, force: true });
  }
  const down = await runCli(['status', '--url', 'http://127.0.0.1:9/status', '--timeout', '5']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^peerwire: cannot reach http:\/\/127\.0\.0\.1:9\/status/);
});
