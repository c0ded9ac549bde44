// PeerManager behaviour handling (errors by action, bans, reports, inactivation), the bounded store,
// persistence through the PeerStore across a restart, and address exchange.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import { formatNodeAddress } from '../../../src/core/node-address.ts';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import { PeerManager } from '../../../src/engine/peers/peer-manager.ts';
import { TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import type { PeerRecord } from '../../../src/engine/peers/types.ts';
import { addrOf, connectInbound, connectOutbound, harness, infoOf, nodeId, SELF } from './peer-fixtures.ts';

const DAY = 24 * 3600_000;
const err = (action: 'transient' | 'disconnect' | 'ban') => new PeerwireError('ERR_TEST', action, { action });

describe('PeerManager: errors and reports', () => {
  it("'ban' evicts, refuses and stops dialing until the ban expires", async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    const id = connectOutbound(h);
    h.pm.errored(id, err('ban'));
    assert.equal(h.pm.peer(id)!.record.bannedUntil, h.clock.now() + DAY);
    assert.equal(h.pm.evictNext(), id);
    h.pm.disconnected(id);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), h.clock.now() + DAY);
    assert.throws(() => h.pm.accepted(id, infoOf(id)), { code: 'ERR_PEERS_BANNED' });
    await h.clock.advance(DAY - 1);
    assert.equal(h.pm.dialNext(), undefined);
    await h.clock.advance(1);
    assert.equal(h.pm.dialNext()?.id, id);
  });

  it("'disconnect' evicts without a ban; 'transient' only lowers the score", async () => {
    const h = await harness();
    connectInbound(h, 1);
    h.pm.errored(nodeId(1), err('transient'));
    assert.equal(h.pm.peer(nodeId(1))!.record.mutableScore, -1);
    assert.equal(h.pm.evictNext(), undefined);
    h.pm.errored(nodeId(1), err('disconnect'));
    assert.equal(h.pm.evictNext(), nodeId(1));
    assert.equal(h.pm.peer(nodeId(1))!.record.bannedUntil, undefined);
  });

  it('remembers a ban for an unknown peer, but nothing else', async () => {
    const h = await harness();
    h.pm.errored(nodeId(7), err('transient'));
    assert.equal(h.pm.peer(nodeId(7)), undefined);
    h.pm.errored(nodeId(7), err('ban'));
    assert.ok(h.pm.peer(nodeId(7))!.record.bannedUntil! > h.clock.now());
    h.pm.errored(SELF, err('ban'));
    assert.equal(h.pm.peer(SELF), undefined);
  });

  it('a connection closed with a bannable error bans the peer', async () => {
    const h = await harness();
    connectInbound(h, 1);
    h.pm.disconnected(nodeId(1), err('ban'));
    assert.ok(h.pm.peer(nodeId(1))!.record.bannedUntil! > h.clock.now());
    assert.equal(h.updates.at(-1)!.reason?.action, 'ban');
  });

  it('reports move the score by one, clamped to int16', async () => {
    const h = await harness({
      initial: [{ id: nodeId(1), addresses: [], inactive: false, mutableScore: 32766 }],
    });
    h.pm.report(nodeId(1), 'good');
    h.pm.report(nodeId(1), 'good');
    assert.equal(h.pm.peer(nodeId(1))!.record.mutableScore, 32767);
    h.pm.report(nodeId(1), 'bad');
    assert.equal(h.pm.score(nodeId(1)), 32766);
    h.pm.report(nodeId(99), 'good'); // unknown: ignored
    assert.equal(h.pm.peer(nodeId(99)), undefined);
  });

  it('inactivated peers are evicted and never dialed again', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    h.pm.add(addrOf(2));
    h.pm.inactivate(nodeId(2));
    const id = connectOutbound(h);
    assert.equal(id, nodeId(1));
    h.pm.inactivate(id);
    assert.equal(h.pm.evictNext(), id);
    h.pm.disconnected(id);
    await h.clock.advance(DAY * 30);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), undefined);
  });
});

