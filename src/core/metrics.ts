// The metrics interface every component receives: counters, gauges and histograms with named labels.
// It is small on purpose, so components never depend on a metrics library; `PromMetrics` (prom-metrics.ts) adapts it to
// prom-client for the /metrics endpoint and `noopMetrics` is the default. Names are those the real
// networks' nodes export where one exists (`cometbft_p2p_*`, zebrad's `zcash_net_*`: docs/metrics.md),
// otherwise `peerwire_<layer>_<thing>_<unit>`. Label values must come from bounded sets (never a remote
// IP or a free-form remote string), or the metric itself becomes an unbounded remote-keyed map; the one
// exception, CometBFT's per-peer series keyed by `peer_id`, is removed with `remove()` when the peer
// disconnects, so it holds at most one series set per connected peer.

export type Labels = Readonly<Record<string, string | number>>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
  /** Forgets the series with exactly these labels (a disconnected peer's). */
  remove(labels: Labels): void;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
  remove(labels: Labels): void;
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

/**
 * Buckets of round-trip histograms (s): 1 ms (loopback) to 10 s (a saturated or distant peer), dense
 * around the 10-300 ms of real networks.
 */
export const RTT_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const noopCounter: Counter = { inc: () => undefined, remove: () => undefined };
const noopGauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined, remove: () => undefined };
const noopHistogram: Histogram = { observe: () => undefined };

export const noopMetrics: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopHistogram,
};
