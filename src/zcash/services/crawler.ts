// Zebra's crawler (candidate_set/crawl.rs, peer_set/initialize.rs; docs/protocols/zcash.md §5): keeps the address book
// supplied with addresses by asking ready peers for theirs. The engine's router already dials the
// best reconnection candidate whenever an outbound slot is free (spaced by 100 ms through the
// policy's minDialInterval), so a *demand* — from the peer set finding no ready peer, a failed dial,
// or a crawl that found addresses — only needs a crawl when there is no candidate left to dial.
//
// Rules:
// - a demand is dropped when outbound connections are at the limit; pending demands are bounded;
// - a crawl every 61 s (missed ticks are delayed, never bunched);
// - a crawl is skipped when another is running or one ended less than 31 s ago, and when no peer is
//   ready (nobody to ask; this also keeps "no ready peers" from looping into more demand);
// - GET_ADDR_FANOUT = 1 `Peers` request, answered within 8 s or abandoned;
// - at most 37 addresses are taken per response (the connection already samples 37; checked again so
//   one peer can never dominate the book), future last-seen times are shifted back — all of them, by
//   the largest excess — and the whole response is dropped if that would underflow;
// - the batch enters the book as `new-gossiped` (the only way gossip enters it), and a non-empty
//   answer queues one more demand.