describe('PeerManager: the store', () => {
  it('stays within maxPeers, keeping connected and persistent peers', async () => {
    const h = await harness({
      policy: { maxConnected: 4, maxOutgoing: 2, maxConnectedUpgrade: 1 },
      persistentPeers: [addrOf(500)],
    });
    assert.equal(h.policy.limits.maxPeers, 20);
    connectInbound(h, 1);
    for (let n = 2; n < 200; n++) {
      h.pm.add(addrOf(n));
      assert.ok(h.pm.stats().stored <= 20);
      // Room for addresses (CometBFT's NeedMoreAddrs) exactly while the store is below maxPeers.
      assert.equal(h.pm.needsAddresses(), h.pm.stats().stored < 20);
    }
    assert.equal(h.pm.needsAddresses(), false);
    assert.ok(h.pm.peer(nodeId(1)), 'connected peer kept');
    assert.ok(h.pm.peer(nodeId(500)), 'persistent peer kept');
  });

  it('addAll stores an answer, prunes once to maxPeers and counts what it kept', async () => {
    const h = await harness({ policy: { maxConnected: 4, maxOutgoing: 2, maxConnectedUpgrade: 1 } });
    connectInbound(h, 1);
    h.pm.report(nodeId(1), 'good');
    const wakes = h.wakes;
    // 49 new addresses, our own and a duplicate: the duplicate and ourselves are not stored.
    const answer = [...Array.from({ length: 49 }, (_, i) => addrOf(i + 2)), addrOf(2), addrOf(0x8000)];
    const kept = h.pm.addAll(answer, nodeId(1));
    assert.equal(h.pm.stats().stored, 20, 'pruned to maxPeers');
    assert.equal(kept, 19, 'every stored peer but the connected one came from the answer');
    assert.ok(h.pm.peer(nodeId(1)), 'connected peer kept');
    assert.equal(h.wakes, wakes + 1, 'one wake-up for the whole answer');
    assert.equal(h.pm.addAll(answer.slice(0, 10), nodeId(1)) <= 10, true);
    assert.equal(h.pm.addAll([], nodeId(1)), 0);
    assert.equal(h.pm.stats().stored, 20);
  });

  it('prunes the lowest-scored peers first', async () => {
    const h = await harness({
      policy: { maxConnected: 1, maxOutgoing: 1, maxConnectedUpgrade: 0, maxPeers: 3 },
    });
    h.pm.add(addrOf(1));
    h.pm.add(addrOf(2));
    h.pm.add(addrOf(3));
    h.pm.report(nodeId(2), 'bad');
    h.pm.report(nodeId(1), 'good');
    h.pm.report(nodeId(3), 'good');
    assert.equal(h.pm.add(addrOf(4)), true);
    assert.equal(h.pm.peer(nodeId(2)), undefined, 'the worst (score −1) made room');
    h.pm.add(addrOf(5));
    assert.equal(h.pm.stats().stored, 3);
    assert.ok(h.pm.peer(nodeId(1)) && h.pm.peer(nodeId(3)), 'the best ones stay');
  });

  it('persists through the store and restores backoff, scores and bans after a restart', async () => {
    const store = new MemoryPeerStore();
    const clock = new ManualClock();
    const policy = new TendermintPolicy();
    const pm = new PeerManager({ selfId: SELF, clock, store, policy, random: () => 0 });
    await pm.start();
    pm.add(addrOf(1));
    pm.add(addrOf(2));
    pm.add(addrOf(3));
    pm.report(nodeId(2), 'good');
    pm.errored(nodeId(3), err('ban'));
    const a = pm.dialNext()!;
    assert.equal(a.id, nodeId(2));
    pm.dialFailed(a);
    pm.dialFailed(pm.dialNext()!);
    await pm.stop();
    const saved = store.snapshot();
    assert.equal(saved.length, 3);

    const again = new PeerManager({ selfId: SELF, clock, store, policy, random: () => 0 });
    await again.start();
    assert.equal(again.peer(nodeId(2))!.record.mutableScore, 1);
    assert.equal(again.peer(nodeId(2))!.record.addresses[0]!.dialFailures, 1);
    assert.ok(again.peer(nodeId(3))!.record.bannedUntil! > clock.now());
    assert.equal(again.dialNext(), undefined, 'backoff survives the restart');
    assert.equal(again.nextDialTime(), clock.now() + 250);
    await again.stop();
  });

  it('drops damaged records on load instead of failing', async () => {
    const junk = [
      null,
      42,
      { id: 7 },
      {
        id: nodeId(1),
        addresses: [{ address: 'not an address' }, { address: formatNodeAddress(addrOf(2)) }],
        mutableScore: 1e9,
      },
      { id: SELF, addresses: [] },
      {
        id: nodeId(3),
        addresses: [{ address: formatNodeAddress(addrOf(3)), dialFailures: -5, lastDialFailure: 'x' }],
        inactive: 'yes',
      },
    ] as unknown as PeerRecord[];
    const store = new MemoryPeerStore();
    store.load = () => Promise.resolve(junk);
    const pm = new PeerManager({ selfId: SELF, clock: new ManualClock(), store });
    await pm.start();
    assert.equal(pm.stats().stored, 2);
    assert.equal(pm.peer(nodeId(1))!.record.addresses.length, 0, 'an address of another peer is dropped');
    assert.equal(pm.peer(nodeId(1))!.record.mutableScore, 32767);
    const three = pm.peer(nodeId(3))!.record;
    assert.equal(three.addresses[0]!.dialFailures, 0);
    assert.equal(three.inactive, false);
  });

  it('starts empty when the store fails to load', async () => {
    const store = new MemoryPeerStore();
    store.load = () => Promise.reject(new Error('disk on fire'));
    const pm = new PeerManager({ selfId: SELF, clock: new ManualClock(), store });
    await pm.start();
    assert.equal(pm.stats().stored, 0);
    assert.equal(pm.add(addrOf(1)), true);
    await pm.stop();
  });

  it('stop() flushes and drops listeners', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    await h.pm.stop();
    assert.equal(h.store.snapshot().length, 1);
    const wakes = h.wakes;
    h.pm.add(addrOf(2));
    assert.equal(h.wakes, wakes);
  });
});

