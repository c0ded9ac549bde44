// Plots and growth fits for the scaling figures (bench/suites/scaling.ts): one log-log SVG line chart
// per metric with a line per wire, and a fitted growth in words. Written here rather than reusing
// src/sim/svg-plot.ts because peer counts 10/100/1,000 need logarithmic axes, on which "constant" is
// a flat line and "linear" a line of slope 1. No dependency: the markup is a few hundred bytes.
//
// Regenerate the plots from a saved run: `node --import tsx bench/support/scaling-plot.ts <dir>`
// (reads <dir>/scaling.json, writes <dir>/*.svg).

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ScalingPoint {
  readonly peers: number;
  readonly value: number;
}

export interface ScalingMetric {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** Points by wire name. */
  readonly series: Readonly<Record<string, readonly ScalingPoint[]>>;
}

const WIDTH = 560;
const HEIGHT = 300;
const PAD = { left: 64, right: 120, top: 32, bottom: 40 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function label(x: number): string {
  if (x >= 1e6) return `${x / 1e6}M`;
  if (x >= 1e3) return `${x / 1e3}k`;
  return x >= 1 ? String(x) : x.toPrecision(1);
}

/**
 * Least-squares slope of log(value) over log(peers): 0 means constant, 1 linear, -1 inversely
 * proportional. NaN with fewer than two positive points.
 */
export function logLogSlope(points: readonly ScalingPoint[]): number {
  const xy = points
    .filter((p) => p.peers > 0 && p.value > 0)
    .map((p) => [Math.log(p.peers), Math.log(p.value)]);
  if (xy.length < 2) return Number.NaN;
  const mx = xy.reduce((s, [x]) => s + x!, 0) / xy.length;
  const my = xy.reduce((s, [, y]) => s + y!, 0) / xy.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of xy) {
    num += (x! - mx) * (y! - my);
    den += (x! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Slopes within this of 0 or 1 read as "constant" or "linear" (x10 peers then moves the value < 1.4x off). */
const SLOPE_TOLERANCE = 0.15;

/** The fitted growth in words, e.g. "constant (slope 0.03)" or "grows as peers^0.42". */
export function growthInWords(points: readonly ScalingPoint[]): string {
  const b = logLogSlope(points);
  if (Number.isNaN(b)) return 'not enough points';
  const s = b.toFixed(2);
  if (Math.abs(b) <= SLOPE_TOLERANCE) return `about constant (log-log slope ${s})`;
  if (Math.abs(b - 1) <= SLOPE_TOLERANCE) return `about linear in peers (slope ${s})`;
  if (Math.abs(b + 1) <= SLOPE_TOLERANCE) return `about inversely proportional to peers (slope ${s})`;
  return b > 0 ? `grows as peers^${s}` : `falls as peers^${s}`;
}

function decadeRange(values: readonly number[]): [number, number] {
  const pos = values.filter((v) => v > 0);
  if (pos.length === 0) return [1, 10];
  let lo = 10 ** Math.floor(Math.log10(Math.min(...pos)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...pos)));
  if (hi <= lo) hi = lo * 10;
  if (hi / lo < 100) lo = hi / 100;
  return [lo, hi];
}

/** A log-log line chart of one metric, one line per wire, the fitted growth in the legend. */
export function scalingChart(metric: ScalingMetric): string {
  const entries = Object.entries(metric.series);
  const all = entries.flatMap(([, pts]) => pts);
  const [x0, x1] = decadeRange(all.map((p) => p.peers));
  const [y0, y1] = decadeRange(all.map((p) => p.value));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const px = (x: number): number => PAD.left + (w * Math.log10(x / x0)) / Math.log10(x1 / x0);
  const py = (y: number): number =>
    PAD.top + h - (h * Math.log10(Math.max(y, y0) / y0)) / Math.log10(y1 / y0);
  let grid = '';
  for (let x = x0; x <= x1 * 1.001; x *= 10) {
    grid += `<line x1="${px(x)}" y1="${PAD.top}" x2="${px(x)}" y2="${PAD.top + h}" stroke="#ddd"/>`;
    grid += `<text x="${px(x)}" y="${PAD.top + h + 16}" text-anchor="middle">${label(x)}</text>`;
  }
  for (let y = y0; y <= y1 * 1.001; y *= 10) {
    grid += `<line x1="${PAD.left}" y1="${py(y)}" x2="${PAD.left + w}" y2="${py(y)}" stroke="#ddd"/>`;
    grid += `<text x="${PAD.left - 6}" y="${py(y) + 4}" text-anchor="end">${label(y)}</text>`;
  }
  let body = '';
  let legend = '';
  entries.forEach(([name, pts], i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const sorted = [...pts].filter((p) => p.value > 0).sort((a, b) => a.peers - b.peers);
    const path = sorted.map((p) => `${px(p.peers).toFixed(1)},${py(p.value).toFixed(1)}`).join(' ');
    body += `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`;
    for (const p of sorted)
      body += `<circle cx="${px(p.peers).toFixed(1)}" cy="${py(p.value).toFixed(1)}" r="3" fill="${colour}"/>`;
    const slope = logLogSlope(pts);
    const ly = PAD.top + 14 + i * 30;
    legend += `<text x="${PAD.left + w + 10}" y="${ly}" fill="${colour}">${esc(name)}</text>`;
    legend += `<text x="${PAD.left + w + 10}" y="${ly + 13}" fill="${colour}">slope ${Number.isNaN(slope) ? '-' : slope.toFixed(2)}</text>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">` +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>` +
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="13">${esc(metric.title)}</text>` +
    grid +
    `<line x1="${PAD.left}" y1="${PAD.top + h}" x2="${PAD.left + w}" y2="${PAD.top + h}" stroke="#333"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + h}" stroke="#333"/>` +
    `<text x="${PAD.left + w / 2}" y="${HEIGHT - 8}" text-anchor="middle">connected peers (log)</text>` +
    `<text x="14" y="${PAD.top + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + h / 2})">${esc(metric.unit)} (log)</text>` +
    body +
    legend +
    `</svg>\n`
  );
}

/** Writes one SVG per metric into `dir` (which ends in '/'); returns the file names. */
export function writeScalingCharts(dir: string, metrics: readonly ScalingMetric[]): string[] {
  return metrics.map((metric) => {
    const name = `scaling-${metric.id}.svg`;
    writeFileSync(`${dir}${name}`, scalingChart(metric));
    return name;
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = `${process.argv[2] ?? '.'}/`.replace(/\/+$/, '/');
  const saved = JSON.parse(readFileSync(`${dir}scaling.json`, 'utf8')) as { metrics: ScalingMetric[] };
  for (const name of writeScalingCharts(dir, saved.metrics)) console.log(`${dir}${name}`);
}
