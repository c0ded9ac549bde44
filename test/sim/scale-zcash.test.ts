// Properties at scale, Zcash: 60 nodes on the real Zcash wire for six virtual minutes (Zebra's 75
// outbound slots make its networks dense and its heartbeats costly to simulate: docs/simulation.md).
// Checked at every sample: connection limits and one outbound connection per IP (Zebra's group); at
// the end: the graph connects and the run stopped leaving no timer behind.
// SIM_SEEDS (comma-separated) runs other seeds; a failure names the one-line command that replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../../src/sim/simulation.ts';
import type { SimSummary } from '../../src/sim/summary.ts';

const seeds = (process.env.SIM_SEEDS ?? '1').split(',').map(Number);
const ZCASH_NODES = 60;
const ZCASH_HOURS = 0.1;

function check(summary: SimSummary, ok: boolean, what: string): void {
  assert.ok(ok, `${what} failed; replay with: ${summary.replay}`);
}

for (const seed of seeds) {
  test(`Zcash (real wire), ${ZCASH_NODES} nodes, ${ZCASH_HOURS} h, seed ${seed}: connects and limits hold`, async () => {
    const s = await runSimulation({ wire: 'zcash', nodes: ZCASH_NODES, seed, virtualHours: ZCASH_HOURS });
    check(s, s.properties.graphConnects, 'graph connects');
    check(s, s.properties.limitsRespected, 'connection limits');
    check(s, s.properties.groupDiversityHolds, 'one outbound connection per IP');
    check(s, s.properties.cleanRun, 'clean stop');
  });
}
