// PeerManager admission: inbound limits, self and duplicate refusals, the deterministic duplicate
// tie-break (simultaneous dials both ways), upgrades, and eviction order. Refusals for lack of a slot
// are tested with guests off (maxInboundGuests 0); guests.test.ts covers what a full node does with them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import type { NodeId } from '../../../src/core/node-address.ts';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import { PeerManager } from '../../../src/engine/peers/peer-manager.ts';
import { TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import { addrOf, connectInbound, connectOutbound, harness, infoOf, nodeId, SELF } from './peer-fixtures.ts';

const small = { maxConnected: 4, maxOutgoing: 2, maxConnectedUpgrade: 1, maxInboundGuests: 0 };
const HIGH = 0x9000; // ids above SELF (0x8000)

describe('PeerManager: inbound admission', () => {
  it('refuses ourselves and a second inbound connection of the same peer', async () => {
    const h = await harness();
    assert.throws(() => h.pm.accepted(SELF, infoOf(SELF)), { code: 'ERR_SELF_CONNECTION' });
    connectInbound(h, 1);
    assert.throws(() => h.pm.accepted(nodeId(1), infoOf(nodeId(1))), { code: 'ERR_DUPLICATE_CONNECTION' });
    assert.equal(h.pm.stats().inbound, 1);
    assert.equal(h.updates.length, 1);
  });

  it('derives maxIncoming from maxConnected − maxOutgoing and refuses equal-scored peers beyond it', async () => {
    const h = await harness({ policy: small });
    assert.equal(h.policy.limits.maxIncoming, 2);
    connectInbound(h, 1);
    connectInbound(h, 2);
    assert.throws(() => h.pm.accepted(nodeId(3), infoOf(nodeId(3))), { code: 'ERR_PEERS_FULL' });
    assert.equal(h.pm.peer(nodeId(3)), undefined, 'a refused stranger leaves no record');
    assert.equal(h.pm.evictNext(), undefined);
  });

  it('admits a peer over the limit when a lower-scored one can be evicted, and evicts that one', async () => {
    const h = await harness({ policy: small });
    connectInbound(h, 1);
    connectInbound(h, 2);
    h.pm.report(nodeId(2), 'bad');
    const wakes = h.wakes;
    assert.deepEqual(h.pm.accepted(nodeId(3), infoOf(nodeId(3))), { replacesExisting: false });
    assert.ok(h.wakes > wakes);
    h.pm.ready(nodeId(3), infoOf(nodeId(3)), 'inbound');
    assert.equal(h.pm.evictNext(), nodeId(2));
    assert.equal(h.pm.evictNext(), undefined);
    assert.equal(h.pm.peer(nodeId(2))!.evicting, true);
    h.pm.disconnected(nodeId(2));
    assert.equal(h.pm.stats().inbound, 2);
  });

  it('never exceeds maxConnected + maxConnectedUpgrade', async () => {
    const h = await harness({ policy: { maxConnected: 4, maxOutgoing: 0, maxConnectedUpgrade: 1, maxInboundGuests: 0 } });
    for (let n = 1; n <= 4; n++) connectInbound(h, n);
    for (let n = 1; n <= 4; n++) h.pm.report(nodeId(n), 'bad');
    connectInbound(h, 5); // takes an upgrade slot; one of 1..4 is to be evicted
    assert.throws(() => h.pm.accepted(nodeId(6), infoOf(nodeId(6))), { code: 'ERR_PEERS_FULL' });
    assert.equal(h.pm.stats().connected, 5);
  });

  it('refuses banned and inactive peers', async () => {
    const h = await harness();
    h.pm.inactivate(nodeId(1));
    assert.throws(() => h.pm.accepted(nodeId(1), infoOf(nodeId(1))), { code: 'ERR_PEERS_INACTIVE' });
    h.pm.errored(nodeId(2), new PeerwireError('ERR_X', 'bad', { action: 'ban' }));
    assert.throws(() => h.pm.accepted(nodeId(2), infoOf(nodeId(2))), { code: 'ERR_PEERS_BANNED' });
  });
});

describe('PeerManager: duplicate connections', () => {
  async function dialingAndInbound(peer: number) {
    const h = await harness();
    h.pm.add(addrOf(peer));
    const address = h.pm.dialNext()!;
    const id = address.id!;
    h.pm.accepted(id, infoOf(id));
    h.pm.ready(id, infoOf(id), 'inbound');
    return { h, address, id };
  }

  it('our outbound replaces their inbound when our id is lower', async () => {
    const { h, address, id } = await dialingAndInbound(HIGH);
    assert.ok(SELF < id);
    assert.deepEqual(h.pm.dialed(address, infoOf(id)), { replacesExisting: true });
    h.pm.ready(id, infoOf(id), 'outbound');
    assert.equal(h.pm.peer(id)!.direction, 'outbound');
    // The replacement keeps the inbound slot it was admitted in: no budget changes, no eviction.
    assert.deepEqual(h.pm.stats(), {
      stored: 1,
      connected: 1,
      inbound: 1,
      outbound: 0,
      dialing: 0,
      upgrading: 0,
      rotating: 0,
      evicting: 0,
      guests: 0,
    });
    assert.equal(h.updates.length, 1, 'services see one up for the whole connected period');
    h.pm.disconnected(id);
    assert.equal(h.updates.length, 2);
    assert.equal(h.updates[1]!.status, 'down');
  });

  it('our outbound is refused when their id is lower, and the inbound stays', async () => {
    const { h, address, id } = await dialingAndInbound(1);
    assert.throws(() => h.pm.dialed(address, infoOf(id)), { code: 'ERR_DUPLICATE_CONNECTION' });
    assert.equal(h.pm.peer(id)!.direction, 'inbound');
    assert.equal(h.pm.peer(id)!.dialing, false);
    assert.equal(h.pm.stats().connected, 1);
  });

  it('their inbound replaces our outbound when their id is lower, and is refused otherwise', async () => {
    const low = await harness();
    low.pm.add(addrOf(1));
    const lowId = connectOutbound(low);
    assert.deepEqual(low.pm.accepted(lowId, infoOf(lowId)), { replacesExisting: true });
    assert.equal(low.pm.peer(lowId)!.direction, 'inbound');
    assert.equal(low.pm.peer(lowId)!.ready, false, 'the new connection awaits ready()');

    const high = await harness();
    high.pm.add(addrOf(HIGH));
    const highId = connectOutbound(high);
    assert.throws(() => high.pm.accepted(highId, infoOf(highId)), { code: 'ERR_DUPLICATE_CONNECTION' });
    assert.equal(high.pm.peer(highId)!.direction, 'outbound');
  });

  it('a peer we dialed keeps its outbound slot and /16 when its own dial replaces ours', async () => {
    // Found by the 1,000-node real-wire simulation: simultaneous dials left a node with 6 of its 10
    // outbound slots held by inbound connections, and those no longer counted against their /16.
    const h = await harness();
    h.pm.add(addrOf(1));
    const id = connectOutbound(h);
    assert.ok(id < SELF, 'their connection wins the tie-break');
    assert.deepEqual(h.pm.accepted(id, infoOf(id)), { replacesExisting: true });
    h.pm.ready(id, infoOf(id), 'inbound');
    assert.equal(h.pm.peer(id)!.direction, 'inbound');
    assert.equal(h.pm.slotOf(id), 'outbound');
    assert.equal(h.pm.stats().outbound, 1);
    assert.equal(h.pm.outboundGroup(id), h.policy.addressGroup(addrOf(1)));
    // A second peer in the same /16 (11.1.0.0/16) must wait: the group's one outbound slot is taken.
    assert.ok(h.pm.add(addrOf(2, '11.1.7.1')));
    assert.equal(h.pm.dialNext(), undefined);
    // A peer of another /16 is dialed as usual.
    h.pm.add(addrOf(3));
    assert.equal(h.pm.dialNext()?.id, nodeId(3));
  });

  it('two nodes dialing each other at once keep the same single connection, in any order', async () => {
    for (const order of [
      ['dialed', 'accepted'],
      ['accepted', 'dialed'],
    ] as const) {
      const make = async (self: NodeId, other: number) => {
        const pm = new PeerManager({ selfId: self, clock: new ManualClock(), store: new MemoryPeerStore() });
        await pm.start();
        pm.add(addrOf(other));
        return { pm, address: pm.dialNext()! };
      };
      const idA = nodeId(0x10);
      const idB = nodeId(0x20);
      const a = await make(idA, 0x20);
      const b = await make(idB, 0x10);
      // conn1 is dialed by A (A's outbound, B's inbound); conn2 by B.
      const kept = { a: new Set<string>(), b: new Set<string>() };
      const run = (side: 'a' | 'b', step: 'dialed' | 'accepted') => {
        const node = side === 'a' ? a : b;
        const other = side === 'a' ? idB : idA;
        const conn = (step === 'dialed') === (side === 'a') ? 'conn1' : 'conn2';
        try {
          const r =
            step === 'dialed'
              ? node.pm.dialed(node.address, infoOf(other))
              : node.pm.accepted(other, infoOf(other));
          if (r.replacesExisting) kept[side].clear();
          kept[side].add(conn);
        } catch (error) {
          assert.equal((error as { code: string }).code, 'ERR_DUPLICATE_CONNECTION');
        }
      };
      for (const step of order) run('a', step);
      for (const step of [...order].reverse()) run('b', step);
      assert.deepEqual([...kept.a], ['conn1'], `A keeps the connection A dialed (${order.join(',')})`);
      assert.deepEqual([...kept.b], ['conn1'], `B keeps the connection A dialed (${order.join(',')})`);
      await a.pm.stop();
      await b.pm.stop();
    }
  });
});

describe('PeerManager: upgrades and eviction', () => {
  it('when outbound is full, dials a better peer and evicts an outbound peer for it', async () => {
    const h = await harness({ policy: small });
    h.pm.add(addrOf(1));
    h.pm.add(addrOf(2));
    connectOutbound(h);
    connectOutbound(h);
    connectInbound(h, 3);
    h.pm.report(nodeId(3), 'bad');
    h.pm.add(addrOf(5));
    assert.equal(h.pm.dialNext(), undefined, 'an equal-scored candidate is no upgrade');
    h.pm.report(nodeId(5), 'good');
    const up = h.pm.dialNext()!;
    assert.equal(up.id, nodeId(5));
    assert.equal(h.pm.stats().upgrading, 1);
    assert.equal(h.pm.dialNext(), undefined, 'one upgrade slot');
    h.pm.dialed(up, infoOf(nodeId(5)));
    h.pm.ready(nodeId(5), infoOf(nodeId(5)), 'outbound');
    const victim = h.pm.evictNext();
    assert.ok(victim === nodeId(1) || victim === nodeId(2), `evicted ${victim}`);
    assert.equal(h.pm.evictNext(), undefined);
    h.pm.disconnected(victim);
    assert.equal(h.pm.stats().outbound, 2);
  });

  it('when all slots are full, evicts the lowest-scored peer of any direction', async () => {
    const h = await harness({ policy: { ...small, maxIncoming: 3 } });
    h.pm.add(addrOf(1));
    connectOutbound(h);
    for (const n of [3, 4, 6]) connectInbound(h, n);
    h.pm.report(nodeId(4), 'bad');
    h.pm.add(addrOf(5));
    h.pm.report(nodeId(5), 'good');
    const up = h.pm.dialNext()!;
    assert.equal(up.id, nodeId(5));
    h.pm.dialed(up, infoOf(nodeId(5)));
    h.pm.ready(nodeId(5), infoOf(nodeId(5)), 'outbound');
    assert.equal(h.pm.evictNext(), nodeId(4));
  });

  it('never evicts persistent peers for an upgrade', async () => {
    const persistent = [addrOf(1), addrOf(2)];
    const h = await harness({
      policy: { maxConnected: 2, maxOutgoing: 2, maxConnectedUpgrade: 1, maxPeers: 20, maxInboundGuests: 0 },
      persistentPeers: persistent,
    });
    connectOutbound(h);
    connectOutbound(h);
    assert.equal(h.pm.score(nodeId(1)), 32767);
    h.pm.add(addrOf(5));
    for (let i = 0; i < 10; i++) h.pm.report(nodeId(5), 'good');
    assert.equal(h.pm.dialNext(), undefined);
    assert.throws(() => h.pm.accepted(nodeId(5), infoOf(nodeId(5))), { code: 'ERR_PEERS_FULL' });
    assert.equal(h.pm.evictNext(), undefined);
  });

  it('hands out marked peers only once they are ready', async () => {
    const h = await harness();
    h.pm.accepted(nodeId(1), infoOf(nodeId(1)));
    h.pm.inactivate(nodeId(1));
    assert.equal(h.pm.evictNext(), undefined);
    h.pm.ready(nodeId(1), infoOf(nodeId(1)), 'inbound');
    assert.equal(h.pm.evictNext(), nodeId(1));
    assert.equal(h.pm.evictNext(), undefined);
  });

  it('a persistent peer that errors is evicted and redialed', async () => {
    const h = await harness({ persistentPeers: [addrOf(1)], random: () => 0 });
    const id = connectOutbound(h);
    h.pm.errored(id, new PeerwireError('ERR_X', 'x', { action: 'disconnect' }));
    assert.equal(h.pm.evictNext(), id);
    h.pm.disconnected(id);
    await h.clock.advance(2000);
    assert.equal(h.pm.dialNext()?.id, id);
  });

  it('validates that the store can hold every protected peer', () => {
    assert.throws(
      () =>
        new PeerManager({
          selfId: SELF,
          clock: new ManualClock(),
          policy: new TendermintPolicy({ maxConnected: 4, maxPeers: 5 }),
        }),
      { code: 'ERR_INVALID_ARGUMENT' },
    );
  });
});
