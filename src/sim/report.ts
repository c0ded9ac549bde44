// Writes a run's files for `peerwire sim --out DIR`: summary.json (the whole summary) and four SVG
// plots — peers per node over time, the largest component's share and the diameter over time,
// addresses known over time, and the final in-degree distribution.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { barChart, lineChart } from './svg-plot.ts';
import type { SimSummary } from './summary.ts';

/** Files written, relative to the output directory. */
export const REPORT_FILES = ['summary.json', 'peers.svg', 'components.svg', 'known.svg', 'in-degree.svg'] as const;

export function plots(summary: SimSummary): Record<string, string> {
  const label = `${summary.wire}${summary.wireModel === 'fast' ? ' (fast wire)' : ''}, ${summary.nodes} nodes, ${summary.scenario}, seed ${summary.seed}`;
  const minutes = (t: number): number => Math.round((t / 60) * 100) / 100;
  const s = summary.samples;
  return {
    'peers.svg': lineChart(`Peers per node — ${label}`, 'virtual minutes', 'peers', [
      { name: 'mean', points: s.map((x) => [minutes(x.t), x.peers.mean]) },
      { name: 'p10', points: s.map((x) => [minutes(x.t), x.peers.p10]) },
      { name: 'p90', points: s.map((x) => [minutes(x.t), x.peers.p90]) },
      { name: 'outbound mean', points: s.map((x) => [minutes(x.t), x.outboundMean]) },
    ]),
    'components.svg': lineChart(
      `Largest component (share of nodes up) — ${label}`,
      'virtual minutes',
      'share',
      [
        { name: 'largest component', points: s.map((x) => [minutes(x.t), x.largestComponentFraction]) },
        { name: 'attacker share of outbound', points: s.map((x) => [minutes(x.t), x.attackerOutboundShare]) },
        { name: 'nodes up / all', points: s.map((x) => [minutes(x.t), x.up / Math.max(1, summary.nodes)]) },
      ],
      1,
    ),
    'known.svg': lineChart(`Addresses known per node, diameter — ${label}`, 'virtual minutes', 'count', [
      { name: 'known (mean)', points: s.map((x) => [minutes(x.t), x.knownMean]) },
      { name: 'diameter (hops)', points: s.map((x) => [minutes(x.t), x.diameter]) },
    ]),
    'in-degree.svg': barChart(
      `In-degree at the end — ${label}`,
      'inbound peers',
      'nodes',
      Object.entries(summary.inDegreeHistogram).map(([k, v]) => [Number(k), v] as const),
    ),
  };
}

export async function writeReport(dir: string, summary: SimSummary): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  for (const [name, svg] of Object.entries(plots(summary))) await writeFile(join(dir, name), svg);
}
