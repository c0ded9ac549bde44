// Properties at scale, CometBFT: 200 nodes for one virtual hour on the explicit fast wire model (the
// plain authenticated wire carrying CometBFT's PEX codec, with the Tendermint policy and CometBFT's
// limits; the real wire's cryptography is covered by the replay test and the wire's own tests).
// Checked at every sample: connection limits and one outbound peer per /16; at the end: the graph
// connects and nodes filled their outbound slots and learned the network.
// SIM_SEEDS (comma-separated) runs other seeds; a failure names the one-line command that replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/sim/simulation.ts';
import type { SimSummary } from '../../src/sim/summary.ts';

const seeds = (process.env.SIM_SEEDS ?? '1').split(',').map(Number);
const NODES = 200;
const HOURS = 1;

function check(summary: SimSummary, ok: boolean, what: string): void {
  assert.ok(ok, `${what} failed; replay with: ${summary.replay}`);
}

for (const seed of seeds) {
  test(`CometBFT (fast wire), ${NODES} nodes, 1 h, seed ${seed}: connects, limits and /16 diversity hold`, async () => {
    const s = await runSimulation({ wire: 'cometbft', wireModel: 'fast', nodes: NODES, seed, virtualHours: HOURS });
    check(s, s.properties.graphConnects, 'graph connects');
    check(s, s.properties.limitsRespected, 'connection limits');
    check(s, s.properties.groupDiversityHolds, 'outbound /16 diversity');
    check(s, s.samples.every((x) => x.maxOutboundPerSlash16 <= 1), 'at most one outbound peer per /16');
    check(s, s.properties.cleanRun, 'clean stop');
    const last = s.samples[s.samples.length - 1]!;
    check(s, last.outboundMean >= 9, `outbound slots filled (mean ${last.outboundMean})`);
    check(s, s.discovery['128']!.reached >= NODES * 0.9, 'most nodes learn 128 addresses');
  });
}
