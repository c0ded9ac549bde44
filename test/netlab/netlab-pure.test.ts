// The network lab's pure parts, which need no root: the address plan (every address inside the lab
// range, several /16s, wires alternating, names that fit Linux's 15-byte link names), the peer graph
// built from /status documents, Prometheus text parsing, and the report's table and closing line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { components, crossing, degree, edges, ipOfRemote, type NodeStatus, type Snapshot } from '../../netlab/graph.ts';
import { metricSum, parsePromText } from '../../netlab/prom-text.ts';
import { closingLine, formatTable, type ScenarioReport } from '../../netlab/report.ts';
import { targetPeers } from '../../netlab/scenario.ts';
import { attackerIps, groupOf, inLabSupernet, labNames, planHosts, runIdOf } from '../../netlab/topology.ts';

test('address plan: lab range only, several /16s per wire, alternating wires, short link names', () => {
  const hosts = planHosts(12);
  assert.equal(hosts.length, 12);
  assert.equal(hosts.filter((h) => h.wire === 'cometbft').length, 6);
  assert.ok(hosts.every((h) => inLabSupernet(h.ip)));
  assert.equal(new Set(hosts.map((h) => h.ip)).size, 12);
  for (const wire of ['cometbft', 'zcash'] as const) {
    const groups = new Set(hosts.filter((h) => h.wire === wire).map((h) => h.group));
    assert.ok(groups.size >= 3, `${wire} spans ${groups.size} /16s`);
    // Some /16 holds two hosts of the wire, so the one-outbound-per-/16 rule has something to refuse.
    assert.ok(groups.size < 6);
  }
  const attackers = attackerIps(20);
  assert.equal(new Set(attackers.map(groupOf)).size, 1);
  assert.ok(attackers.every((ip) => inLabSupernet(ip) && !hosts.some((h) => h.group === groupOf(ip))));
  assert.equal(inLabSupernet('10.1.0.1'), false);
  assert.equal(inLabSupernet('192.0.2.2'), false);
  const names = labNames('a1b2');
  for (const name of [names.tun, names.attackerLink(199), names.attacker(199), names.routerLink(63)]) assert.ok(name.length <= 15, name);
  assert.equal(runIdOf(names.host(3)), 'a1b2');
  assert.equal(runIdOf('eth0'), undefined);
  assert.throws(() => planHosts(1), RangeError);
  assert.throws(() => labNames('nothex'), RangeError);
});

function status(wire: 'cometbft' | 'zcash', peers: [string, 'inbound' | 'outbound'][]): NodeStatus {
  return { wire, id: 'x', peers: peers.map(([remote, direction]) => ({ id: remote, remote, direction })) };
}

test('peer graph from /status: edges by IP from either end, components, degree, links across a split', () => {
  const hosts = planHosts(6).filter((h) => h.wire === 'cometbft');
  const [a, b, c] = hosts as [(typeof hosts)[0], (typeof hosts)[0], (typeof hosts)[0]];
  const snapshot: Snapshot = {
    statuses: new Map([
      [a.name, status('cometbft', [[`${b.ip}:26656`, 'outbound']])],
      // b does not list a yet; the link still counts from a's side.
      [b.name, status('cometbft', [])],
      [c.name, undefined],
    ]),
  };
  const set = edges(hosts, snapshot);
  assert.deepEqual([...set], [`${a.name}-${b.name}`]);
  assert.deepEqual(components(hosts, set), [[a.name, b.name].sort(), [c.name]]);
  assert.equal(degree(a, hosts, set), 1);
  assert.equal(degree(c, hosts, set), 0);
  assert.deepEqual(crossing(set, new Set([a.name]), new Set([b.name, c.name])), [`${a.name}-${b.name}`]);
  assert.equal(ipOfRemote('10.201.0.10:26656'), '10.201.0.10');
  assert.equal(ipOfRemote('10.201.0.10'), '10.201.0.10');
  assert.equal(ipOfRemote('[::1]:5'), '::1');
  assert.equal(targetPeers(3), 2);
  assert.equal(targetPeers(6), 3);
});

test('Prometheus text: labels, escapes, sums with label filters; junk lines skipped', () => {
  const samples = parsePromText(
    [
      '# HELP peerwire_peers_dials_total Dials by result',
      '# TYPE peerwire_peers_dials_total counter',
      'peerwire_peers_dials_total{result="connected"} 7',
      'peerwire_peers_dials_total{result="failed"} 2',
      'p2p_x{label="a\\"b"} 1.5',
      'process_resident_memory_bytes 104857600',
      'not a sample',
    ].join('\n'),
  );
  assert.equal(metricSum(samples, 'peerwire_peers_dials_total'), 9);
  assert.equal(metricSum(samples, 'peerwire_peers_dials_total', { result: 'failed' }), 2);
  assert.equal(samples.find((s) => s.name === 'p2p_x')?.labels.label, 'a"b');
  assert.equal(metricSum(samples, 'process_resident_memory_bytes'), 104857600);
  assert.equal(metricSum(samples, 'absent'), 0);
});

test('report: a row per scenario, failure details, exact closing line', () => {
  const reports: ScenarioReport[] = [
    { id: 1, name: 'formation', rule: 'r1', passed: true, seconds: 12.3, figures: { formedSeconds: 9.5 }, saw: [] },
    { id: 2, name: 'partition', rule: 'r2', passed: false, seconds: 80, figures: { healSeconds: 91 }, saw: ['h01: 0/3 peers'] },
  ];
  const lines = formatTable(reports);
  assert.match(lines[1]!, /^1\s+formation\s+PASS\s+12\s+formedSeconds=9.5$/);
  assert.match(lines[2]!, /^2\s+partition\s+FAIL\s+80\s+healSeconds=91$/);
  assert.ok(lines.includes('scenario 2 partition failed; rule: r2'));
  assert.ok(lines.includes('  h01: 0/3 peers'));
  assert.equal(closingLine(reports), '1 passed, 1 failed');
  assert.equal(closingLine([]), '0 passed, 0 failed');
});
