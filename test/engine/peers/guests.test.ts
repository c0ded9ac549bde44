// Guests (guests.ts): while the inbound side is full, a few newcomers are admitted as guests so a
// service can give them addresses before the router closes them. A guest takes no slot, is announced
// with `guest: true`, is bounded by maxInboundGuests, is never a banned peer or a second connection
// of one peer, is never dialed while it visits, and leaves no trace in the book when it goes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerwireError } from '../../../src/core/errors.ts';
import { PeersErrorCode } from '../../../src/engine/peers/peer-errors.ts';
import { addrOf, connectInbound, harness, infoOf, nodeId } from './peer-fixtures.ts';

/** One inbound slot (taken by peer 1), two guest places, no outbound slots. */
const policy = { maxConnected: 1, maxOutgoing: 0, maxIncoming: 1, maxConnectedUpgrade: 0, maxInboundGuests: 2 };

function refusal(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    return (error as PeerwireError).code;
  }
}

describe('guests', () => {
  it('a newcomer refused for lack of an inbound slot is admitted as a guest, announced as one, and forgotten when it leaves', async () => {
    const h = await harness({ policy });
    connectInbound(h, 1);
    const guest = nodeId(2);
    assert.deepEqual(h.pm.accepted(guest, infoOf(guest)), { replacesExisting: false, guest: true });
    h.pm.ready(guest, infoOf(guest), 'inbound');
    const up = h.updates.at(-1)!;
    assert.deepEqual([up.id, up.status, up.direction, up.guest], [guest, 'up', 'inbound', true]);
    assert.equal(h.pm.stats().guests, 1);
    assert.equal(h.pm.stats().connected, 1, 'a guest is not a connected peer');
    assert.equal(h.pm.stats().inbound, 1);
    assert.equal(h.pm.evictNext(), undefined, 'nobody is evicted for a guest');
    h.pm.disconnected(guest);
    assert.deepEqual(h.updates.at(-1), { id: guest, status: 'down', guest: true });
    assert.equal(h.pm.stats().guests, 0);
    assert.equal(h.pm.peer(guest), undefined, 'no trace in the book');
  });

  it('at most maxInboundGuests at once; beyond that the newcomer is refused as full', async () => {
    const h = await harness({ policy });
    connectInbound(h, 1);
    assert.equal(h.pm.accepted(nodeId(2), infoOf(nodeId(2))).guest, true);
    assert.equal(h.pm.accepted(nodeId(3), infoOf(nodeId(3))).guest, true);
    assert.equal(refusal(() => h.pm.accepted(nodeId(4), infoOf(nodeId(4)))), PeersErrorCode.Full);
    h.pm.disconnected(nodeId(2));
    assert.equal(h.pm.accepted(nodeId(4), infoOf(nodeId(4))).guest, true, 'a place frees when a guest leaves');
  });

  it('never a banned peer, never a second connection of a guest, and a guest is not dialed while it visits', async () => {
    const h = await harness({ policy: { ...policy, maxOutgoing: 1, maxConnected: 2 } });
    connectInbound(h, 1);
    const banned = nodeId(5);
    h.pm.add(addrOf(5));
    h.pm.errored(banned, new PeerwireError('ERR_TEST_BAN', 'misbehaved', { action: 'ban' }));
    assert.equal(refusal(() => h.pm.accepted(banned, infoOf(banned))), PeersErrorCode.Banned);
    const guest = nodeId(2);
    h.pm.add(addrOf(2));
    assert.equal(h.pm.accepted(guest, infoOf(guest)).guest, true);
    assert.equal(h.pm.dialNext(), undefined, 'the only dialable peer is visiting as a guest');
    assert.equal(refusal(() => h.pm.accepted(guest, infoOf(guest))), 'ERR_DUPLICATE_CONNECTION');
    h.pm.disconnected(guest);
    assert.equal(h.pm.dialNext()?.id, guest, 'dialable again once it left');
  });

  it('with maxInboundGuests 0 (the default outside the Tendermint policy) a full node refuses outright', async () => {
    const h = await harness({ policy: { ...policy, maxInboundGuests: 0 } });
    connectInbound(h, 1);
    assert.equal(refusal(() => h.pm.accepted(nodeId(2), infoOf(nodeId(2)))), PeersErrorCode.Full);
    assert.equal(h.pm.stats().guests, 0);
  });
});
