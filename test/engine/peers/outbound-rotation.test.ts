// Outbound rotation (outbound-rotation.ts): while the outbound side is full, one slot goes to a random
// fresh address at a jittered interval, and one outbound peer is evicted once the newcomer connects;
// persistent peers are never the victim; the timer waits a full interval after every rotation dial.
// Everything runs on a ManualClock: "nothing happens before the interval" is checked by advancing it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutboundRotation } from '../../../src/engine/peers/outbound-rotation.ts';
import { addrOf, assertLimits, connectOutbound, harness, infoOf, seededRandom, type Harness } from './peer-fixtures.ts';

const INTERVAL = 60_000;
/** Two outbound slots, one upgrade slot; random 0.5 makes every jittered interval exactly INTERVAL. */
const policy = { maxConnected: 6, maxOutgoing: 2, maxConnectedUpgrade: 1, outboundRotationInterval: INTERVAL };

async function fullOutbound(options: { persistent?: boolean; random?: () => number; rotation?: number } = {}): Promise<Harness> {
  const persistent = options.persistent === true ? [addrOf(1), addrOf(2)] : [];
  const h = await harness({
    random: options.random ?? (() => 0.5),
    policy: { ...policy, outboundRotationInterval: options.rotation ?? INTERVAL },
    persistentPeers: persistent,
  });
  if (persistent.length === 0) {
    h.pm.add(addrOf(1));
    h.pm.add(addrOf(2));
  }
  connectOutbound(h);
  connectOutbound(h);
  h.pm.add(addrOf(3));
  return h;
}

describe('outbound rotation', () => {
  it('rotates one outbound slot to a fresh address after the interval, then evicts one outbound peer', async () => {
    const h = await fullOutbound();
    const start = h.clock.now();
    assert.equal(h.pm.dialNext(), undefined, 'full: no normal dial');
    assert.equal(h.pm.nextDialTime(), start + INTERVAL, 'the rotation is the next dial');
    await h.clock.advance(INTERVAL - 1);
    assert.equal(h.pm.dialNext(), undefined, 'not before the interval');
    await h.clock.advance(1);
    const address = h.pm.dialNext();
    assert.equal(address?.id, addrOf(3).id);
    assert.equal(h.pm.stats().rotating, 1);
    assertLimits(h, { groupLimit: true });
    h.pm.dialed(address!, infoOf(address!.id!));
    h.pm.ready(address!.id!, infoOf(address!.id!), 'outbound');
    assert.equal(h.pm.stats().outbound, 3, 'over the limit by one upgrade slot until the victim goes');
    const victim = h.pm.evictNext();
    assert.ok(victim === addrOf(1).id || victim === addrOf(2).id, 'an old outbound peer is evicted');
    assert.equal(h.pm.evictNext(), undefined, 'exactly one');
    h.pm.disconnected(victim!);
    assert.equal(h.pm.stats().outbound, 2);
    assertLimits(h, { groupLimit: true });
    // The evicted peer is the only candidate left: the next rotation waits a full interval again.
    assert.equal(h.pm.nextDialTime(), start + 2 * INTERVAL);
  });

  it('never evicts persistent peers: with only persistent outbound peers nothing rotates', async () => {
    const h = await fullOutbound({ persistent: true });
    assert.equal(h.pm.nextDialTime(), undefined);
    await h.clock.advance(10 * INTERVAL);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.stats().rotating, 0);
  });

  it('a failed rotation dial waits a full interval before the next one', async () => {
    const h = await fullOutbound();
    h.pm.add(addrOf(4));
    await h.clock.advance(INTERVAL);
    const first = h.pm.dialNext();
    assert.ok(first !== undefined);
    h.pm.dialFailed(first);
    assert.equal(h.pm.dialNext(), undefined, 'the other fresh address is not dialed at once');
    await h.clock.advance(INTERVAL - 1);
    assert.equal(h.pm.dialNext(), undefined);
    await h.clock.advance(1);
    assert.ok(h.pm.dialNext() !== undefined);
  });

  it('one rotation at a time, and none when rotation is off', async () => {
    const h = await fullOutbound();
    h.pm.add(addrOf(4));
    await h.clock.advance(INTERVAL);
    assert.ok(h.pm.dialNext() !== undefined);
    await h.clock.advance(10 * INTERVAL);
    assert.equal(h.pm.dialNext(), undefined, 'a second rotation waits for the first to end');
    const off = await fullOutbound({ rotation: 0 });
    assert.equal(off.pm.nextDialTime(), undefined);
    await off.clock.advance(10 * INTERVAL);
    assert.equal(off.pm.dialNext(), undefined);
  });

  it('picks a random eligible address, not the best-ranked one', async () => {
    const picked = new Set<string>();
    for (let seed = 1; seed <= 20 && picked.size < 2; seed++) {
      const h = await fullOutbound({ random: seededRandom(seed) });
      h.pm.add(addrOf(4));
      // Peer 4 ranks below peer 3: a best-first dial would always pick peer 3.
      h.pm.report(addrOf(4).id!, 'bad');
      await h.clock.advance(2 * INTERVAL);
      const address = h.pm.dialNext();
      assert.ok(address !== undefined);
      picked.add(address.id!);
    }
    assert.deepEqual([...picked].sort(), [addrOf(3).id, addrOf(4).id].sort());
  });

  it('jitters the interval uniformly within half an interval either side', () => {
    const values = [0, 0.25, 0.999];
    const rotation = new OutboundRotation(INTERVAL, () => values.shift()!);
    assert.equal(rotation.dueAt(1_000), 1_000 + INTERVAL / 2);
    assert.equal(rotation.dueAt(5_000), 1_000 + INTERVAL / 2, 'armed once, not re-drawn per query');
    rotation.rotated(10_000);
    assert.equal(rotation.dueAt(10_000), 10_000 + 0.75 * INTERVAL);
    rotation.rotated(20_000);
    assert.equal(rotation.dueAt(20_000), 20_000 + Math.round(1.499 * INTERVAL));
    assert.equal(new OutboundRotation(0, Math.random).dueAt(0), undefined);
  });
});