import type { Clock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { noopMetrics, type Counter, type Metrics } from '../../core/metrics.ts';
import type { PeerManager } from '../../engine/peers/peer-manager.ts';
import { canonicalBookAddress } from '../policy/book-address.ts';
import type { GossipedAddr } from './address-book.ts';
import { crawlTimeoutError, stoppedError } from './errors.ts';

/** DEFAULT_CRAWL_NEW_PEER_INTERVAL: a minute-ish refresh, offset from other 60 s timers. */
export const DEFAULT_CRAWL_NEW_PEER_INTERVAL = 61_000;
/** MIN_PEER_GET_ADDR_INTERVAL: at most one crawl per 31 s, so gossip cannot be pumped by demand. */
export const MIN_PEER_GET_ADDR_INTERVAL = 31_000;
/** PEER_GET_ADDR_TIMEOUT: zcashd often never answers getaddr; don't wait for it. */
export const PEER_GET_ADDR_TIMEOUT = 8_000;
/** GET_ADDR_FANOUT: one peer per crawl (each connection caches addresses for later crawls). */
export const GET_ADDR_FANOUT = 1;
/** PEER_ADDR_RESPONSE_LIMIT = 25 × 3 / 2: addresses taken from one response. */
export const PEER_ADDR_RESPONSE_LIMIT = 37;

/** An address as a `Peers` response gives it. */
export interface CrawledAddr {
  /** Book address text (`ip:port`). */
  readonly addr: string;
  readonly services: bigint;
  /** The peer's last-seen claim, seconds since the epoch. */
  readonly lastSeen: number;
}

/** Whom the crawler asks (the peer set). */
export interface PeerSource {
  readonly readyCount: number;
  requestPeers(signal: AbortSignal): Promise<readonly CrawledAddr[]>;
}

/** Where crawled addresses go (the address book). */
export interface GossipSink {
  addGossiped(entries: readonly GossipedAddr[]): number;
}

/** What the crawler needs to know about outbound connections (the PeerManager). */
export interface CrawlTarget {
  /** Outbound connections plus dials in progress. */
  outbound(): number;
  readonly outboundLimit: number;
  /** True when a dial candidate exists now or later without new addresses. */
  hasCandidate(): boolean;
}

/** A CrawlTarget over the engine's PeerManager. */
export function peerManagerCrawlTarget(pm: PeerManager): CrawlTarget {
  return {
    outbound: () => {
      const s = pm.stats();
      return s.outbound + s.dialing;
    },
    outboundLimit: pm.policy.limits.maxOutgoing,
    hasCandidate: () => pm.nextDialTime() !== undefined,
  };
}

export interface CrawlerOptions {
  readonly clock: Clock;
  readonly source: PeerSource;
  readonly sink: GossipSink;
  readonly target: CrawlTarget;
  /** Default 61 s. */
  readonly crawlInterval?: number;
  /** Default 31 s. */
  readonly minCrawlInterval?: number;
  /** Default 8 s. */
  readonly requestTimeout?: number;
  /** Default 1. */
  readonly fanout?: number;
  /** Default 37. */
  readonly maxAddrsPerResponse?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export type CrawlResult =
  | { readonly kind: 'skipped'; readonly reason: 'running' | 'too-soon' | 'no-peers' | 'stopped' }
  | { readonly kind: 'crawled'; readonly received: number; readonly added: number; readonly failed: number };

/**
 * Validates one response (docs/protocols/zcash.md §5): keeps at most `limit` entries with well-formed addresses and, if
 * any last-seen is in the future, shifts all of them back by the largest excess; returns nothing when
 * that would take one below zero.
 */
export function validateAddrs(
  entries: readonly CrawledAddr[],
  nowSeconds: number,
  limit: number,
): GossipedAddr[] {
  const taken: GossipedAddr[] = [];
  for (const e of entries) {
    if (taken.length >= limit) break;
    const addr = canonicalBookAddress(e.addr);
    if (addr === undefined || !Number.isFinite(e.lastSeen) || e.lastSeen < 0) continue;
    taken.push({ addr, services: e.services, untrustedLastSeen: Math.floor(e.lastSeen) });
  }
  let newest = Number.NEGATIVE_INFINITY;
  for (const t of taken) newest = Math.max(newest, t.untrustedLastSeen);
  const excess = newest - Math.floor(nowSeconds);
  if (excess <= 0) return taken;
  if (taken.some((t) => t.untrustedLastSeen < excess)) return [];
  return taken.map((t) => ({ ...t, untrustedLastSeen: t.untrustedLastSeen - excess }));
}

export class Crawler {
  private readonly clock: Clock;
  private readonly source: PeerSource;
  private readonly sink: GossipSink;
  private readonly target: CrawlTarget;
  private readonly crawlInterval: number;
  private readonly minCrawlInterval: number;
  private readonly requestTimeout: number;
  private readonly fanout: number;
  private readonly maxAddrs: number;
  private readonly logger: Logger;
  private readonly crawls: Counter;
  private readonly demands: Counter;
  private pendingDemand = 0;
  private processing: Promise<void> | undefined;
  private crawling: Promise<CrawlResult> | undefined;
  private lastCrawlEnd = Number.NEGATIVE_INFINITY;
  private tickTimer: { cancel(): void } | undefined;
  private readonly stop$ = new AbortController();
  private started = false;

  constructor(options: CrawlerOptions) {
    this.clock = options.clock;
    this.source = options.source;
    this.sink = options.sink;
    this.target = options.target;
    this.crawlInterval = options.crawlInterval ?? DEFAULT_CRAWL_NEW_PEER_INTERVAL;
    this.minCrawlInterval = options.minCrawlInterval ?? MIN_PEER_GET_ADDR_INTERVAL;
    this.requestTimeout = options.requestTimeout ?? PEER_GET_ADDR_TIMEOUT;
    this.fanout = Math.max(1, options.fanout ?? GET_ADDR_FANOUT);
    this.maxAddrs = Math.max(0, options.maxAddrsPerResponse ?? PEER_ADDR_RESPONSE_LIMIT);
    this.logger = (options.logger ?? silentLogger).child({ component: 'zcash-crawler' });
    const metrics = options.metrics ?? noopMetrics;
    this.crawls = metrics.counter({
      name: 'peerwire_zcash_crawls_total',
      help: 'Crawl attempts by result',
      labelNames: ['result'],
    });
    this.demands = metrics.counter({
      name: 'peerwire_zcash_crawler_demands_total',
      help: 'Demand signals by outcome',
      labelNames: ['outcome'],
    });
  }

  /** Starts the 61 s crawl timer. */
  start(): void {
    if (this.started || this.stop$.signal.aborted) return;
    this.started = true;
    this.scheduleTick();
  }

  /** Stops the timer, abandons a running crawl and waits for the loops to end. */
  async stop(): Promise<void> {
    this.stop$.abort(stoppedError('crawler'));
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    this.pendingDemand = 0;
    await Promise.allSettled([this.processing, this.crawling]);
  }

  /** Demands queued and not yet handled. */
  get pending(): number {
    return this.pendingDemand;
  }

  /** A `MorePeers` signal: the peer set has no ready peer, a dial failed, or a crawl found peers. */
  demand(): void {
    if (this.stop$.signal.aborted) return;
    // At most one demand per outbound slot is meaningful; more would only queue crawls that are skipped.
    if (this.pendingDemand >= Math.max(1, this.target.outboundLimit)) {
      this.demands.inc({ outcome: 'overflow' });
      return;
    }
    this.pendingDemand++;
    this.processing ??= this.processDemands().finally(() => {
      this.processing = undefined;
    });
  }

  private async processDemands(): Promise<void> {
    // Run after the caller's turn (a demand may be raised inside a peer-set call).
    await Promise.resolve();
    while (this.pendingDemand > 0 && !this.stop$.signal.aborted) {
      this.pendingDemand--;
      if (this.target.outbound() >= this.target.outboundLimit) {
        this.demands.inc({ outcome: 'full' });
        continue;
      }
      if (this.target.hasCandidate()) {
        // The router dials it; nothing to fetch.
        this.demands.inc({ outcome: 'dial' });
        continue;
      }
      this.demands.inc({ outcome: 'crawl' });
      await this.crawlOnce();
    }
  }

  private scheduleTick(): void {
    if (this.stop$.signal.aborted) return;
    this.tickTimer = this.clock.setTimer(this.crawlInterval, () => {
      this.tickTimer = undefined;
      // The next tick is scheduled once this crawl ends: a slow crawl delays ticks, never bunches them.
      void this.crawlOnce().finally(() => this.scheduleTick());
    });
  }

  /** One crawl now, unless one is running, one ended < 31 s ago, or nobody is ready to ask. */
  crawlOnce(): Promise<CrawlResult> {
    const skipped = this.skipReason();
    if (skipped !== undefined) {
      this.crawls.inc({ result: `skipped_${skipped.reason.replace('-', '_')}` });
      return Promise.resolve(skipped);
    }
    const run = this.crawl().finally(() => {
      this.lastCrawlEnd = this.clock.now();
      this.crawling = undefined;
    });
    this.crawling = run;
    return run;
  }

  private skipReason(): Extract<CrawlResult, { kind: 'skipped' }> | undefined {
    if (this.stop$.signal.aborted) return { kind: 'skipped', reason: 'stopped' };
    if (this.crawling !== undefined) return { kind: 'skipped', reason: 'running' };
    if (this.clock.now() - this.lastCrawlEnd < this.minCrawlInterval)
      return { kind: 'skipped', reason: 'too-soon' };
    if (this.source.readyCount === 0) return { kind: 'skipped', reason: 'no-peers' };
    return undefined;
  }

  private async crawl(): Promise<CrawlResult> {
    const fanout = Math.min(this.fanout, this.source.readyCount);
    const answers = await Promise.allSettled(Array.from({ length: fanout }, () => this.ask()));
    let received = 0;
    let added = 0;
    let failed = 0;
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        failed++;
        this.logger.debug(
          { err: toPeerwireError(answer.reason, ErrorCode.Internal, 'transient') },
          'peers request failed',
        );
        continue;
      }
      const batch = validateAddrs(answer.value, nowSeconds, this.maxAddrs);
      received += batch.length;
      if (batch.length > 0) added += this.sink.addGossiped(batch);
    }
    this.crawls.inc({ result: failed === fanout ? 'failed' : 'ok' });
    if (received > 0) this.demand();
    return { kind: 'crawled', received, added, failed };
  }

  /** One `Peers` request with the 8 s deadline (on the injected clock) and the stop signal. */
  private async ask(): Promise<readonly CrawledAddr[]> {
    const deadline = new AbortController();
    const timer = this.clock.setTimer(this.requestTimeout, () =>
      deadline.abort(crawlTimeoutError(this.requestTimeout)),
    );
    const signal = AbortSignal.any([deadline.signal, this.stop$.signal]);
    try {
      return await new Promise<readonly CrawledAddr[]>((resolve, reject) => {
        const onAbort = (): void => {
          const reason: unknown = signal.reason;
          reject(
            reason instanceof PeerwireError
              ? reason
              : toPeerwireError(reason, ErrorCode.Aborted, 'transient'),
          );
        };
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        this.source.requestPeers(signal).then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(toPeerwireError(error, ErrorCode.Internal, 'transient'));
          },
        );
      });
    } finally {
      timer.cancel();
    }
  }
}
