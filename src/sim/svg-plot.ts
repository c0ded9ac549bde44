// Small self-contained SVG charts for `peerwire sim --out`: line charts over virtual time and a bar
// chart for distributions. Hand-written rather than a charting dependency: the output is a few
// hundred bytes of markup per series, renders in any browser and in GitHub's Markdown, and its
// bytes depend only on the data (so a replayed seed gives identical plots).

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

const WIDTH = 640;
const HEIGHT = 320;
const PAD = { left: 56, right: 16, top: 32, bottom: 40 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** A "nice" upper bound for an axis. */
function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function frame(title: string, xLabel: string, yLabel: string, xMax: number, yMax: number, body: string, legend: string): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  let ticks = '';
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + h - (h * i) / 4;
    const x = PAD.left + (w * i) / 4;
    ticks += `<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + w}" y2="${y}" stroke="#ddd"/>`;
    ticks += `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${fmt((yMax * i) / 4)}</text>`;
    ticks += `<text x="${x}" y="${PAD.top + h + 16}" text-anchor="middle">${fmt((xMax * i) / 4)}</text>`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">` +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>` +
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>` +
    ticks +
    `<line x1="${PAD.left}" y1="${PAD.top + h}" x2="${PAD.left + w}" y2="${PAD.top + h}" stroke="#333"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + h}" stroke="#333"/>` +
    `<text x="${PAD.left + w / 2}" y="${HEIGHT - 8}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text x="14" y="${PAD.top + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + h / 2})">${esc(yLabel)}</text>` +
    body +
    legend +
    `</svg>\n`
  );
}

/** Lines over a shared x axis (x from 0). `yMax` fixes the scale (e.g. 1 for fractions). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[], yMax?: number): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = niceMax(Math.max(0, ...xs));
  const top = yMax ?? niceMax(Math.max(0, ...ys));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  let body = '';
  let legend = '';
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = s.points
      .map((p, k) => `${k === 0 ? 'M' : 'L'}${(PAD.left + (w * p[0]) / xMax).toFixed(1)},${(PAD.top + h - (h * Math.min(p[1], top)) / top).toFixed(1)}`)
      .join('');
    body += `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`;
    legend += `<rect x="${PAD.left + 8 + i * 120}" y="${PAD.top + 4}" width="10" height="3" fill="${colour}"/>`;
    legend += `<text x="${PAD.left + 22 + i * 120}" y="${PAD.top + 9}">${esc(s.name)}</text>`;
  });
  return frame(title, xLabel, yLabel, xMax, top, body, legend);
}

/** Bars of a histogram: value → count. */
export function barChart(title: string, xLabel: string, yLabel: string, bars: readonly (readonly [number, number])[]): string {
  const xMax = niceMax(Math.max(1, ...bars.map((b) => b[0] + 1)));
  const top = niceMax(Math.max(0, ...bars.map((b) => b[1])));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const bw = Math.max(1, w / xMax - 1);
  let body = '';
  for (const [x, y] of bars) {
    const bh = (h * y) / top;
    body += `<rect x="${(PAD.left + (w * x) / xMax).toFixed(1)}" y="${(PAD.top + h - bh).toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${COLOURS[0]}"/>`;
  }
  return frame(title, xLabel, yLabel, xMax, top, body, '');
}
