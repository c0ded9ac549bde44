// The simulated internet: every node lives in a region, and a link's one-way delay is half the
// round-trip time between the two regions plus a small per-pair spread; its bandwidth is the smaller
// of the two nodes' access links. Real p2p networks are dominated by exactly these two facts (a
// handshake costs round trips, a block costs bandwidth), and a table of regions is the simplest
// model that still makes geography visible (partitions along regions, discovery across oceans).
//
// RTTs are round figures of the public inter-region latency tables cloud providers and measurement
// sites publish (for example the AWS inter-region and WonderNetwork ping tables, 2024): same region
// ~10 ms, across a continent 60–80 ms, transatlantic ~80 ms, transpacific ~120–150 ms, to South
// America or Oceania 150–300 ms. They are a model, not a measurement of any one network.

import type { LinkFaults } from '../transport/memory-faults.ts';

export interface Region {
  readonly name: string;
  /** Share of the nodes placed here (the weights are normalised). */
  readonly weight: number;
}

/** Regions, weighted roughly like public-chain node censuses (most nodes in NA and Europe). */
export const REGIONS: readonly Region[] = [
  { name: 'na-east', weight: 0.22 },
  { name: 'na-west', weight: 0.13 },
  { name: 'europe', weight: 0.35 },
  { name: 'asia', weight: 0.2 },
  { name: 'south-america', weight: 0.05 },
  { name: 'oceania', weight: 0.05 },
];

/** Round-trip times between regions, ms (symmetric; the diagonal is the in-region RTT). */
export const RTT_MS: readonly (readonly number[])[] = [
  //  na-e  na-w  eu   asia  sa   oc
  [10, 70, 80, 180, 120, 200],
  [70, 10, 140, 120, 180, 150],
  [80, 140, 15, 200, 190, 280],
  [180, 120, 200, 30, 300, 110],
  [120, 180, 190, 300, 20, 300],
  [200, 150, 280, 110, 300, 15],
];

/**
 * Access bandwidths a node may have, bytes/s (12.5 MB/s = 100 Mbit/s, a typical hosted node; 1.25 MB/s
 * = 10 Mbit/s, a home uplink). One in four nodes is on the slower one.
 */
export const ACCESS_BYTES_PER_SEC = { hosted: 12_500_000, home: 1_250_000 } as const;

/** Per-pair RTT spread, as a fraction of the regional RTT: no two links are exactly alike. */
const RTT_SPREAD = 0.1;

export interface LinkModelOptions {
  /** Probability that one write unit is lost (on an encrypted wire, a loss ends the connection). Default 0. */
  readonly loss?: number;
}

export interface ModelledNode {
  readonly region: number;
  readonly bandwidth: number;
}

export class LinkModel {
  private readonly loss: number;

  constructor(options: LinkModelOptions = {}) {
    this.loss = options.loss ?? 0;
  }

  /** Places a node: its region (by weight) and access bandwidth, from two uniform draws. */
  place(draw: () => number): ModelledNode {
    const total = REGIONS.reduce((s, r) => s + r.weight, 0);
    let x = draw() * total;
    let region = REGIONS.length - 1;
    for (let i = 0; i < REGIONS.length; i++) {
      x -= REGIONS[i]!.weight;
      if (x < 0) {
        region = i;
        break;
      }
    }
    const bandwidth = draw() < 0.25 ? ACCESS_BYTES_PER_SEC.home : ACCESS_BYTES_PER_SEC.hosted;
    return { region, bandwidth };
  }

  /** Round trip between two nodes, ms: the regions' RTT with a spread fixed per pair (by index). */
  rttMs(a: ModelledNode & { readonly index: number }, b: ModelledNode & { readonly index: number }): number {
    const base = RTT_MS[a.region]![b.region]!;
    const lo = Math.min(a.index, b.index);
    const hi = Math.max(a.index, b.index);
    const h = (Math.imul(lo + 1, 0x9e3779b1) ^ Math.imul(hi + 1, 0x85ebca6b)) >>> 0;
    const spread = ((h / 0x1_0000_0000) * 2 - 1) * RTT_SPREAD;
    return Math.max(1, Math.round(base * (1 + spread)));
  }

  /** The faults of a link between two nodes (both directions). */
  faults(a: ModelledNode & { readonly index: number }, b: ModelledNode & { readonly index: number }): LinkFaults {
    return {
      delayMs: this.rttMs(a, b) / 2,
      bandwidthBytesPerSec: Math.min(a.bandwidth, b.bandwidth),
      loss: this.loss,
    };
  }
}
