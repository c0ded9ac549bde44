// Scenario 1, formation from one seed: every host starts with an empty store and knows only the first
// host of its wire; the nodes must find each other by PEX (CometBFT) and crawling (Zcash) until every
// node holds its target peers and each wire is one connected graph. Also the bring-up the other
// scenarios start from, and the re-formation the latency scenario times under delay and loss.

import type { Lab } from '../lab.ts';
import { degreeFigures, formationGaps, seconds, seedOf, type Scenario } from '../scenario.ts';

/** Longest formation accepted (ms): the lab profile asks for addresses every second; two minutes is slack for a loaded box. */
export const FORMATION_LIMIT_MS = 120_000;

export interface BringUp {
  readonly ok: boolean;
  /** From the first non-seed start until formed (ms). */
  readonly formedMs: number;
  /** Time to start every node (staggered), ms. */
  readonly startSpanMs: number;
  readonly gaps: readonly string[];
}

/** Starts every host from one seed per wire (fresh homes) and waits until formed. */
export async function bringUp(lab: Lab, limitMs = FORMATION_LIMIT_MS): Promise<BringUp> {
  const seeds = (['cometbft', 'zcash'] as const).map((w) => lab.node(seedOf(lab, w)));
  for (const seed of seeds) await seed.start({ freshHome: true });
  const addresses = new Map<string, string>();
  for (const seed of seeds) addresses.set(seed.spec.wire, await lab.addressOf(seed));
  const others = lab.hosts.filter((h) => !seeds.some((s) => s.spec.name === h.name)).map((h) => lab.node(h));
  const start = Date.now();
  await lab.startAll(others, (node) => ({ freshHome: true, seeds: [addresses.get(node.spec.wire)!] }));
  const startSpanMs = Date.now() - start;
  const wait = await lab.waitFor((snap) => formationGaps(lab, lab.hosts, snap).length === 0, Math.max(0, limitMs - startSpanMs));
  return { ok: wait.ok, formedMs: Date.now() - start, startSpanMs, gaps: formationGaps(lab, lab.hosts, wait.snapshot) };
}

export const formation: Scenario = {
  id: 1,
  name: 'formation',
  rule: () => `from one seed per wire, every node holds its target peers and each wire is one graph within ${FORMATION_LIMIT_MS / 1000} s`,
  run: async (lab) => {
    const result = await bringUp(lab);
    const snapshot = await lab.snapshot();
    return {
      passed: result.ok,
      figures: { formedSeconds: seconds(result.formedMs), startSpanSeconds: seconds(result.startSpanMs), ...degreeFigures(lab.hosts, snapshot) },
      saw: result.ok ? [] : [...result.gaps, ...(await lab.describe([...lab.nodes.values()]))],
    };
  },
};
