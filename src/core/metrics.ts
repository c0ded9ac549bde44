// The metrics interface every component receives: counters, gauges and histograms with named labels.
// It is small on purpose, so components never depend on a metrics library; `PromMetrics` adapts it to
// prom-client for the /metrics endpoint and `noopMetrics` is the default. Names follow
// `p2p_<layer>_<thing>_<unit>`. Label values must come from bounded sets (never a remote IP or a
// free-form remote string), or the metric itself becomes an unbounded remote-keyed map.

import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string | number>>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  readonly buckets?: readonly number[];
}

export interface Metrics {
  /** Returns the counter of that name, creating it on first use (so components may share a metric). */
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
}

const noopCounter: Counter = { inc: () => undefined };
const noopGauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined };
const noopHistogram: Histogram = { observe: () => undefined };

export const noopMetrics: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopHistogram,
};

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
      metric = { inc: (labels, value = 1) => (labels === undefined ? prom.inc(value) : prom.inc(labels, value)) };
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
