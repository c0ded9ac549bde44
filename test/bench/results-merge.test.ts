// bench/results.ts across processes (run-all.ts runs each suite in its own): a suite's process knows
// the figures measured before it (for comparisons and bounds) without reporting them again, and the
// run's collector merges what each suite reported, in order, so ratios resolve across suites.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResultsCollector, type Figure } from '../../bench/results.ts';

const baseline: Figure = { id: 'sealed.1k.MBps', label: 'ceiling', value: 200, unit: 'MB/s', better: 'higher' };
const measured: Figure = {
  id: 'peerwire.bulk',
  label: 'bulk',
  value: 160,
  unit: 'MB/s',
  better: 'higher',
  compare: [{ to: 'sealed.1k.MBps', target: 0.75 }],
};

test('a suite process knows earlier figures, reports only its own; the run merges them and resolves ratios', () => {
  const run = new ResultsCollector({ build: 'dist' });
  run.add('sealed', baseline);

  // The suite's process, given the figures so far (as JSON, as run-all.ts passes them).
  const suite = new ResultsCollector({});
  suite.know(JSON.parse(JSON.stringify(run.figures())) as Figure[]);
  assert.equal(suite.get('sealed.1k.MBps')?.value, 200, 'an earlier figure is readable');
  suite.add('cometbft', measured);
  const report = JSON.parse(JSON.stringify(suite.reported())) as ReturnType<ResultsCollector['reported']>;
  assert.deepEqual(
    report.figures.map((f) => f.figure.id),
    ['peerwire.bulk'],
    'known figures are not reported again',
  );

  run.merge(report);
  assert.equal(run.figureCount, 2);
  const [ratio] = run.resolve(run.get('peerwire.bulk')!);
  assert.equal(ratio?.ratio, 0.8);
  assert.equal(ratio?.ok, true);
  const lines = run.jsonLines().map((l) => JSON.parse(l) as { id: string; suite: string });
  assert.deepEqual(
    lines.map((l) => [l.suite, l.id]),
    [
      ['sealed', 'sealed.1k.MBps'],
      ['cometbft', 'peerwire.bulk'],
    ],
  );
});
