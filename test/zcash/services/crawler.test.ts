// The Zcash crawler: response validation (37-address cap, future last-seen shifted back), the 31 s
// minimum interval between crawls, the 8 s request deadline, demand handling and the 61 s timer.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { abortReason } from '../../../src/core/abort.ts';
import { ManualClock, flushMicrotasks } from '../../../src/core/clock.ts';
import {
  Crawler,
  validateAddrs,
  type CrawlTarget,
  type CrawledAddr,
  type PeerSource,
} from '../../../src/zcash/services/crawler.ts';
import type { GossipedAddr } from '../../../src/zcash/services/address-book.ts';

const NOW = 1_700_000_000;

function entry(n: number, lastSeen: number): CrawledAddr {
  return { addr: `20.0.${n >> 8}.${n & 255}:8233`, services: 1n, lastSeen };
}

interface Fixture {
  readonly clock: ManualClock;
  readonly source: PeerSource & { calls: number; ready: number; answer: () => Promise<CrawledAddr[]> };
  readonly added: GossipedAddr[];
  readonly target: CrawlTarget & { out: number; candidate: boolean };
  readonly crawler: Crawler;
}

function fixture(): Fixture {
  const clock = new ManualClock();
  const source = {
    calls: 0,
    ready: 1,
    get readyCount(): number {
      return source.ready;
    },
    answer: (): Promise<CrawledAddr[]> => Promise.resolve([entry(1, Math.floor(clock.now() / 1000))]),
    requestPeers(): Promise<readonly CrawledAddr[]> {
      source.calls++;
      return source.answer();
    },
  };
  const added: GossipedAddr[] = [];
  const target = {
    out: 0,
    candidate: false,
    outbound: () => target.out,
    outboundLimit: 75,
    hasCandidate: () => target.candidate,
  };
  const crawler = new Crawler({
    clock,
    source,
    target,
    sink: {
      addGossiped: (entries) => {
        added.push(...entries);
        return entries.length;
      },
    },
  });
  return { clock, source, added, target, crawler };
}

describe('validateAddrs', () => {
  it('takes at most the limit and canonicalises addresses', () => {
    const many = Array.from({ length: 100 }, (_, i) => entry(i, NOW - i));
    assert.equal(validateAddrs(many, NOW, 37).length, 37);
    const out = validateAddrs(
      [
        { addr: '[::ffff:20.1.1.1]:8233', services: 1n, lastSeen: NOW },
        { addr: 'junk', services: 1n, lastSeen: NOW },
      ],
      NOW,
      37,
    );
    assert.deepEqual(out, [{ addr: '20.1.1.1:8233', services: 1n, untrustedLastSeen: NOW }]);
  });

  it('shifts every last-seen back by the largest future excess', () => {
    const out = validateAddrs([entry(1, NOW + 100), entry(2, NOW + 500), entry(3, NOW - 50)], NOW, 37);
    assert.deepEqual(
      out.map((e) => e.untrustedLastSeen),
      [NOW - 400, NOW, NOW - 550],
    );
  });

  it('drops the whole response when shifting would underflow', () => {
    assert.deepEqual(validateAddrs([entry(1, NOW + 1000), entry(2, 10)], NOW, 37), []);
    assert.equal(validateAddrs([entry(1, NOW), entry(2, 0)], NOW, 37).length, 2);
  });
});

describe('Crawler', () => {
  it('crawls at most once per 31 s, never twice at once, and only with a ready peer', async () => {
    const f = fixture();
    f.source.ready = 0;
    assert.deepEqual(await f.crawler.crawlOnce(), { kind: 'skipped', reason: 'no-peers' });
    assert.equal(f.source.calls, 0);
    f.source.ready = 1;
    const first = f.crawler.crawlOnce();
    assert.deepEqual(await f.crawler.crawlOnce(), { kind: 'skipped', reason: 'running' });
    assert.deepEqual(await first, { kind: 'crawled', received: 1, added: 1, failed: 0 });
    await f.clock.advance(30_000);
    assert.deepEqual(await f.crawler.crawlOnce(), { kind: 'skipped', reason: 'too-soon' });
    await f.clock.advance(1000);
    assert.equal((await f.crawler.crawlOnce()).kind, 'crawled');
    assert.equal(f.source.calls, 2);
    await f.crawler.stop();
  });

  it('abandons a Peers request after 8 s', async () => {
    const f = fixture();
    let seen: AbortSignal | undefined;
    f.source.requestPeers = (signal) => {
      seen = signal;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortReason(signal))));
    };
    const crawl = f.crawler.crawlOnce();
    await f.clock.advance(7999);
    assert.equal(seen?.aborted, false);
    await f.clock.advance(1);
    assert.deepEqual(await crawl, { kind: 'crawled', received: 0, added: 0, failed: 1 });
    await f.crawler.stop();
    assert.equal(f.clock.pendingTimers, 0);
  });

  it('handles demand: dropped when full, left to the dialer with a candidate, else a crawl', async () => {
    const f = fixture();
    f.target.out = 75;
    f.crawler.demand();
    await flushMicrotasks();
    assert.equal(f.source.calls, 0, 'outbound full: demand dropped');
    f.target.out = 10;
    f.target.candidate = true;
    f.crawler.demand();
    await flushMicrotasks();
    assert.equal(f.source.calls, 0, 'a candidate exists: the router dials it');
    f.target.candidate = false;
    f.crawler.demand();
    await flushMicrotasks();
    assert.equal(f.source.calls, 1, 'no candidate: crawl');
    assert.equal(f.added.length, 1);
    // The non-empty answer queued one more demand; its crawl is skipped (31 s), so nothing loops.
    await flushMicrotasks(50);
    assert.equal(f.source.calls, 1);
    assert.equal(f.crawler.pending, 0);
    await f.crawler.stop();
  });

  it('crawls every 61 s once started and leaves no timers after stop', async () => {
    const f = fixture();
    f.crawler.start();
    await f.clock.advance(60_999);
    assert.equal(f.source.calls, 0);
    await f.clock.advance(1);
    assert.equal(f.source.calls, 1);
    await f.clock.advance(61_000);
    assert.equal(f.source.calls, 2);
    await f.crawler.stop();
    assert.equal(f.clock.pendingTimers, 0);
    await f.clock.advance(200_000);
    assert.equal(f.source.calls, 2);
  });
});
