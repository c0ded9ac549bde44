// The Zcash address-book service over the PeerManager: the bounded updater queue, the connection-side
// updater that refuses unsolicited gossip, address-book poisoning attempts, sanitised gossip and
// getaddr answers with their cache, and the recently-live list for the disk cache.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_NETWORK } from '../../../src/zcash/index.ts';
import { readMeta } from '../../../src/zcash/policy/meta-addr.ts';
import { Crawler, type CrawledAddr, type PeerSource } from '../../../src/zcash/services/crawler.ts';
import {
  acceptInbound,
  dialAndConnect,
  zaddr,
  zebraHarness,
  type ZebraHarness,
} from '../policy/zebra-fixtures.ts';

const HOUR = 3600_000;

function gossip(h: ZebraHarness, from: number, to: number, ageSeconds = 60): void {
  const now = h.nowSeconds();
  const entries = [];
  for (let i = from; i < to; i++)
    entries.push({ addr: zaddr(i), services: 1n, untrustedLastSeen: now - ageSeconds });
  h.book.addGossiped(entries);
}

/** A peer set stand-in that answers every Peers request with `count` fresh addresses. */
function floodingSource(h: ZebraHarness, count: number): PeerSource & { calls: number } {
  let next = 100_000;
  const source = {
    calls: 0,
    readyCount: 1,
    requestPeers(): Promise<CrawledAddr[]> {
      source.calls++;
      const out: CrawledAddr[] = [];
      for (let i = 0; i < count; i++)
        out.push({ addr: zaddr(next++), services: 1n, lastSeen: h.nowSeconds() });
      return Promise.resolve(out);
    },
  };
  return source;
}

describe('AddressBook updater', () => {
  it('bounds its queue and counts what it drops', async () => {
    const h = await zebraHarness({ queueCapacity: 10 });
    h.book.addInitial(Array.from({ length: 25 }, (_, i) => zaddr(i)));
    for (let i = 0; i < 25; i++) h.book.send({ kind: 'update-failed', addr: zaddr(i) });
    assert.equal(h.book.pending, 10);
    assert.equal(h.book.dropped, 15);
    assert.equal(h.book.drain(), 10);
    assert.equal(h.book.meta(zaddr(9))?.lastConnectionState, 'failed');
    assert.equal(h.book.meta(zaddr(10))?.lastConnectionState, 'never-attempted');
  });

  it('defaults the queue to max(total connection limit, 10) and drains on the clock', async () => {
    const h = await zebraHarness();
    h.book.addInitial([zaddr(1)]);
    for (let i = 0; i < 250; i++) h.book.send({ kind: 'update-attempt', addr: zaddr(1) });
    assert.equal(h.book.pending, 200);
    assert.equal(h.book.dropped, 50);
    await h.clock.advance(0);
    assert.equal(h.book.pending, 0);
    assert.equal(h.book.meta(zaddr(1))?.lastConnectionState, 'attempt-pending');
  });

  it('gives connections an updater that refuses unsolicited gossip', async () => {
    const h = await zebraHarness();
    const updater = h.book.connectionUpdater();
    updater.send({ kind: 'new-gossiped', addr: zaddr(5), services: 1n, untrustedLastSeen: h.nowSeconds() });
    h.book.drain();
    assert.equal(h.book.size, 0);
  });
});

