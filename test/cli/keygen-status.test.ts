// `peerwire keygen` writes a key that loads (CometBFT's node_key.json format) and prints its node ID,
// refuses to overwrite one; `peerwire status` reads a running node's /status (tables, or the document
// with --json) and fails in one line when nothing answers; `peerwire node --web` serves the live page
// and its event stream.
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

test('status reads a running node with --metrics as tables or --json; /metrics is Prometheus text', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-status-'));
  const node = startCli(['node', '--chain-id', 'status-test', '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--home', dir, '--log-format', 'json']);
  try {
    const started = logRecord(await node.waitForLine((l) => logRecord(l)?.msg === 'node started', 'node started'))!;
    const url = String(started.status);
    const status = await runCli(['status', '--url', `${url}/status`, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const doc = JSON.parse(status.stdout) as { wire: string; id: string; peers: unknown[]; channels: { id: number }[]; peerStore: { stored: number } };
    assert.equal(doc.wire, 'cometbft');
    assert.equal(doc.id, started.id);
    assert.deepEqual(doc.peers, []);
    assert.ok(doc.channels.some((c) => c.id === 0), 'the PEX channel is listed');
    assert.equal(typeof doc.peerStore.stored, 'number');
    const tables = await runCli(['status', '--url', url]);
    assert.equal(tables.code, 0, tables.stderr);
    assert.match(tables.stdout, new RegExp(`^cometbft node ${String(started.id)} on status-test, listening on 127\\.0\\.0\\.1:\\d+, up \\d+ s\n`));
    assert.match(tables.stdout, /\nPEERS \(0\)\n\(none\)\n\nCHANNELS\nID\s+QUEUE DEPTH\n0x00\s+0\n/);
    assert.match(tables.stdout, /\nPEER STORE\nSTORED\s+CONNECTED/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^cometbft_p2p_peers\{chain_id="status-test"\} 0$/m);
    assert.match(metrics, /^# HELP peerwire_router_peers /m);
  } finally {
    node.child.kill('SIGTERM');
    assert.equal((await node.exited).code, 0);
    await rm(dir, { recursive: true, force: true });
  }
  const down = await runCli(['status', '--url', 'http://127.0.0.1:9/status', '--timeout', '5']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^peerwire: cannot reach http:\/\/127\.0\.0\.1:9\/status/);
});

test('node --web serves the live page and a stream of views of the node', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-web-'));
  const node = startCli(['node', '--chain-id', 'web-test', '--listen', '127.0.0.1:0', '--web', '127.0.0.1:0', '--home', dir, '--log-format', 'json']);
  try {
    const started = logRecord(await node.waitForLine((l) => logRecord(l)?.msg === 'node started', 'node started'))!;
    const url = String(started.status);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${url}/`);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<svg id="graph"/);
    const events = await fetch(`${url}/events`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    const reader = events.body!.getReader();
    let buffered = '';
    const decoder = new TextDecoder();
    while (!/data: .*\n\n/.test(buffered)) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      assert.equal(chunk.done, false, 'the stream stays open until a view arrives');
      buffered += decoder.decode(chunk.value, { stream: true });
    }
    await reader.cancel();
    const view = JSON.parse(/data: (.*)\n\n/.exec(buffered)![1]!) as { nodes: { key: string; local: boolean }[]; details: Record<string, { id: string }> };
    assert.equal(view.nodes.length, 1);
    assert.equal(view.nodes[0]!.local, true);
    assert.equal(view.details[view.nodes[0]!.key]!.id, started.id);
    assert.equal((await fetch(`${url}/status`)).status, 200, 'the status document is still served');
  } finally {
    node.child.kill('SIGTERM');
    assert.equal((await node.exited).code, 0);
    await rm(dir, { recursive: true, force: true });
  }
});
