// Scenario 2, partition and heal: the hosts are split into two halves (each with both wires) by
// blackhole rules in the router — packets between the halves vanish, as with an nftables drop — for
// 60 s (20 s in the quick run), then the rules go. Measured: links across the split before, at the
// end of the partition (those still listed are connections whose keep-alive has not fired yet), and
// after healing the time until each wire is one graph again and every node that had a peer across
// the split has one again — a node stuck in redial backoff past its cap would miss that limit.

import { crossing, edges } from '../graph.ts';
import { sleep } from '../lab.ts';
import { formationGaps, seconds, type Scenario } from '../scenario.ts';

/** Partition length (ms): the 60 s; the quick run keeps CI short. */
const PARTITION_MS = 60_000;
const QUICK_PARTITION_MS = 20_000;
/**
 * Longest heal accepted (ms): the lab profile's redial backoff caps at 10 s (CometBFT) and 1 s
 * (Zcash); a TCP connection that lost packets during the split may wait one retransmission timeout
 * (which backs off to tens of seconds) before it gives up; 90 s covers both with margin.
 */
const HEAL_LIMIT_MS = 90_000;
/** Snapshot interval while partitioned (ms). */
const PARTITION_POLL_MS = 5_000;

export const partition: Scenario = {
  id: 2,
  name: 'partition',
  rule: (c) => `after a ${(c.quick ? QUICK_PARTITION_MS : PARTITION_MS) / 1000} s split into halves, one graph per wire and every node with a peer across before has one again within ${HEAL_LIMIT_MS / 1000} s of healing`,
  run: async (lab, context) => {
    const half = Math.ceil(lab.hosts.length / 2);
    const sideA = lab.hosts.slice(0, half);
    const sideB = lab.hosts.slice(half);
    const namesA = new Set(sideA.map((h) => h.name));
    const namesB = new Set(sideB.map((h) => h.name));
    const before = await lab.snapshot();
    const crossBefore = crossing(edges(lab.hosts, before), namesA, namesB);
    // Nodes that had a peer across the split (per wire edges only connect same-wire hosts anyway).
    const hadCross = new Set(crossBefore.flatMap((e) => e.split('-')));
    await lab.network.partition(sideA.map((h) => h.ip), sideB.map((h) => h.ip));
    const length = context.quick ? QUICK_PARTITION_MS : PARTITION_MS;
    const partitionedAt = Date.now();
    let minCross = crossBefore.length;
    while (Date.now() - partitionedAt < length && !lab.signal.aborted) {
      await sleep(Math.min(PARTITION_POLL_MS, length - (Date.now() - partitionedAt)), lab.signal);
      minCross = Math.min(minCross, crossing(edges(lab.hosts, await lab.snapshot()), namesA, namesB).length);
    }
    await lab.network.heal();
    const healedAt = Date.now();
    const backAt = new Map<string, number>();
    const check = (snap: Parameters<typeof formationGaps>[2]): boolean => {
      const cross = crossing(edges(lab.hosts, snap), namesA, namesB);
      for (const name of cross.flatMap((e) => e.split('-'))) if (!backAt.has(name)) backAt.set(name, Date.now() - healedAt);
      const oneGraph = formationGaps(lab, lab.hosts, snap).filter((g) => g.includes('components')).length === 0;
      return oneGraph && [...hadCross].every((n) => backAt.has(n));
    };
    const wait = await lab.waitFor(check, HEAL_LIMIT_MS);
    const missing = [...hadCross].filter((n) => !backAt.has(n));
    return {
      passed: wait.ok,
      figures: {
        partitionSeconds: seconds(length),
        crossLinksBefore: crossBefore.length,
        crossLinksMinDuringSplit: minCross,
        healSeconds: seconds(wait.elapsedMs),
        slowestNodeBackSeconds: seconds(Math.max(0, ...backAt.values())),
      },
      saw: wait.ok
        ? []
        : [
            ...formationGaps(lab, lab.hosts, wait.snapshot),
            ...(missing.length > 0 ? [`no peer across the split again: ${missing.join(' ')}`] : []),
            ...(await lab.describe(lab.hosts.map((h) => lab.node(h)))),
          ],
    };
  },
};
