// The lab's output: one table row per scenario (result, seconds, figures), the details of failures,
// the JSON report (--report FILE), and the closing line `N passed, M failed`. Pure formatting apart
// from the file write.

import { writeFile } from 'node:fs/promises';
import type { Figures } from './scenario.ts';

export interface ScenarioReport {
  readonly id: number;
  readonly name: string;
  readonly rule: string;
  readonly passed: boolean;
  readonly seconds: number;
  readonly figures: Figures;
  readonly saw: readonly string[];
}

export interface LabReport {
  readonly command: string;
  readonly startedAt: string;
  readonly quick: boolean;
  readonly hosts: number;
  readonly seed: number;
  readonly wallSeconds: number;
  readonly scenarios: readonly ScenarioReport[];
  readonly passed: number;
  readonly failed: number;
}

function figureText(figures: Figures): string {
  return Object.entries(figures)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** The printed table (scenario, result, seconds, figures), then the failures' details. */
export function formatTable(scenarios: readonly ScenarioReport[]): string[] {
  const rows = scenarios.map((s) => [`${s.id}`, s.name, s.passed ? 'PASS' : 'FAIL', s.seconds.toFixed(0), figureText(s.figures)]);
  const header = ['#', 'scenario', 'result', 's', 'figures'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [line(header), ...rows.map(line)];
  for (const s of scenarios) {
    if (s.passed) continue;
    out.push('', `scenario ${s.id} ${s.name} failed; rule: ${s.rule}`, ...s.saw.map((l) => `  ${l}`));
  }
  return out;
}

/** The closing line, exactly `N passed, M failed`. */
export function closingLine(scenarios: readonly Pick<ScenarioReport, 'passed'>[]): string {
  const passed = scenarios.filter((s) => s.passed).length;
  return `${passed} passed, ${scenarios.length - passed} failed`;
}

export async function writeReport(path: string, report: LabReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
