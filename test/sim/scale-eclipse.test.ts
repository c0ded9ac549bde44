// Properties at scale, eclipse: honest CometBFT nodes (fast wire model) while 20 attackers in one /16
// gossip only each other's addresses. No honest node may be eclipsed, outbound /16 diversity holds,
// and the run ends clean — this seed once exposed a dial loop that re-armed a zero-delay timer while
// the router was at its concurrent-dial cap (1.6 million timers in 28 virtual seconds).
// SIM_SEEDS (comma-separated) runs other seeds; a failure names the one-line command that replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/sim/simulation.ts';

const seeds = (process.env.SIM_SEEDS ?? '1').split(',').map(Number);

for (const seed of seeds) {
  test(`CometBFT (fast wire), eclipse from one /16, 60 nodes, 12 virtual minutes, seed ${seed}`, async () => {
    const s = await runSimulation({
      wire: 'cometbft',
      wireModel: 'fast',
      nodes: 60,
      seed,
      virtualHours: 0.2,
      scenario: 'eclipse',
    });
    const replay = `replay with: ${s.replay}`;
    assert.ok(s.properties.cleanRun, `the run hit the simulator's timer budget; ${replay}`);
    assert.ok(s.properties.noEclipse, `an honest node was eclipsed; ${replay}`);
    assert.ok(s.properties.groupDiversityHolds, `outbound /16 diversity broke; ${replay}`);
    assert.ok(s.properties.limitsRespected, `connection limits broke; ${replay}`);
  });
}
