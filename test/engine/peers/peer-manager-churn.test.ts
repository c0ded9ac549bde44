// Hours of simulated churn on a ManualClock: dead peers, flaky peers, a persistent peer that is down,
// gossip that keeps adding unreachable addresses, and inbound strangers. The router loop is simulated
// event by event (jump to the next disconnect or to nextDialTime), so the test checks exact backoff
// timing: never earlier than the doubling schedule, never later than schedule + jitter, capped at
// 30 min (5 min for persistent peers); healthy peers keep coming back; limits hold throughout.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeAddress, NodeId } from '../../../src/core/node-address.ts';
import { addrOf, assertLimits, harness, infoOf, nodeId, seededRandom } from './peer-fixtures.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('PeerManager under hours of churn', () => {
  it('backs off exponentially up to the caps and keeps healthy peers connected', async () => {
    const random = seededRandom(2024);
    const dead = [1, 2, 3, 4].map(nodeId);
    const persistentDead = nodeId(5);
    const healthy = Array.from({ length: 10 }, (_, i) => nodeId(100 + i));
    const h = await harness({
      random: seededRandom(7),
      policy: { maxOutgoing: 24 },
      persistentPeers: [addrOf(5)],
    });
    for (const n of [1, 2, 3, 4, ...Array.from({ length: 10 }, (_, i) => 100 + i)]) h.pm.add(addrOf(n));

    const attempts = new Map<NodeId, number[]>();
    const connections = new Map<NodeId, number>();
    const disconnectAt = new Map<NodeId, number>();
    const start = h.clock.now();
    const end = start + 8 * HOUR;
    let nextGossip = start + HOUR;
    let gossipNumber = 1000;
    let nextInbound = start + 7 * MINUTE;
    let steps = 0;

    while (h.clock.now() < end) {
      assert.ok(++steps < 200_000, 'the simulation makes progress');
      const now = h.clock.now();
      // Router: dial everything that is due.
      for (
        let address: NodeAddress | undefined = h.pm.dialNext();
        address !== undefined;
        address = h.pm.dialNext()
      ) {
        const id = address.id!;
        const list = attempts.get(id) ?? [];
        list.push(now);
        attempts.set(id, list);
        const reachable = healthy.includes(id) && random() < 0.7;
        if (!reachable) {
          h.pm.dialFailed(address);
          continue;
        }
        h.pm.dialed(address, infoOf(id));
        h.pm.ready(id, infoOf(id), 'outbound');
        connections.set(id, (connections.get(id) ?? 0) + 1);
        disconnectAt.set(id, now + Math.floor(MINUTE + random() * 30 * MINUTE));
      }
      for (let id = h.pm.evictNext(); id !== undefined; id = h.pm.evictNext()) {
        h.pm.disconnected(id);
        disconnectAt.delete(id);
      }
      assertLimits(h, { groupLimit: true });
      // Scheduled events: disconnects, gossip, inbound strangers that misbehave.
      for (const [id, at] of disconnectAt) {
        if (at > now) continue;
        disconnectAt.delete(id);
        h.pm.disconnected(id);
      }
      if (now >= nextGossip) {
        for (let i = 0; i < 20; i++) h.pm.add(addrOf(gossipNumber++), healthy[0]);
        nextGossip += HOUR;
      }
      if (now >= nextInbound) {
        const stranger = nodeId(5000 + (steps % 50));
        try {
          h.pm.accepted(stranger, infoOf(stranger));
          h.pm.ready(stranger, infoOf(stranger), 'inbound');
          h.pm.report(stranger, 'bad');
          h.pm.disconnected(stranger);
        } catch {
          // banned or duplicate: refused, nothing else to do
        }
        nextInbound += 7 * MINUTE;
      }
      // Sleep until the next thing can happen.
      const wake = Math.min(
        h.pm.nextDialTime() ?? Infinity,
        ...disconnectAt.values(),
        nextGossip,
        nextInbound,
        end,
      );
      await h.clock.setTime(Math.max(wake, h.clock.now() + 1));
    }

    const o = h.policy.options;
    const check = (id: NodeId, cap: number) => {
      const times = attempts.get(id)!;
      for (let k = 1; k < times.length; k++) {
        const base = Math.min(cap, o.minRetryTime * 2 ** (k - 1));
        const gap = times[k]! - times[k - 1]!;
        assert.ok(gap >= base, `${id}: attempt ${k + 1} came after ${gap} ms, before the ${base} ms backoff`);
        assert.ok(
          gap <= base + Math.min(o.retryJitter, base) + 1,
          `${id}: attempt ${k + 1} came after ${gap} ms (backoff ${base})`,
        );
      }
      return times;
    };
    for (const id of dead) {
      const times = check(id, o.maxRetryTime);
      // 14 doubling attempts reach the cap in about 68 minutes; then one per 30-30.1 minutes.
      assert.ok(times.length >= 25 && times.length <= 29, `${id} dialed ${times.length} times in 8 h`);
      assert.ok(times.at(-1)! - times.at(-2)! >= o.maxRetryTime);
    }
    const persistentTimes = check(persistentDead, o.maxRetryTimePersistent);
    assert.ok(persistentTimes.length >= 90, `persistent peer dialed only ${persistentTimes.length} times`);
    for (const id of healthy)
      assert.ok((connections.get(id) ?? 0) >= 8, `${id} connected ${connections.get(id) ?? 0} times`);
    const s = h.pm.stats();
    assert.equal(s.dialing, 0);
    assert.ok(s.stored <= h.policy.limits.maxPeers);
    await h.pm.stop();
  });
});
