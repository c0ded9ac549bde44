// The metrics interface every component receives: counters, gauges and histograms with named labels.
// It is small on purpose, so components never depend on a metrics library; `PromMetrics` (prom-metrics.ts) adapts it to
// prom-client for the /metrics endpoint and `noopMetrics` is the default. Names follow
// `p2p_<layer>_<thing>_<unit>`. Label values must come from bounded sets (never a remote IP or a
// free-form remote string), or the metric itself becomes an unbounded remote-keyed map.

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
