// Operators read docs/metrics.md to know what a node exports. This test keeps it complete: every
// metric name the source registers (a `name: '...'` inside a metrics.counter/gauge/histogram call)
// must appear in the document, so a new metric cannot ship undocumented.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Metric names registered in `src`, from each metrics.counter/gauge/histogram({ name: '...' }) call. */
function registeredMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const call of text.matchAll(/\.(?:counter|gauge|histogram)\(\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'/g)) {
      names.add(call[1]!);
    }
  }
  return names;
}

test('docs/metrics.md names every metric the source registers', () => {
  const names = registeredMetricNames();
  // The scan itself works: the router's peer gauge and a Zcash counter are among the names found.
  assert.ok(names.has('peerwire_router_peers') && names.has('zcash_net_in_messages'), [...names].join(', '));
  assert.ok(names.size > 50, `found ${names.size} metric names`);
  const doc = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
  const missing = [...names].filter((name) => !doc.includes(`\`${name}\``));
  assert.deepEqual(missing, [], 'metrics registered in src but not documented in docs/metrics.md');
});