describe('PeerManager: advertise', () => {
  it('never returns the asker, private, banned or inactive peers, or unroutable addresses', async () => {
    const h = await harness({ privatePeerIds: [nodeId(2)] });
    for (let n = 1; n <= 6; n++) h.pm.add(addrOf(n));
    h.pm.add(addrOf(7, '10.1.1.1')); // operator-configured private LAN address
    h.pm.errored(nodeId(3), err('ban'));
    h.pm.inactivate(nodeId(4));
    const got = h.pm.advertise(nodeId(1), 100).map((a) => a.id);
    assert.deepEqual([...got].sort(), [nodeId(5), nodeId(6)]);
    assert.equal(h.pm.advertise(nodeId(1), 1).length, 1);
    assert.deepEqual(h.pm.advertise(nodeId(1), 0), []);
    assert.deepEqual(h.pm.advertise(nodeId(1), -3), []);
  });

  it('varies the selection between calls and favours better peers', async () => {
    const h = await harness({ random: Math.random });
    for (let n = 1; n <= 30; n++) h.pm.add(addrOf(n));
    for (let i = 0; i < 20; i++) h.pm.report(nodeId(1), 'good');
    const seen = new Set<string>();
    let best = 0;
    for (let i = 0; i < 200; i++) {
      const got = h.pm.advertise(nodeId(99), 5);
      assert.equal(got.length, 5);
      for (const a of got) seen.add(a.id!);
      if (got.some((a) => a.id === nodeId(1))) best++;
    }
    assert.ok(seen.size > 10, `only ${seen.size} distinct peers advertised`);
    assert.ok(best > 40, `the best peer was shared ${best} of 200 times`);
  });
});
