// Scenario 7, clock skew: one Zcash host runs 10 minutes ahead, another 10 minutes behind, and one
// CometBFT host 10 minutes ahead (the node's `clock_offset`: its wall clock, the timestamps it sends
// in version messages and gossip, and those it stores, are shifted; timers are not). They join as new
// hosts (fresh homes, so their stores hold no times from the true clock). Connections must form, and
// no address may be poisoned: on every Zcash node the newest last-seen time in the address book must
// not lie ahead of that node's own clock (Zebra's rule: gossiped times from the future are pulled
// back to now before they enter the book), and no node may be banned for the skew. Afterwards the
// hosts return to the true clock, again as new hosts.

import { sleep } from '../lab.ts';
import type { LabNode } from '../lab-node.ts';
import { metricSum } from '../prom-text.ts';
import { degree, edges } from '../graph.ts';
import { formationGaps, round, seconds, seedOf, targetPeers, type Scenario } from '../scenario.ts';

/** The issue's ±10 minutes (s). */
const SKEW_SECONDS = 600;
/** Limit for the skewed hosts to hold their target peers (ms). */
const JOIN_LIMIT_MS = 90_000;
/** Gossip rounds watched after joining (ms): the lab profile crawls and asks for addresses every second. */
const WATCH_MS = 30_000;
/** Slack between a book's newest last-seen and its node's clock (ms): the status is read a moment after. */
const FUTURE_SLACK_MS = 2_000;
/** Largest difference accepted between a node's reported clock and the expected skew (ms): scrape latency. */
const CLOCK_CHECK_SLACK_MS = 10_000;

export const clockSkew: Scenario = {
  id: 7,
  name: 'clock-skew',
  rule: () => `hosts ${SKEW_SECONDS / 60} min ahead and behind join within ${JOIN_LIMIT_MS / 1000} s; no Zcash book holds a last-seen time ahead of its node's clock; no ban`,
  run: async (lab) => {
    const zcash = lab.hostsOf('zcash').filter((h) => h.name !== seedOf(lab, 'zcash').name);
    const cometbft = lab.hostsOf('cometbft').filter((h) => h.name !== seedOf(lab, 'cometbft').name);
    const skewed: { node: LabNode; offset: number }[] = [
      { node: lab.node(zcash[0]!), offset: SKEW_SECONDS },
      { node: lab.node(zcash[zcash.length - 1]!), offset: -SKEW_SECONDS },
      { node: lab.node(cometbft[0]!), offset: SKEW_SECONDS },
    ];
    const seeds = new Map<string, string>();
    for (const wire of ['cometbft', 'zcash'] as const) seeds.set(wire, await lab.addressOf(lab.node(seedOf(lab, wire))));
    const saw: string[] = [];
    for (const { node } of skewed) await node.stop();
    for (const { node, offset } of skewed) await node.start({ freshHome: true, clockOffset: offset, seeds: [seeds.get(node.spec.wire)!] });
    const startedAt = Date.now();
    try {
      const joined = await lab.waitFor((snap) => {
        const hosts = lab.hosts;
        return skewed.every(({ node }) => {
          const ofWire = hosts.filter((h) => h.wire === node.spec.wire);
          const host = hosts.find((h) => h.name === node.spec.name)!;
          return degree(host, ofWire, edges(ofWire, snap)) >= targetPeers(ofWire.length);
        }) && formationGaps(lab, hosts, snap).filter((g) => g.includes('components')).length === 0;
      }, JOIN_LIMIT_MS);
      const joinMs = Date.now() - startedAt;
      if (!joined.ok) saw.push(`skewed hosts did not join: ${formationGaps(lab, lab.hosts, joined.snapshot).join('; ')}`);
      for (const { node, offset } of skewed) {
        const status = joined.snapshot.statuses.get(node.spec.name);
        const drift = status?.clock === undefined ? undefined : status.clock - Date.now() - offset * 1000;
        if (drift === undefined || Math.abs(drift) > CLOCK_CHECK_SLACK_MS) saw.push(`${node.spec.name}: clock offset not in effect (reported ${status?.clock ?? 'nothing'})`);
      }
      await sleep(WATCH_MS, lab.signal);
      let worstAheadMs = Number.NEGATIVE_INFINITY;
      let poisoned = 0;
      const snapshot = await lab.snapshot();
      for (const host of lab.hostsOf('zcash')) {
        const status = snapshot.statuses.get(host.name);
        if (status?.clock === undefined || status.addressBookLatestSeen === undefined) continue;
        const ahead = status.addressBookLatestSeen - status.clock;
        worstAheadMs = Math.max(worstAheadMs, ahead);
        if (ahead > FUTURE_SLACK_MS) {
          poisoned++;
          saw.push(`${host.name}: newest last-seen ${round(ahead / 1000)} s ahead of its clock`);
        }
      }
      let bans = 0;
      for (const samples of (await lab.allMetrics()).values()) if (samples !== undefined) bans += metricSum(samples, 'peerwire_peers_bans_total');
      if (bans > 0) saw.push(`${bans} bans`);
      const passed = saw.length === 0;
      if (!passed) saw.push(...(await lab.describe(skewed.map((s) => s.node))));
      return {
        passed,
        figures: {
          skewSeconds: SKEW_SECONDS,
          skewedHosts: skewed.length,
          joinSeconds: seconds(joinMs),
          zcashBooksPoisoned: poisoned,
          newestLastSeenAheadSeconds: Number.isFinite(worstAheadMs) ? round(worstAheadMs / 1000) : 'n/a',
          bans,
        },
        saw,
      };
    } finally {
      for (const { node } of skewed) {
        await node.stop();
        await node.start({ freshHome: true, seeds: [seeds.get(node.spec.wire)!] });
      }
    }
  },
};