describe('address-book poisoning', () => {
  it("never stores a peer's self-reported address: only the connected address is updated", async () => {
    const h = await zebraHarness();
    const connected = zaddr(1);
    const claimed = zaddr(2); // version.addr_from, an alternate
    h.book.addInitial([connected]);
    dialAndConnect(h, connected);
    // What the handshake sends: update-connected for the connected address only. The alternate goes
    // to the connection's own cache; if a buggy connection offered it as gossip, it is refused.
    const updater = h.book.connectionUpdater();
    updater.send({
      kind: 'update-connected',
      addr: connected,
      services: 1n,
      isInbound: false,
      userAgent: '/Zebra/',
      negotiatedVersion: 170140,
    });
    updater.send({ kind: 'new-gossiped', addr: claimed, services: 1n, untrustedLastSeen: h.nowSeconds() });
    // Updates for addresses the book does not know never create entries.
    updater.send({ kind: 'update-failed', addr: zaddr(3) });
    updater.send({ kind: 'update-responded', addr: zaddr(4), rttMs: 10 });
    h.book.drain();
    assert.deepEqual(
      h.pm.peers().map((p) => p.id),
      [connected],
    );
  });

  it('takes at most 37 addresses from one crawl response', async () => {
    const h = await zebraHarness();
    const source = floodingSource(h, 1000);
    const crawler = new Crawler({
      clock: h.clock,
      source,
      sink: h.book,
      target: { outbound: () => 0, outboundLimit: 75, hasCandidate: () => false },
    });
    const result = await crawler.crawlOnce();
    assert.deepEqual(result, { kind: 'crawled', received: 37, added: 37, failed: 0 });
    assert.equal(h.book.size, 37);
    await crawler.stop();
  });

  it('cannot be filled by one source: growth is bounded by the crawl interval', async () => {
    const h = await zebraHarness();
    const source = floodingSource(h, 1000);
    const crawler = new Crawler({
      clock: h.clock,
      source,
      sink: h.book,
      target: { outbound: () => 0, outboundLimit: 75, hasCandidate: () => false },
    });
    crawler.start();
    // Ten minutes of constant demand (the peer set asking for more peers every second).
    for (let s = 0; s < 600; s++) {
      crawler.demand();
      await h.clock.advance(1000);
    }
    const crawls = Math.floor(600 / 31) + 1;
    assert.ok(source.calls <= crawls, `${source.calls} crawls in 10 min`);
    assert.ok(h.book.size <= 37 * crawls, `book grew to ${h.book.size}`);
    assert.ok(h.book.size > 0);
    await crawler.stop();
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('shifts future last-seen times back before they enter the book', async () => {
    const h = await zebraHarness();
    const now = h.nowSeconds();
    const source: PeerSource = {
      readyCount: 1,
      requestPeers: () =>
        Promise.resolve([
          { addr: zaddr(1), services: 1n, lastSeen: now + 7200 },
          { addr: zaddr(2), services: 1n, lastSeen: now - 100 },
        ]),
    };
    const crawler = new Crawler({
      clock: h.clock,
      source,
      sink: h.book,
      target: { outbound: () => 0, outboundLimit: 75, hasCandidate: () => true },
    });
    await crawler.crawlOnce();
    assert.equal(h.book.meta(zaddr(1))?.untrustedLastSeen, now * 1000);
    assert.equal(h.book.meta(zaddr(2))?.untrustedLastSeen, (now - 7300) * 1000);
    await crawler.stop();
  });
});

describe('AddressBook gossip', () => {
  it('sanitizes: recent outbound-usable peers only, truncated times, our listener added', async () => {
    const h = await zebraHarness({ localListener: '198.51.100.7:8233' });
    h.book.addInitial([zaddr(30)]);
    dialAndConnect(h, zaddr(30)); // responded, services unknown → NODE_NETWORK
    gossip(h, 1, 3); // recent gossip: kept
    gossip(h, 10, 11, 4 * 3600); // older than 3 h: dropped
    h.book.addInitial([zaddr(20)]); // never seen: dropped
    acceptInbound(h, zaddr(40, 51234)); // inbound-learned: never gossiped
    h.book.addInitial([zaddr(50)]);
    h.book.send({ kind: 'update-misbehavior', addr: zaddr(50), score: 1 }); // misbehaving: dropped
    h.book.send({ kind: 'update-failed', addr: zaddr(2), services: 0n }); // lost NODE_NETWORK: dropped
    h.book.drain();
    const out = h.book.sanitized();
    assert.deepEqual(out.map((e) => e.addr).sort(), ['198.51.100.7:8233', zaddr(1), zaddr(30)].sort());
    for (const e of out) {
      assert.equal(e.time % 1800, 0, 'truncated to 30 min');
      assert.ok(e.time <= h.nowSeconds() && h.nowSeconds() - e.time < 1800 + 60);
      assert.equal(e.services, NODE_NETWORK);
    }
  });

  it('answers getaddr with min(1000, ⌈n/2⌉) entries, cached for 10 min', async () => {
    const h = await zebraHarness();
    assert.deepEqual(h.book.getAddrResponse(), [], 'an empty book answers nothing');
    gossip(h, 0, 9);
    const first = h.book.getAddrResponse();
    assert.equal(first.length, 5);
    gossip(h, 9, 19);
    assert.equal(h.book.getAddrResponse(), first, 'cached');
    await h.clock.advance(10 * 60_000);
    assert.equal(h.book.getAddrResponse().length, 10);
    gossip(h, 19, 3000);
    await h.clock.advance(10 * 60_000);
    assert.equal(h.book.getAddrResponse().length, 1000);
    // Shuffled: two refreshes differ in order.
    const a = h.book.getAddrResponse().map((e) => e.addr);
    await h.clock.advance(10 * 60_000);
    const b = h.book.getAddrResponse().map((e) => e.addr);
    assert.notDeepEqual(a, b);
  });

  it('lists recently live peers from our own observations only', async () => {
    const h = await zebraHarness();
    h.book.addInitial([zaddr(10), zaddr(11)]);
    dialAndConnect(h, zaddr(10));
    await h.clock.advance(100);
    dialAndConnect(h, zaddr(11));
    gossip(h, 1, 4); // gossip claims are not observations
    assert.deepEqual(h.book.recentlyLive(75), [zaddr(11), zaddr(10)]);
    assert.deepEqual(h.book.recentlyLive(1), [zaddr(11)]);
    await h.clock.advance(3 * HOUR + 1000);
    assert.deepEqual(h.book.recentlyLive(75), []);
  });
});

describe('address-book heartbeats', () => {
  it('keep ping and response times in memory without a store write, and store them with the next persisted change', async () => {
    const h = await zebraHarness();
    const id = zaddr(1);
    h.book.addInitial([id]);
    dialAndConnect(h, id);
    await h.store.flush();
    const commitsAfterConnect = h.store.commits;
    const updater = h.book.connectionUpdater();
    await h.clock.advance(60_000);
    updater.send({ kind: 'update-ping-sent', addr: id, at: h.clock.now() });
    await h.clock.advance(40);
    updater.send({ kind: 'update-responded', addr: id, rttMs: 40 });
    h.book.drain();
    const respondedAt = h.clock.now();
    // In memory at once: the dial order and the book's views read it.
    assert.equal(h.policy.meta(h.pm.peer(id)!)?.lastResponse, respondedAt);
    assert.equal(h.policy.meta(h.pm.peer(id)!)?.rtt, 40);
    // Not a store write: nothing was pending.
    await h.store.flush();
    assert.equal(h.store.commits, commitsAfterConnect, 'heartbeats wrote nothing');
    // The disconnection is persisted, and carries the heartbeat's times with it.
    await h.clock.advance(1_000);
    h.pm.disconnected(id);
    await h.store.flush();
    assert.equal(h.store.commits, commitsAfterConnect + 1);
    const stored = (await h.store.load()).find((record) => record.id === id);
    assert.equal(readMeta(stored?.policy)?.lastResponse, respondedAt);
    assert.equal(readMeta(stored?.policy)?.rtt, 40);
  });
});
