// A peer that hangs up right after the handshake (it banned us, it is full) must not be redialed at
// the disconnect-cooldown rate forever: a short-lived outbound connection counts as a failed dial.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_STABLE_CONNECTION_MS } from '../../../src/engine/peers/peer-manager.ts';
import { addrOf, connectOutbound, harness } from './peer-fixtures.ts';

test('a persistent peer that keeps hanging up right after the handshake is redialed with growing backoff', async () => {
  const peer = addrOf(1);
  const h = await harness({ persistentPeers: [peer], policy: { retryJitter: 0 } });
  const gaps: number[] = [];
  for (let round = 0; round < 8; round++) {
    connectOutbound(h, peer);
    await h.clock.advance(50); // the remote closes 50 ms after the handshake
    h.pm.disconnected(peer.id!);
    const next = h.pm.nextDialTime();
    assert.ok(next !== undefined);
    gaps.push(next - h.clock.now());
    await h.clock.setTime(next);
  }
  // Doubling from 250 ms shows once it passes the 2 s disconnect cooldown: 2, 2, 2, 2, 4, 8, 16, 32 s.
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]!, `gaps must not shrink: ${gaps.join(', ')}`);
  assert.ok(gaps.at(-1)! >= 8 * gaps[0]!, `gaps must grow: ${gaps.join(', ')}`);
});

test('a connection that lived a while is redialed after the cooldown alone', async () => {
  const peer = addrOf(2);
  const h = await harness({ persistentPeers: [peer], policy: { retryJitter: 0, disconnectCooldown: 2000 } });
  for (let round = 0; round < 3; round++) {
    connectOutbound(h, peer);
    await h.clock.advance(MIN_STABLE_CONNECTION_MS + 1);
    h.pm.disconnected(peer.id!);
    assert.equal(h.pm.nextDialTime()! - h.clock.now(), 2000);
    await h.clock.advance(2000);
  }
});
