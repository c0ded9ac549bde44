// Scenario 5, churn: for 5 minutes, every few seconds one host leaves (alternately a clean stop and a
// kill -9) and a host that has been away comes back on its old home; at most a quarter of the hosts
// are away at once, the seeds and one more host per wire (the anchors) never leave; who leaves follows
// a fixed rotation, so runs repeat. Every snapshot
// checks that the settled hosts (up for a while) of each wire form one graph; at the end every host
// returns and the network must form again. Memory: the anchors' resident set in the last minute
// against the first.

import { sleep } from '../lab.ts';
import type { LabNode } from '../lab-node.ts';
import { connectedPerWire } from '../graph.ts';
import { formationGaps, round, seconds, type Scenario } from '../scenario.ts';

/** Churn length (ms): the issue's 5 minutes. */
const CHURN_MS = 300_000;
/** One leave and one return every this many ms. */
const STEP_MS = 8_000;
/** A host counts in the connectivity check once it has been up this long (ms): time to dial and handshake. */
const SETTLE_MS = 20_000;
/** Share of snapshots in which the settled hosts must form one graph per wire. */
const MIN_CONNECTED_SHARE = 0.95;
/** Memory window at the start and at the end compared (ms). */
const MEMORY_WINDOW_MS = 60_000;
/** Largest accepted growth of the anchors' mean resident set, last window over first. */
const MAX_MEMORY_GROWTH = 0.25;
/** Limit for the final re-formation once everyone is back (ms). */
const FINAL_LIMIT_MS = 90_000;

export const churn: Scenario = {
  id: 5,
  name: 'churn',
  rule: () =>
    `hosts leave and return every ${STEP_MS / 1000} s for ${CHURN_MS / 60_000} min: settled hosts form one graph per wire in ≥ ${MIN_CONNECTED_SHARE * 100} % of snapshots, all re-form within ${FINAL_LIMIT_MS / 1000} s, anchors' memory grows < ${MAX_MEMORY_GROWTH * 100} %`,
  run: async (lab) => {
    const anchors = (['cometbft', 'zcash'] as const).flatMap((w) => lab.hostsOf(w).slice(0, 2)).map((h) => lab.node(h));
    const churnable = lab.hosts.map((h) => lab.node(h)).filter((n) => !anchors.includes(n));
    const maxAway = Math.max(1, Math.floor(lab.hosts.length / 4));
    const away: { node: LabNode; since: number }[] = [];
    const memory: { at: number; rss: number }[] = [];
    let snapshots = 0;
    let connectedSnapshots = 0;
    let leaves = 0;
    let returns = 0;
    const brokenAt: string[] = [];
    const start = Date.now();
    let step = 0;
    while (Date.now() - start < CHURN_MS && !lab.signal.aborted) {
      // Return the host that has been away longest once the limit is reached or it has been away a step.
      const due = away[0];
      if (due !== undefined && (away.length >= maxAway || Date.now() - due.since >= STEP_MS)) {
        away.shift();
        await due.node.start();
        returns++;
      }
      const candidates = churnable.filter((n) => n.running);
      if (away.length < maxAway && candidates.length > 0) {
        // A fixed rotation (every third candidate) instead of a random pick: the same run repeats exactly.
        const leaving = candidates[(step * 3) % candidates.length]!;
        if (step % 2 === 0) await leaving.stop();
        else await leaving.kill();
        away.push({ node: leaving, since: Date.now() });
        leaves++;
      }
      step++;
      await sleep(STEP_MS / 2, lab.signal);
      const snapshot = await lab.snapshot();
      const settled = lab.hosts.filter((h) => {
        const node = lab.node(h);
        return node.running && node.startedAt !== undefined && Date.now() - node.startedAt >= SETTLE_MS;
      });
      snapshots++;
      const parts = connectedPerWire(settled, snapshot);
      if (parts.every((p) => p.components.length <= 1)) connectedSnapshots++;
      else brokenAt.push(`${seconds(Date.now() - start)} s: ${parts.map((p) => `${p.wire} ${p.components.map((c) => `[${c.join(' ')}]`).join(' ')}`).join('; ')}`);
      let rss = 0;
      for (const anchor of anchors) rss += (await anchor.residentBytes()) ?? 0;
      memory.push({ at: Date.now() - start, rss });
      await sleep(STEP_MS / 2, lab.signal);
    }
    for (const { node } of away) await node.start();
    returns += away.length;
    const final = await lab.waitFor((snap) => formationGaps(lab, lab.hosts, snap).length === 0, FINAL_LIMIT_MS);
    const elapsed = Date.now() - start;
    const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    const first = mean(memory.filter((m) => m.at <= MEMORY_WINDOW_MS).map((m) => m.rss));
    const lastAt = memory.at(-1)?.at ?? 0;
    const last = mean(memory.filter((m) => m.at >= lastAt - MEMORY_WINDOW_MS).map((m) => m.rss));
    const growth = first === 0 ? 0 : last / first - 1;
    const share = snapshots === 0 ? 0 : connectedSnapshots / snapshots;
    const saw: string[] = [];
    if (share < MIN_CONNECTED_SHARE) saw.push(`graph split in ${snapshots - connectedSnapshots}/${snapshots} snapshots`, ...brokenAt.slice(0, 10));
    if (!final.ok) saw.push(...formationGaps(lab, lab.hosts, final.snapshot));
    if (growth >= MAX_MEMORY_GROWTH) saw.push(`anchors' resident memory ${round(first / 2 ** 20)} MiB → ${round(last / 2 ** 20)} MiB`);
    const passed = saw.length === 0 && !lab.signal.aborted;
    if (!passed) saw.push(...(await lab.describe(lab.hosts.map((h) => lab.node(h)))));
    return {
      passed,
      figures: {
        churnSeconds: seconds(Math.min(elapsed, CHURN_MS)),
        leaves,
        returns,
        snapshots,
        connectedPercent: round(share * 100),
        finalFormSeconds: seconds(final.elapsedMs),
        anchorRssFirstMiB: round(first / 2 ** 20),
        anchorRssLastMiB: round(last / 2 ** 20),
        memoryGrowthPercent: round(growth * 100),
      },
      saw,
    };
  },
};
