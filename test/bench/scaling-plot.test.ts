// The scaling figures' growth fit and plots (bench/support/scaling-plot.ts): the log-log slope reads
// constant, linear and inverse growth correctly, the words follow the slope, and a chart draws one
// line and one point per measurement for every wire, on decade gridlines.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  growthInWords,
  logLogSlope,
  scalingChart,
  type ScalingPoint,
} from '../../bench/support/scaling-plot.ts';

const PEERS = [10, 100, 1000];
const points = (f: (n: number) => number): ScalingPoint[] =>
  PEERS.map((peers) => ({ peers, value: f(peers) }));

describe('scaling plot', () => {
  it('fits the log-log slope of constant, linear, square-root and inverse series', () => {
    assert.ok(Math.abs(logLogSlope(points(() => 42))) < 1e-9);
    assert.ok(Math.abs(logLogSlope(points((n) => 3 * n)) - 1) < 1e-9);
    assert.ok(Math.abs(logLogSlope(points((n) => Math.sqrt(n))) - 0.5) < 1e-9);
    assert.ok(Math.abs(logLogSlope(points((n) => 1e6 / n)) + 1) < 1e-9);
    assert.ok(Number.isNaN(logLogSlope([{ peers: 10, value: 1 }])));
    // Non-positive values cannot sit on a log axis: they are left out of the fit.
    assert.ok(Math.abs(logLogSlope([...points((n) => n), { peers: 50, value: 0 }]) - 1) < 1e-9);
  });

  it('puts the fitted growth in words', () => {
    assert.match(growthInWords(points((n) => 40 + n / 1000)), /^about constant/);
    assert.match(growthInWords(points((n) => 2 * n)), /^about linear/);
    assert.match(growthInWords(points((n) => 5000 / n)), /^about inversely proportional/);
    assert.equal(growthInWords(points((n) => Math.sqrt(n))), 'grows as peers^0.50');
    assert.equal(growthInWords([]), 'not enough points');
  });

  it('draws one line and one dot per point for each wire, with decade gridlines', () => {
    const svg = scalingChart({
      id: 'x',
      title: 'Heap <per> peer',
      unit: 'KiB/peer',
      series: { cometbft: points(() => 20), zcash: points((n) => n) },
    });
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.equal(svg.match(/<circle /g)?.length, 6);
    assert.ok(svg.includes('Heap &lt;per&gt; peer'), 'title escaped');
    for (const tick of ['>10<', '>100<', '>1k<']) assert.ok(svg.includes(tick), `x tick ${tick}`);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  });
});
