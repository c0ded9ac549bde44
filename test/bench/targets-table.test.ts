// bench/targets-table.ts: every target of a run becomes one row (ratio targets and absolute limits),
// with met/missed read from the run itself; figures without a target and skip lines are left out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetRows, targetsTable } from '../../bench/targets-table.ts';

const run = [
  { id: 'base', value: 100, unit: 'MB/s', better: 'higher', comparisons: [] },
  {
    id: 'fast',
    value: 90,
    unit: 'MB/s',
    better: 'higher',
    comparisons: [
      { to: 'base', ratio: 0.9, target: 0.75, ok: true },
      { to: 'other', ratio: 2, target: null, ok: null },
    ],
  },
  {
    id: 'slow.p99',
    value: 3000,
    unit: 'us',
    better: 'lower',
    limit: 10_000,
    comparisons: [{ to: 'idle', ratio: 4.5, target: 2, ok: false }],
  },
  { suite: 'x', skipped: 'no libp2p' },
]
  .map((l) => JSON.stringify(l))
  .join('\n');

test('one row per target, met or missed as the run measured it', () => {
  const rows = targetRows(run);
  assert.equal(rows.length, 3);
  assert.match(rows[0]!, /`fast`.*0\.90x `base`.*>= 0\.75x \| met \|/);
  assert.match(rows[1]!, /`slow\.p99`.*4\.50x `idle`.*<= 2x \| \*\*missed\*\* \|/);
  assert.match(rows[2]!, /`slow\.p99`.*<= 10\.0 k us \| met \|/);
});

test('the table has a header and nothing for figures without targets', () => {
  const table = targetsTable(run);
  assert.ok(table.startsWith('| figure | value |'));
  assert.ok(!table.includes('`base`  |'));
  assert.equal(table.split('\n').length, 2 + 3);
});
