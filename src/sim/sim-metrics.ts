// One Metrics instance shared by every simulated node: counters add up across the whole network, so
// the summary's message and byte counts per kind come from the same counters a real node exports
// (router messages and bytes per channel, Zcash messages per command, handshakes, dials, bans).
// Gauges and histograms are per-node state and are not aggregated (the observer samples the nodes
// directly instead). Label values come from bounded sets by the metrics contract, so the map is bounded.

import type { Counter, Gauge, Histogram, Labels, Metrics, MetricOptions } from '../core/metrics.ts';

const noopGauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined, remove: () => undefined };
const noopHistogram: Histogram = { observe: () => undefined };

/** Per-peer labels are summed over (a network-wide total per peer would be a remote-keyed map). */
const PER_PEER_LABELS: ReadonlySet<string> = new Set(['peer_id']);

function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels).filter((k) => !PER_PEER_LABELS.has(k)).sort();
  return keys.map((k) => `${k}=${String(labels[k])}`).join(',');
}

export class SimMetrics implements Metrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly handles = new Map<string, Counter>();

  counter(options: MetricOptions): Counter {
    const existing = this.handles.get(options.name);
    if (existing !== undefined) return existing;
    const values = new Map<string, number>();
    this.counters.set(options.name, values);
    const handle: Counter = {
      inc: (labels?: Labels, value = 1) => {
        const key = labelKey(labels);
        values.set(key, (values.get(key) ?? 0) + value);
      },
      // Totals are kept when a peer's series would be removed: the summary counts the whole run.
      remove: () => undefined,
    };
    this.handles.set(options.name, handle);
    return handle;
  }

  gauge(_options: MetricOptions): Gauge {
    return noopGauge;
  }

  histogram(_options: MetricOptions): Histogram {
    return noopHistogram;
  }

  /** Every counter with at least one increment: name → label set (`k=v,...`, '' for none) → total. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of [...this.counters.keys()].sort()) {
      const values = this.counters.get(name)!;
      if (values.size === 0) continue;
      const entry: Record<string, number> = {};
      for (const key of [...values.keys()].sort()) entry[key] = values.get(key)!;
      out[name] = entry;
    }
    return out;
  }

  /** The total of one counter over all label sets. */
  total(name: string): number {
    let sum = 0;
    for (const v of this.counters.get(name)?.values() ?? []) sum += v;
    return sum;
  }
}
