// PeerManager outbound transitions: add, dialNext, dialFailed (backoff), dialed, ready, disconnected
// (cooldown), slots and group limits, ranking, wake-ups and the spacing of dials.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import { PeerManager } from '../../../src/engine/peers/peer-manager.ts';
import type { ConnectionLimits } from '../../../src/engine/peers/policy.ts';
import { localNetworkProfile, TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import { addrOf, connectOutbound, harness, infoOf, nodeId, SELF } from './peer-fixtures.ts';

const small = { maxConnected: 4, maxOutgoing: 2, maxConnectedUpgrade: 1 };

describe('PeerManager: adding addresses', () => {
  it('adds new addresses once and refuses ourselves', async () => {
    const h = await harness();
    assert.equal(h.pm.add(addrOf(1)), true);
    assert.equal(h.pm.add(addrOf(1)), false);
    assert.equal(h.pm.add(addrOf(1, '12.0.0.9')), true, 'a second address of a known peer');
    assert.equal(h.pm.add(parseNodeAddress(`${SELF}@11.0.0.1:26656`)), false);
    assert.equal(h.pm.stats().stored, 1);
    assert.equal(h.pm.peer(nodeId(1))!.record.addresses.length, 2);
  });

  it('keeps a strict book: gossiped addresses must be routable and carry an id', async () => {
    const h = await harness();
    assert.equal(h.pm.add(parseNodeAddress('11.0.0.1:26656')), false, 'no node id');
    assert.equal(h.pm.add(addrOf(2, '10.0.0.1'), nodeId(9)), false, 'private from gossip');
    assert.equal(h.pm.add(addrOf(3, '127.0.0.1'), nodeId(9)), false, 'loopback from gossip');
    assert.equal(h.pm.add(addrOf(2, '10.0.0.1')), true, 'operator-configured private address');
    const local = await harness({ policy: localNetworkProfile });
    assert.equal(local.pm.add(addrOf(3, '127.0.0.1'), nodeId(9)), true);
  });

  it('caps the addresses kept per peer, replacing failed ones only', async () => {
    const h = await harness();
    for (let i = 0; i < 40; i++) h.pm.add(addrOf(1, `11.0.0.${i + 1}`));
    assert.equal(h.pm.peer(nodeId(1))!.record.addresses.length, 16);
  });

  it('wakes the router when an address is added, and stops after unsubscribing', async () => {
    const h = await harness();
    let calls = 0;
    const off = h.pm.onWake(() => calls++);
    h.pm.add(addrOf(1));
    assert.equal(calls, 1);
    off();
    h.pm.add(addrOf(2));
    assert.equal(calls, 1);
  });
});

describe('PeerManager: dialing', () => {
  it('hands out an address once and marks the peer dialing', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    assert.equal(h.pm.nextDialTime(), h.clock.now());
    const a = h.pm.dialNext();
    assert.equal(a?.id, nodeId(1));
    assert.equal(h.pm.peer(nodeId(1))!.dialing, true);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), undefined);
  });

  it('backs off exponentially after failures and says when to come back', async () => {
    const h = await harness({ random: () => 0 });
    h.pm.add(addrOf(1));
    let expected = 250;
    for (let failure = 1; failure <= 6; failure++) {
      const a = h.pm.dialNext();
      assert.ok(a);
      const wakes = h.wakes;
      h.pm.dialFailed(a, new PeerwireError('ERR_CONNECTION_FAILED', 'refused', { action: 'transient' }));
      assert.equal(h.wakes, wakes + 1);
      assert.equal(h.pm.peer(nodeId(1))!.record.addresses[0]!.dialFailures, failure);
      assert.equal(h.pm.score(nodeId(1)), -failure);
      assert.equal(h.pm.nextDialTime(), h.clock.now() + expected);
      await h.clock.advance(expected - 1);
      assert.equal(h.pm.dialNext(), undefined);
      await h.clock.advance(1);
      expected *= 2;
    }
  });

  it('resets the failures on a successful dial and reports the peer up on ready', async () => {
    const h = await harness({ random: () => 0 });
    h.pm.add(addrOf(1));
    h.pm.dialFailed(h.pm.dialNext()!);
    await h.clock.advance(250);
    const id = connectOutbound(h);
    const view = h.pm.peer(id)!;
    assert.equal(view.direction, 'outbound');
    assert.equal(view.ready, true);
    assert.equal(view.record.addresses[0]!.dialFailures, 0);
    assert.equal(view.record.addresses[0]!.lastDialSuccess, h.clock.now());
    assert.deepEqual(h.updates, [{ id, status: 'up', direction: 'outbound', info: infoOf(id) }]);
  });

  it('reports down with the reason and waits the cooldown before redialing', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    const id = connectOutbound(h);
    const reason = new PeerwireError('ERR_CLOSED', 'remote closed', { action: 'transient' });
    h.pm.disconnected(id, reason);
    h.pm.disconnected(id, reason); // idempotent
    assert.deepEqual(h.updates.at(-1), { id, status: 'down', reason });
    assert.equal(h.updates.length, 2);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), h.clock.now() + 2000);
    await h.clock.advance(2000);
    assert.equal(h.pm.dialNext()?.id, id);
  });

  it('ignores dialFailed for an address it did not hand out', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    h.pm.dialFailed(addrOf(1));
    assert.equal(h.pm.peer(nodeId(1))!.record.addresses[0]!.dialFailures, 0);
  });

  it('refuses dialed() for an address that is not being dialed', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    assert.throws(() => h.pm.dialed(addrOf(1), infoOf(nodeId(1))), { code: 'ERR_PEERS_NOT_DIALING' });
  });

  it('counts an id mismatch as a failed dial', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    const a = h.pm.dialNext()!;
    assert.throws(() => h.pm.dialed(a, infoOf(nodeId(2))), { code: 'ERR_PEER_ID_MISMATCH' });
    assert.equal(h.pm.peer(nodeId(1))!.record.addresses[0]!.dialFailures, 1);
    assert.equal(h.pm.stats().connected, 0);
  });

  it('forgets an address that led to ourselves', async () => {
    const h = await harness();
    h.pm.add(addrOf(1));
    const a = h.pm.dialNext()!;
    assert.throws(() => h.pm.dialed(a, infoOf(SELF)), { code: 'ERR_SELF_CONNECTION' });
    assert.equal(h.pm.peer(nodeId(1)), undefined);
    assert.equal(h.pm.dialNext(), undefined);
  });

  it('respects maxOutgoing, then dials again when a slot frees', async () => {
    const h = await harness({ policy: small });
    for (let n = 1; n <= 5; n++) h.pm.add(addrOf(n));
    const a = h.pm.dialNext()!;
    const b = h.pm.dialNext()!;
    assert.ok(a && b);
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), undefined);
    const wakes = h.wakes;
    h.pm.dialFailed(a);
    assert.ok(h.wakes > wakes);
    assert.ok(h.pm.dialNext());
  });

  it('dials at most one peer per address group, unless the local profile', async () => {
    const h = await harness();
    h.pm.add(addrOf(1, '20.1.0.1'));
    h.pm.add(addrOf(2, '20.1.200.2'));
    h.pm.add(addrOf(3, '20.2.0.1'));
    const first = h.pm.dialNext()!;
    const second = h.pm.dialNext()!;
    assert.notEqual(h.policy.addressGroup(first), h.policy.addressGroup(second));
    assert.equal(h.pm.dialNext(), undefined);
    assert.equal(h.pm.nextDialTime(), undefined);

    const local = await harness({ policy: localNetworkProfile });
    for (let n = 1; n <= 3; n++) local.pm.add(addrOf(n, `127.0.0.${n}`));
    assert.ok(local.pm.dialNext() && local.pm.dialNext() && local.pm.dialNext());
  });

  it('dials the highest-scored peer first', async () => {
    const h = await harness();
    for (let n = 1; n <= 4; n++) h.pm.add(addrOf(n));
    h.pm.report(nodeId(3), 'good');
    h.pm.report(nodeId(3), 'good');
    h.pm.report(nodeId(2), 'bad');
    h.pm.report(nodeId(4), 'good');
    const order = [h.pm.dialNext(), h.pm.dialNext(), h.pm.dialNext(), h.pm.dialNext()].map((a) => a?.id);
    assert.deepEqual(order, [nodeId(3), nodeId(4), nodeId(1), nodeId(2)]);
  });

  it('spaces dials when the policy asks for it', async () => {
    class Spaced extends TendermintPolicy {
      override readonly limits: ConnectionLimits;
      constructor() {
        super();
        this.limits = { ...new TendermintPolicy().limits, minDialInterval: 100 };
      }
    }
    const clock = new ManualClock();
    const pm = new PeerManager({ selfId: SELF, clock, policy: new Spaced() });
    await pm.start();
    pm.add(addrOf(1));
    pm.add(addrOf(2));
    assert.ok(pm.dialNext());
    assert.equal(pm.dialNext(), undefined);
    assert.equal(pm.nextDialTime(), clock.now() + 100);
    await clock.advance(100);
    assert.ok(pm.dialNext());
    await pm.stop();
  });
});
