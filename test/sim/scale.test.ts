// Properties at scale: 200-node CometBFT networks simulated for one virtual hour (the eclipse run for
// half an hour), and a 100-node Zcash network for a quarter of an hour (Zebra's 75 outbound slots per
// node make its networks dense: the heartbeats of ~7,500 connections dominate). The CometBFT runs use
// the explicit fast wire model (the plain authenticated wire carrying CometBFT's PEX codec, the
// Tendermint policy and CometBFT's limits; the wire's own cryptography is covered by the replay test
// and the wire's tests), the Zcash run its real wire. Checked at every sample: no node over its
// connection limits, outbound group diversity; at the end: the graph connects; in the eclipse
// scenario, attackers from one /16 never hold all of an honest node's outbound slots. SIM_SEEDS
// (comma-separated) runs other seeds; a failure names the one-line command that replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/sim/simulation.ts';
import type { SimSummary } from '../../src/sim/summary.ts';

const seeds = (process.env.SIM_SEEDS ?? '1').split(',').map(Number);
const NODES = 200;
const HOURS = 1;
const ECLIPSE_HOURS = 0.5;
const ZCASH_NODES = 100;
const ZCASH_HOURS = 0.25;

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

  test(`CometBFT (fast wire), eclipse from one /16 against ${NODES} nodes, seed ${seed}: fails`, async () => {
    const s = await runSimulation({ wire: 'cometbft', wireModel: 'fast', nodes: NODES, seed, virtualHours: ECLIPSE_HOURS, scenario: 'eclipse' });
    assert.ok(s.attackers >= 20);
    check(s, s.properties.noEclipse, 'no honest node eclipsed');
    check(s, s.properties.groupDiversityHolds, 'outbound /16 diversity under attack');
    // One outbound slot of ten at most: the attacker /16 is one group.
    check(s, s.samples.every((x) => x.attackerOutboundShare <= 0.1 + 1e-9), 'attackers hold at most one outbound slot each');
    check(s, s.properties.graphConnects, 'honest graph connects under attack');
    check(s, s.properties.limitsRespected, 'connection limits under attack');
  });

  test(`Zcash (real wire), ${ZCASH_NODES} nodes, ${ZCASH_HOURS} h, seed ${seed}: connects and limits hold`, async () => {
    const s = await runSimulation({ wire: 'zcash', nodes: ZCASH_NODES, seed, virtualHours: ZCASH_HOURS });
    check(s, s.properties.graphConnects, 'graph connects');
    check(s, s.properties.limitsRespected, 'connection limits');
    check(s, s.properties.groupDiversityHolds, 'one outbound connection per IP');
    check(s, s.properties.cleanRun, 'clean stop');
  });
}
