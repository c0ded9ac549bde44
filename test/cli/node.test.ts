// `peerwire node` as child processes: for each wire, two nodes connect to each other (one is given the
// other as its peer) and log it; `peerwire status` shows the other node in its peers table; SIGTERM
// stops a node gracefully, exit 0, with its peer store on disk holding the other node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePeerStore } from '../../src/engine/peers/file-peer-store.ts';
import { logRecord, runCli, startCli, type RunningCli } from './run-cli.ts';

function started(node: RunningCli): Promise<Record<string, unknown>> {
  return node.waitForLine((l) => logRecord(l)?.msg === 'node started', 'node started').then((l) => logRecord(l)!);
}

const connected = (node: RunningCli, peer: string): Promise<string> =>
  node.waitForLine((l) => {
    const r = logRecord(l);
    return r?.msg === 'peer connected' && typeof r.peer === 'string' && r.peer.includes(peer);
  }, `peer connected ${peer}`);

for (const wire of ['cometbft', 'zcash'] as const) {
  test(`two ${wire} nodes connect; SIGTERM persists the peer store and exits 0`, { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), `peerwire-node-${wire}-`));
    const common = ['node', '--wire', wire, '--listen', '127.0.0.1:0', '--log-format', 'json', '--local-network'];
    const netArgs = wire === 'cometbft' ? ['--chain-id', 'peerwire-cli-test'] : ['--network', 'zcash-regtest'];
    const nodes: RunningCli[] = [];
    try {
      const a = startCli([...common, ...netArgs, '--home', join(dir, 'a'), '--metrics', '127.0.0.1:0']);
      nodes.push(a);
      const aInfo = await started(a);
      const aListen = String(aInfo.listen);
      const aPeer = wire === 'cometbft' ? `${String(aInfo.id)}@${aListen}` : aListen;
      const b = startCli([...common, ...netArgs, '--home', join(dir, 'b'), '--peer', aPeer]);
      nodes.push(b);
      const bInfo = await started(b);
      await connected(b, wire === 'cometbft' ? String(aInfo.id) : aListen);
      // A sees B inbound: by node ID on CometBFT, by its connected address (127.0.0.1:ephemeral) on Zcash.
      await connected(a, wire === 'cometbft' ? String(bInfo.id) : '127.0.0.1:');
      const status = await runCli(['status', '--url', String(aInfo.status)]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /\nPEERS \([12]\)\n/);
      const bPrefix = wire === 'cometbft' ? String(bInfo.id).slice(0, 16) : '127\\.0\\.0\\.1:\\d+';
      assert.match(status.stdout, new RegExp(`\\n${bPrefix}\\s+inbound\\s+127\\.0\\.0\\.1:\\d+\\s+\\d+ s\\s+\\d`), status.stdout);
      b.child.kill('SIGTERM');
      const exit = await b.exited;
      assert.equal(exit.code, 0, b.stderr());
      assert.ok(b.lines.some((l) => logRecord(l)?.msg === 'node stopped, peer store saved'));
      const store = new FilePeerStore({ path: join(dir, 'b', 'peers.dat') });
      const records = await store.load();
      await store.close();
      const wanted = wire === 'cometbft' ? String(aInfo.id) : aListen;
      assert.ok(records.some((r) => r.id === wanted), `store holds ${wanted}: ${records.map((r) => r.id).join(', ')}`);
      a.child.kill('SIGINT');
      assert.equal((await a.exited).code, 0, a.stderr());
    } finally {
      for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
      await Promise.all(nodes.map((n) => n.exited));
      await rm(dir, { recursive: true, force: true });
    }
  });
}
