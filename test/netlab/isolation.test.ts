// The lab's sealing and cleanup, on a real (small) lab network without nodes — root only, since it
// makes network namespaces. The isolation check finds nothing on a fresh lab and does find a planted
// default route; partition and shaping rules come and go; destroy() and the stale-run cleanup leave
// no namespace, link or guard rule behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanStaleRuns, runFolder, writeRunState, type RunState } from '../../netlab/cleanup.ts';
import { checkIsolation } from '../../netlab/isolation.ts';
import { GUARD_PREF_BASE, LabNetwork } from '../../netlab/network.ts';
import { ip, ipJson } from '../../netlab/shell.ts';
import { attackerIps, LAB_SUPERNET, planHosts } from '../../netlab/topology.ts';

const notRoot = process.getuid?.() !== 0;
const SKIP = notRoot ? 'needs root for network namespaces' : false;

async function labNamespaces(prefix: string): Promise<string[]> {
  const listed = await ip(undefined, ['netns', 'list']);
  return listed.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.startsWith(prefix));
}

async function guardRules(): Promise<number[]> {
  const [net, len] = LAB_SUPERNET.split('/');
  const rules = await ipJson<{ priority?: number; dst?: string; dstlen?: number; action?: string }>(undefined, ['rule', 'show']);
  return rules.filter((r) => r.action === 'prohibit' && r.dst === net && String(r.dstlen) === len).map((r) => r.priority ?? -1);
}

function newRunId(): string {
  return randomBytes(2).toString('hex');
}

/**
 * A run's state written at once, as the lab's own guard callback does (netlab/main.ts): a lab starting
 * in another test file meanwhile cleans stale runs, and removes every guard rule no live run names.
 */
function writeStateNow(runId: string, state: RunState): void {
  writeFileSync(join(runFolder(runId), 'state.json'), `${JSON.stringify(state)}\n`);
}

test('a fresh lab is sealed, the check sees a planted default route, and destroy leaves nothing', { skip: SKIP }, async () => {
  const runId = newRunId();
  // A live run's state file: a concurrent lab's stale cleanup must leave this one alone.
  await writeRunState(runId, { pid: process.pid, startedAt: Date.now() });
  let guard: number | undefined;
  const network = await LabNetwork.create({ runId, hosts: planHosts(4), attackerIps: attackerIps(3) }, (pref) => {
    guard = pref;
    writeStateNow(runId, { pid: process.pid, startedAt: Date.now(), guardPref: pref });
  });
  try {
    assert.ok(guard !== undefined && guard >= GUARD_PREF_BASE);
    assert.ok((await guardRules()).includes(guard));
    assert.deepEqual(await checkIsolation(network), []);
    // The root namespace refuses every lab address (no packet is sent to find out).
    const lookup = await ip(undefined, ['route', 'get', network.hosts[0]!.ip], { allowFail: true });
    assert.notEqual(lookup.code, 0);
    // Hosts reach each other only through the router: a host's only route is the lab range.
    const routes = await ipJson<{ dst?: string }>(network.hostNamespace(network.hosts[0]!), ['route', 'show']);
    assert.deepEqual(routes.map((r) => r.dst), [LAB_SUPERNET]);
    // Faults are rules in the router namespace, and they go away again.
    await network.partition([network.hosts[0]!.ip], [network.hosts[1]!.ip]);
    const partitioned = await ipJson<{ action?: string }>(network.names.router, ['rule', 'show']);
    assert.equal(partitioned.filter((r) => r.action === 'blackhole').length, 2);
    await network.heal();
    const healed = await ipJson<{ action?: string }>(network.names.router, ['rule', 'show']);
    assert.equal(healed.filter((r) => r.action === 'blackhole').length, 0);
    // A default route planted in a host namespace is reported.
    await ip(network.hostNamespace(network.hosts[1]!), ['route', 'add', 'default', 'via', '10.255.255.254', 'dev', 'eth0', 'onlink']);
    const findings = await checkIsolation(network);
    assert.equal(findings.length, 1);
    assert.match(findings[0]!, /default route/);
  } finally {
    await network.destroy();
    await rm(runFolder(runId), { recursive: true, force: true });
  }
  assert.deepEqual(await labNamespaces(network.names.prefix), []);
  assert.ok(!(await guardRules()).includes(guard));
});

test('the stale-run cleanup removes a dead run completely and keeps live ones', { skip: SKIP }, async () => {
  const dead = newRunId();
  const live = newRunId();
  // Both runs are live (this process) while they are built: a lab started meanwhile by another test
  // file cleans stale runs too, and took the dead run's guard before this test looked (a CI failure).
  await writeRunState(dead, { pid: process.pid, startedAt: Date.now() });
  await writeRunState(live, { pid: process.pid, startedAt: Date.now() });
  let deadGuard: number | undefined;
  const deadNetwork = await LabNetwork.create({ runId: dead, hosts: planHosts(4), attackerIps: [] }, (pref) => {
    deadGuard = pref;
    writeStateNow(dead, { pid: process.pid, startedAt: Date.now(), guardPref: pref });
  });
  const liveNetwork = await LabNetwork.create({ runId: live, hosts: planHosts(4), attackerIps: [] }, (pref) =>
    writeStateNow(live, { pid: process.pid, startedAt: Date.now(), guardPref: pref }),
  );
  try {
    // Now the dead run's controller dies: its state names a pid that is not a lab controller (pid 1 never is).
    writeStateNow(dead, { pid: 1, startedAt: Date.now(), guardPref: deadGuard! });
    const removed = await cleanStaleRuns();
    assert.ok(removed.namespaces.filter((n) => n.startsWith(deadNetwork.names.prefix)).length === 5);
    assert.ok(removed.guards.includes(deadGuard!));
    assert.deepEqual(await labNamespaces(deadNetwork.names.prefix), []);
    assert.equal((await labNamespaces(liveNetwork.names.prefix)).length, 5);
    assert.ok((await guardRules()).includes(liveNetwork.guardPref!));
  } finally {
    await liveNetwork.destroy();
    await rm(runFolder(live), { recursive: true, force: true });
    await rm(runFolder(dead), { recursive: true, force: true });
  }
});
