// The observer's limit measure counts the PeerManager's slots, not connection directions. The
// 1,000-node real-wire run (docs/simulation.md) reported a node over its inbound limit at every
// sample: 6 of its 10 outbound peers had dialed it back at the same moment, and the tie-break kept
// their connection, inbound, in the outbound slot. Here a real PeerManager is brought to the same
// state on a small scale and the observer must see it within limits; a node really over a limit
// must still be counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.ts';
import { overLimit, Observer } from '../../src/sim/observer.ts';
import { policyLimits, type SimNode, type SimPeer } from '../../src/sim/sim-node.ts';
import { addrOf, connectInbound, connectOutbound, harness, infoOf, type Harness } from '../engine/peers/peer-fixtures.ts';

const LIMITS = { maxConnected: 4, maxOutgoing: 2, maxConnectedUpgrade: 0, maxInboundGuests: 0 };

/** What a router would report for the harness's connected peers: each peer's IP, direction and slot. */
function peersOf(h: Harness, ipOf: (n: number) => string): SimPeer[] {
  const out: SimPeer[] = [];
  for (const v of h.pm.peers()) {
    if (v.direction === undefined) continue;
    const n = parseInt(v.id, 16);
    out.push({ ip: ipOf(n), direction: v.direction, slot: h.pm.slotOf(v.id)! });
  }
  return out;
}

function nodeOver(h: Harness, ipOf: (n: number) => string): SimNode {
  return {
    limits: policyLimits(h.policy, 1, 'slash16'),
    peers: () => peersOf(h, ipOf),
    known: () => h.pm.stats().stored,
  } as unknown as SimNode;
}

test('peers keeping their outbound slot over an inbound connection are not counted as inbound', async () => {
  const h = await harness({ policy: LIMITS });
  const ips = new Map<number, string>();
  const ipOf = (n: number): string => ips.get(n)!;
  // Two outbound peers (ids below ours), each then dialing us back: their connection wins the tie-break.
  for (const n of [1, 2]) {
    const address = addrOf(n);
    ips.set(n, address.host);
    h.pm.add(address);
    const id = connectOutbound(h, address);
    assert.deepEqual(h.pm.accepted(id, infoOf(id)), { replacesExisting: true });
    h.pm.ready(id, infoOf(id), 'inbound');
  }
  // And the inbound side filled by two more.
  for (const n of [3, 4]) {
    ips.set(n, addrOf(n).host);
    connectInbound(h, n);
  }
  const stats = h.pm.stats();
  assert.deepEqual([stats.outbound, stats.inbound], [2, 2], 'the engine holds both budgets');
  const peers = peersOf(h, ipOf);
  assert.equal(peers.filter((p) => p.direction === 'inbound').length, 4, 'all four connections run inbound');

  const honest = [...ips.keys()].length + 1;
  const ipList = [addrOf(0).host, ...[1, 2, 3, 4].map(ipOf)];
  const observer = new Observer(ipList, honest, new SeededRandom(1).next);
  const sample = observer.sample(10, [{ index: 0, honest: true, node: nodeOver(h, ipOf) }]);
  assert.equal(sample.limitViolations, 0);
  assert.equal(sample.outboundMean, 2, 'outbound counts the slots the node chose');
  assert.equal(sample.groupViolations, 0);
});

test('a node over a slot limit or over the total is counted', () => {
  const limits = { maxOutbound: 10, maxInbound: 40, maxConnected: 50, maxUpgrade: 4, maxOutboundPerGroup: 1, groupBy: 'slash16' } as const;
  assert.equal(overLimit(limits, 10, 40), false);
  assert.equal(overLimit(limits, 14, 40), false, 'upgrade slots may be in use');
  assert.equal(overLimit(limits, 15, 30), true);
  assert.equal(overLimit(limits, 4, 45), true);
  assert.equal(overLimit(limits, 12, 43), true, 'both sides within their own limits, the total is not');
  const tight = { ...limits, maxConnected: 30 };
  assert.equal(overLimit(tight, 10, 25), true, 'a total below the sum of the slot limits binds');
});
