// Scenario 4, crash and restart: a third of the hosts (never a seed, both wires) get kill -9 — no
// chance to save anything — and come back after 20 s (10 s in the quick run) on the same home. Their
// peer stores must load (records present at once, no corrupt-load count, no file moved aside as
// corrupt), and they must rejoin: target peers and one graph per wire within the stated limit.

import { readdir } from 'node:fs/promises';
import { sleep } from '../lab.ts';
import { metricSum } from '../prom-text.ts';
import { formationGaps, seconds, seedOf, type Scenario } from '../scenario.ts';

/** Time the killed hosts stay down (ms): the issue's 20 s; the quick run halves it. */
const DOWN_MS = 20_000;
const QUICK_DOWN_MS = 10_000;
/** Longest rejoin accepted (ms), from the restart: stores hold every old peer, so redials start at once. */
export const REJOIN_LIMIT_MS = 60_000;

export const crashRestart: Scenario = {
  id: 4,
  name: 'crash-restart',
  rule: () => `kill -9 a third of the hosts; after restart every store loads intact and they rejoin within ${REJOIN_LIMIT_MS / 1000} s`,
  run: async (lab, context) => {
    const seeds = new Set([seedOf(lab, 'cometbft').name, seedOf(lab, 'zcash').name]);
    const count = Math.max(2, Math.round(lab.hosts.length / 3));
    // The last hosts of the list: both wires alternate, so the victims are split between them.
    const victims = lab.hosts.filter((h) => !seeds.has(h.name)).slice(-count).map((h) => lab.node(h));
    const before = await lab.snapshot();
    const storedBefore = victims.map((v) => before.statuses.get(v.spec.name)?.peerStore?.stored ?? 0);
    await Promise.all(victims.map((v) => v.kill()));
    await sleep(context.quick ? QUICK_DOWN_MS : DOWN_MS, lab.signal);
    const restartAt = Date.now();
    for (const victim of victims) await victim.start();
    const saw: string[] = [];
    const storedAfter: number[] = [];
    let corruptLoads = 0;
    let corruptFiles = 0;
    for (const victim of victims) {
      const status = await lab.waitUp(victim);
      storedAfter.push(status?.peerStore?.stored ?? 0);
      const samples = await lab.metrics(victim);
      corruptLoads += samples === undefined ? 0 : metricSum(samples, 'peerwire_peers_store_corrupt_loads_total');
      const files = await readdir(victim.spec.home).catch(() => [] as string[]);
      corruptFiles += files.filter((f) => f.includes('.corrupt-')).length;
      if (status === undefined) saw.push(`${victim.spec.name} did not come back up`);
    }
    const storesLoaded = storedAfter.every((n) => n > 0);
    const wait = await lab.waitFor((snap) => formationGaps(lab, lab.hosts, snap).length === 0, REJOIN_LIMIT_MS);
    const passed = wait.ok && storesLoaded && corruptLoads === 0 && corruptFiles === 0 && saw.length === 0;
    if (!storesLoaded) saw.push(`stores after restart: ${victims.map((v, i) => `${v.spec.name}=${storedAfter[i]} (before ${storedBefore[i]})`).join(' ')}`);
    if (!passed) saw.push(...formationGaps(lab, lab.hosts, wait.snapshot), ...(await lab.describe(victims)));
    return {
      passed,
      figures: {
        killed: victims.length,
        downSeconds: seconds(context.quick ? QUICK_DOWN_MS : DOWN_MS),
        storedPeersBefore: storedBefore.reduce((a, b) => a + b, 0),
        storedPeersLoaded: storedAfter.reduce((a, b) => a + b, 0),
        corruptLoads,
        corruptFiles,
        rejoinSeconds: seconds(Date.now() - restartAt),
      },
      saw,
    };
  },
};
