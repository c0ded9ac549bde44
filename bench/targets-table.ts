// Turns one run's JSON lines (bench/results/*.jsonl) into the Markdown table BENCHMARKS.md shows: every
// figure that carries a target (a ratio to a figure of the same run, or an absolute limit), with its
// value, the same-run ratio, the target and whether it was met. Why: the figures are judged on
// one whole run, and copying ratios by hand from a 130-figure table loses some.
//
// Usage: node --import tsx bench/targets-table.ts bench/results/latest.jsonl   (npm run bench:targets -- FILE)

import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { formatNumber } from './results.ts';

interface Line {
  readonly id?: string;
  readonly label?: string;
  readonly value?: number;
  readonly unit?: string;
  readonly better?: 'higher' | 'lower';
  readonly limit?: number;
  readonly comparisons?: readonly {
    readonly to: string;
    readonly ratio: number | null;
    readonly target: number | null;
    readonly ok: boolean | null;
  }[];
}

/** The table's rows, one per target (a figure with a ratio target and a limit gets two). */
export function targetRows(jsonl: string): string[] {
  const rows: string[] = [];
  for (const text of jsonl.split('\n')) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text) as Line;
    if (line.id === undefined || line.value === undefined || line.better === undefined) continue;
    const sign = line.better === 'higher' ? '>=' : '<=';
    const value = `${formatNumber(line.value)} ${line.unit ?? ''}`.trim();
    for (const c of line.comparisons ?? []) {
      if (c.target === null) continue;
      const ratio =
        c.ratio === null ? 'not measured' : `${c.ratio.toFixed(c.ratio < 0.1 ? 3 : 2)}x \`${c.to}\``;
      const status = c.ok === null ? 'no baseline' : c.ok ? 'met' : '**missed**';
      rows.push(`| \`${line.id}\` | ${value} | ${ratio} | ${sign} ${c.target}x | ${status} |`);
    }
    if (line.limit !== undefined) {
      const ok = line.better === 'higher' ? line.value >= line.limit : line.value <= line.limit;
      rows.push(
        `| \`${line.id}\` | ${value} | — | ${sign} ${formatNumber(line.limit)} ${line.unit ?? ''} | ${ok ? 'met' : '**missed**'} |`,
      );
    }
  }
  return rows;
}

export function targetsTable(jsonl: string): string {
  return [
    '| figure | value | same-run ratio | target | status |',
    '| --- | --- | --- | --- | --- |',
    ...targetRows(jsonl),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? 'bench/results/latest.jsonl';
  console.log(targetsTable(await readFile(file, 'utf8')));
}
