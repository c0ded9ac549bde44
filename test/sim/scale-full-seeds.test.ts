// Properties at scale, bootstrap from ordinary full nodes: 200 CometBFT nodes (fast wire model) whose
// four bootstrap nodes run as normal full nodes (40 inbound slots each), not in seed mode. More than
// 160 newcomers cannot all get a slot at the bootstrap nodes; before guests (engine/peers/guests.ts)
// a refused newcomer learned nothing and the network stalled at a largest component of ~23% for good
// (docs/simulation.md, finding 1). Now a full node answers a newcomer's address request before
// closing, and the network must connect within the stated virtual time, with limits and outbound /16
// diversity intact. SIM_SEEDS (comma-separated) runs other seeds; a failure names the replay command.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/sim/simulation.ts';

const seeds = (process.env.SIM_SEEDS ?? '1').split(',').map(Number);
const NODES = 200;
const HOURS = 0.1;
/** The stated bound: one component holding every up node from this virtual time on (s). */
const CONNECTED_BY_S = 180;

for (const seed of seeds) {
  test(`CometBFT (fast wire), ${NODES} nodes bootstrapped from full nodes (no seed mode), seed ${seed}: connected within ${CONNECTED_BY_S} s`, async () => {
    const s = await runSimulation({ wire: 'cometbft', wireModel: 'fast', nodes: NODES, seed, virtualHours: HOURS, scenario: 'full-seeds' });
    const replay = `replay with: ${s.replay}`;
    const late = s.samples.filter((x) => x.t >= CONNECTED_BY_S);
    assert.ok(late.length > 0, 'samples after the bound');
    for (const x of late) assert.equal(x.largestComponentFraction, 1, `at ${x.t} s the largest component holds ${x.largestComponentFraction}; ${replay}`);
    const last = s.samples[s.samples.length - 1]!;
    assert.ok(last.outboundMean >= 9, `outbound slots filled (mean ${last.outboundMean}); ${replay}`);
    assert.ok((s.counters['peerwire_peers_guests_total']?.[''] ?? 0) > 0, `no newcomer was answered as a guest; ${replay}`);
    assert.ok(s.properties.limitsRespected, `connection limits broke; ${replay}`);
    assert.ok(s.properties.groupDiversityHolds, `outbound /16 diversity broke; ${replay}`);
    assert.ok(s.properties.cleanRun, `the run was not clean; ${replay}`);
  });
}
