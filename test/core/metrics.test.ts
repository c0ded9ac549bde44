// The metrics interface: PromMetrics exposes counters, gauges and histograms with their labels in the
// Prometheus text format, returns the same metric for the same name, keeps to its own registry; and
// noopMetrics accepts every call.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, register as globalRegistry } from 'prom-client';
import { noopMetrics } from '../../src/core/metrics.ts';
import { PromMetrics } from '../../src/core/prom-metrics.ts';

test('counters, gauges and histograms appear in the text exposition with their labels', async () => {
  const metrics = new PromMetrics();
  const sent = metrics.counter({
    name: 'peerwire_router_sent_bytes_total',
    help: 'Bytes sent.',
    labelNames: ['channel'],
  });
  sent.inc({ channel: 32 }, 100);
  sent.inc({ channel: 32 });
  sent.inc({ channel: 'pex' }, 5);
  const plain = metrics.counter({ name: 'peerwire_router_dials_total', help: 'Dials.' });
  plain.inc();
  plain.inc(undefined, 2);

  const peers = metrics.gauge({
    name: 'peerwire_peers_connected',
    help: 'Connected peers.',
    labelNames: ['direction'],
  });
  peers.set(3, { direction: 'inbound' });
  peers.inc({ direction: 'inbound' });
  peers.inc({ direction: 'outbound' }, 2);
  peers.dec({ direction: 'outbound' });
  const level = metrics.gauge({ name: 'peerwire_router_queue_items', help: 'Queued.' });
  level.set(7);
  level.inc();
  level.dec(undefined, 3);

  const latency = metrics.histogram({
    name: 'p2p_wire_handshake_seconds',
    help: 'Handshake time.',
    labelNames: ['wire'],
    buckets: [0.1, 1],
  });
  latency.observe(0.05, { wire: 'cometbft' });
  latency.observe(0.5, { wire: 'cometbft' });
  latency.observe(5, { wire: 'cometbft' });
  const sizes = metrics.histogram({ name: 'p2p_wire_frame_bytes', help: 'Frame sizes.' });
  sizes.observe(10);

  const text = await metrics.text();
  assert.match(text, /# HELP peerwire_router_sent_bytes_total Bytes sent\./);
  assert.match(text, /# TYPE peerwire_router_sent_bytes_total counter/);
  assert.match(text, /^peerwire_router_sent_bytes_total\{channel="32"\} 101$/m);
  assert.match(text, /^peerwire_router_sent_bytes_total\{channel="pex"\} 5$/m);
  assert.match(text, /^peerwire_router_dials_total 3$/m);
  assert.match(text, /# TYPE peerwire_peers_connected gauge/);
  assert.match(text, /^peerwire_peers_connected\{direction="inbound"\} 4$/m);
  assert.match(text, /^peerwire_peers_connected\{direction="outbound"\} 1$/m);
  assert.match(text, /^peerwire_router_queue_items 5$/m);
  assert.match(text, /# TYPE p2p_wire_handshake_seconds histogram/);
  assert.match(text, /^p2p_wire_handshake_seconds_bucket\{le="0.1",wire="cometbft"\} 1$/m);
  assert.match(text, /^p2p_wire_handshake_seconds_bucket\{le="1",wire="cometbft"\} 2$/m);
  assert.match(text, /^p2p_wire_handshake_seconds_bucket\{le="\+Inf",wire="cometbft"\} 3$/m);
  assert.match(text, /^p2p_wire_handshake_seconds_sum\{wire="cometbft"\} 5.55$/m);
  assert.match(text, /^p2p_wire_handshake_seconds_count\{wire="cometbft"\} 3$/m);
  assert.match(text, /^p2p_wire_frame_bytes_count 1$/m);
});

test('the same name returns the same metric, so components share it', async () => {
  const metrics = new PromMetrics();
  const a = metrics.counter({ name: 'p2p_x_events_total', help: 'Events.' });
  const b = metrics.counter({ name: 'p2p_x_events_total', help: 'Events (again).' });
  assert.equal(a, b);
  a.inc();
  b.inc();
  assert.equal(
    metrics.gauge({ name: 'p2p_x_level', help: 'L.' }),
    metrics.gauge({ name: 'p2p_x_level', help: 'L.' }),
  );
  assert.equal(
    metrics.histogram({ name: 'p2p_x_seconds', help: 'S.' }),
    metrics.histogram({ name: 'p2p_x_seconds', help: 'S.' }),
  );
  assert.match(await metrics.text(), /^p2p_x_events_total 2$/m);
});

test('each PromMetrics has its own registry; never the global one', async () => {
  const one = new PromMetrics();
  const two = new PromMetrics();
  one.counter({ name: 'p2p_y_total', help: 'Y.' }).inc();
  two.counter({ name: 'p2p_y_total', help: 'Y.' }).inc(undefined, 5);
  assert.match(await one.text(), /^p2p_y_total 1$/m);
  assert.match(await two.text(), /^p2p_y_total 5$/m);
  assert.equal(globalRegistry.getSingleMetric('p2p_y_total'), undefined);

  const registry = new Registry();
  const given = new PromMetrics(registry);
  assert.equal(given.registry, registry);
  given.gauge({ name: 'p2p_z_level', help: 'Z.' }).set(2);
  assert.match(await registry.metrics(), /^p2p_z_level 2$/m);
});

test('noopMetrics accepts every call and returns usable metrics', () => {
  const counter = noopMetrics.counter({ name: 'p2p_n_total', help: 'N.', labelNames: ['a'] });
  counter.inc();
  counter.inc({ a: 'b' }, 3);
  const gauge = noopMetrics.gauge({ name: 'p2p_n_level', help: 'N.' });
  gauge.set(1);
  gauge.inc();
  gauge.dec({ a: 1 }, 2);
  const histogram = noopMetrics.histogram({ name: 'p2p_n_seconds', help: 'N.', buckets: [1] });
  histogram.observe(1, { a: 'b' });
  assert.equal(noopMetrics.counter({ name: 'other', help: 'x' }), counter, 'one shared no-op');
});
