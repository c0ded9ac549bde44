// The prom-client adapter of the Metrics interface, for the /metrics endpoint. Kept apart from
// metrics.ts so that code needing only the interface does not load prom-client.

import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';
import type { Counter, Gauge, Histogram, HistogramOptions, MetricOptions, Metrics } from './metrics.ts';

/** Metrics backed by a prom-client registry (one per node, never prom-client's global one). */
export class PromMetrics implements Metrics {
  readonly registry: Registry;
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
  }

  counter(options: MetricOptions): Counter {
    let metric = this.counters.get(options.name);
    if (metric === undefined) {
      const prom = new PromCounter({
        name: options.name,
        help: options.help,
        labelNames: [...(options.labelNames ?? [])],
        registers: [this.registry],
      });
      metric = {
        inc: (labels, value = 1) => (labels === undefined ? prom.inc(value) : prom.inc(labels, value)),
        remove: (labels) => prom.remove(labels),
      };
      this.counters.set(options.name, metric);
    }
    return metric;
  }

  gauge(options: MetricOptions): Gauge {
    let metric = this.gauges.get(options.name);
    if (metric === undefined) {
      const prom = new PromGauge({
        name: options.name,
        help: options.help,
        labelNames: [...(options.labelNames ?? [])],
        registers: [this.registry],
      });
      metric = {
        set: (value, labels) => (labels === undefined ? prom.set(value) : prom.set(labels, value)),
        inc: (labels, value = 1) => (labels === undefined ? prom.inc(value) : prom.inc(labels, value)),
        dec: (labels, value = 1) => (labels === undefined ? prom.dec(value) : prom.dec(labels, value)),
        remove: (labels) => prom.remove(labels),
      };
      this.gauges.set(options.name, metric);
    }
    return metric;
  }

  histogram(options: HistogramOptions): Histogram {
    let metric = this.histograms.get(options.name);
    if (metric === undefined) {
      const prom = new PromHistogram({
        name: options.name,
        help: options.help,
        labelNames: [...(options.labelNames ?? [])],
        ...(options.buckets === undefined ? {} : { buckets: [...options.buckets] }),
        registers: [this.registry],
      });
      metric = { observe: (value, labels) => (labels === undefined ? prom.observe(value) : prom.observe(labels, value)) };
      this.histograms.set(options.name, metric);
    }
    return metric;
  }

  /** The Prometheus text exposition of every metric in this registry. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
