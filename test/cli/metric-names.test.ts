// The names operators' dashboards query: a small testnet of both wires runs with one Prometheus
// registry, and its /metrics text is checked against docs/metrics/upstream-metrics.json (CometBFT's
// p2p metrics and zebrad's network metrics, with their sources): every upstream metric we claim to
// export appears under its upstream name with its upstream labels (minus the documented unbounded
// ones), and every other metric we export carries the `peerwire_` prefix. After the run, no per-peer
// series is left behind. The same scrape checks the Grafana dashboard (docs/grafana/peerwire.json):
// every panel queries at least one metric, and every metric a query names is one the nodes export.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PromMetrics } from '../../src/core/prom-metrics.ts';
import { runTestnet } from '../../src/cli/testnet/testnet.ts';

interface UpstreamMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly omittedLabels?: readonly string[];
  readonly exported: boolean;
  readonly onlyWhen?: string;
}

interface UpstreamFile {
  readonly cometbft: { readonly source: string; readonly metrics: readonly UpstreamMetric[] };
  readonly zebrad: { readonly source: string; readonly metrics: readonly UpstreamMetric[] };
}

export const UPSTREAM = JSON.parse(readFileSync(new URL('../../docs/metrics/upstream-metrics.json', import.meta.url), 'utf8')) as UpstreamFile;

/** Metric families in a Prometheus text exposition: name → type and the label-name sets of its samples. */
export function parseExposition(text: string): Map<string, { type: string; labelSets: Set<string> }> {
  const families = new Map<string, { type: string; labelSets: Set<string> }>();
  for (const line of text.split('\n')) {
    const typeLine = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typeLine !== null) {
      families.set(typeLine[1]!, { type: typeLine[2]!, labelSets: new Set() });
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (sample === null) continue;
    const base = sample[1]!.replace(/_(bucket|sum|count)$/, '');
    const family = families.get(sample[1]!) ?? families.get(base);
    const names = [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1]!).filter((n) => n !== 'le');
    family?.labelSets.add(names.sort().join(','));
  }
  return families;
}

interface Dashboard {
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string }[] }[];
}

const DASHBOARD = JSON.parse(readFileSync(new URL('../../docs/grafana/peerwire.json', import.meta.url), 'utf8')) as Dashboard;

/** PromQL words that look like metric names but are functions, keywords or label names. */
const PROMQL_WORDS = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'topk', 'le', 'without', 'avg', 'max', 'min', 'count']);

/** The metric names one PromQL expression reads (label names inside `by (...)`/`{...}` excluded). */
export function metricsOf(expr: string): string[] {
  const withoutGroupings = expr.replace(/\b(by|without)\s*\([^)]*\)/g, ' ').replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  return [...withoutGroupings.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((word) => !PROMQL_WORDS.has(word))
    .map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

test('exported metric names match CometBFT and zebrad, and the rest are peerwire_', { timeout: 180_000 }, async () => {
  assert.ok(UPSTREAM.cometbft.source.includes('p2p/metrics.go'));
  assert.ok(UPSTREAM.zebrad.source.includes('zebra-network'));
  const metrics = new PromMetrics();
  let during: Promise<string> | undefined;
  const result = await runTestnet({
    wires: ['cometbft', 'zcash'],
    nodes: 2,
    durationMs: 3_000,
    rate: 5,
    tickMs: 250,
    metrics,
    // Scraped while peers are connected and traffic flows (per-peer series exist only then).
    onSnapshot: (s) => {
      if (during === undefined && s.phase === 'running' && s.messagesReceived > 20 && s.wires.every((w) => w.peers.every((p) => p >= 1))) {
        during = metrics.text();
      }
    },
  });
  assert.ok(result.ok, result.failures.join('; '));
  assert.ok(during !== undefined, 'scraped during the run');
  const families = parseExposition(await during);
  const upstream = [...UPSTREAM.cometbft.metrics, ...UPSTREAM.zebrad.metrics];
  for (const metric of upstream.filter((m) => m.exported)) {
    const family = families.get(metric.name);
    assert.ok(family !== undefined, `${metric.name} is exported`);
    assert.equal(family.type, metric.type, `${metric.name} is a ${metric.type}`);
    if (metric.onlyWhen !== undefined) continue;
    const expected = metric.labels.filter((l) => !(metric.omittedLabels ?? []).includes(l)).sort().join(',');
    assert.deepEqual([...family.labelSets], [expected], `${metric.name} has labels {${expected}}`);
  }
  for (const metric of upstream.filter((m) => !m.exported)) assert.ok(!families.has(metric.name), `${metric.name} is documented as not exported`);
  const upstreamNames = new Set(upstream.map((m) => m.name));
  for (const name of families.keys()) {
    assert.ok(upstreamNames.has(name) || name.startsWith('peerwire_'), `${name} is an upstream name or peerwire_`);
  }
  for (const panel of DASHBOARD.panels) {
    const named = panel.targets.flatMap((t) => metricsOf(t.expr));
    assert.ok(named.length > 0, `panel "${panel.title}" queries a metric`);
    for (const name of named) assert.ok(families.has(name), `panel "${panel.title}" queries ${name}, which the nodes export`);
  }
  const titles = DASHBOARD.panels.map((p) => p.title.toLowerCase()).join(' | ');
  for (const topic of ['peers by direction', 'bytes/s by channel', 'handshake failures', 'queue depths', 'bans', 'round-trip']) {
    assert.ok(titles.includes(topic), `the dashboard has a "${topic}" panel`);
  }
  const text = await during;
  assert.match(text, /cometbft_p2p_peer_send_bytes_total\{chain_id="peerwire-testnet",peer_id="[0-9a-f]{40}",chID="0x70"\} [1-9]/);
  assert.match(text, /cometbft_p2p_message_send_total\{chain_id="peerwire-testnet",message_type="p2p_PexRequest"\} [1-9]/);
  assert.match(text, /zcash_net_out_messages\{command="tx"\} [1-9]/);
  assert.match(text, /zcash_net_peers_connected\{remote_version="170\d+",negotiated_version="170\d+",min_version="170\d+",user_agent="peerwire"\} [1-9]/);
  const after = await metrics.text();
  assert.doesNotMatch(after, /peer_id="/, 'per-peer series are removed when peers disconnect');
  assert.match(after, /cometbft_p2p_peers\{chain_id="peerwire-testnet"\} 0/);
});
