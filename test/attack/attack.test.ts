// Attack tests: a victim node in its own process (the real-network profile, both wires) against
// attackers on many 127.x source addresses. Short and bounded; the full-size figures come from
// `npm run attack` (bench/attack.ts). Bounds here are generous, so a loaded CI machine does not fail
// them, yet each is far from what the node did before issue 9 (honest peer never in, 84-101 % of a
// core under a ping flood, four peers per IP).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TENDERMINT_DEFAULTS } from '../../src/engine/peers/tendermint-policy.ts';
import { connectMany, percentile, pingFlood, slowloris, startVictim, type Victim, type Wire } from './probes.ts';

for (const wire of ['cometbft', 'zcash'] as const satisfies readonly Wire[]) {
  describe(`attack on a ${wire} node`, { timeout: 120_000 }, () => {
    let victim: Victim;
    before(async () => {
      victim = await startVictim(wire);
    });
    after(async () => {
      await victim.stop();
    });

    test('slowloris: 300 silent sockets from 75 addresses; an honest newcomer (raw client, then real nodes) gets in, a connected peer stays, fds return', async () => {
      const result = await slowloris(victim, { wire, sockets: 300, sourceIps: 75, tries: 5, tryTimeoutMs: 10_000, nodeTries: 2 });
      // The attack churned: every socket was dropped and reopened, more than twice on average (a
      // 2-core machine at load 12 saw 3,800-4,600 connections), and the victim turned them away.
      assert.ok(result.attackConnections > 600, `the attack ran (${result.attackConnections} connections)`);
      assert.ok(result.refused + result.evicted > 300, `refused ${result.refused}, evicted ${result.evicted}`);
      // Every try within the target's 5 s (before issue 9: never, in 20 s; at load 12 the slowest
      // took 0.7 s); `npm run attack` reports the full-size p50/p99.
      assert.ok(percentile(result.joinMs, 99) <= 5_000, `honest join times ${result.joinMs.join(', ')} ms`);
      // Real honest nodes (test/attack/joiner.ts), each from its own address, timed from start().
      assert.equal(result.nodeJoinMs.length, 2);
      assert.ok(Math.max(...result.nodeJoinMs) <= 5_000, `honest node join times ${result.nodeJoinMs.join(', ')} ms`);
      assert.equal(result.earlyPeerStayed, true);
      // Descriptors back to the baseline (a few may still be closing).
      assert.ok(result.after.fds <= result.before.fds + 4, `fds ${result.before.fds} -> ${result.after.fds}`);
      // Memory bounded. What the victim retains, measured after a full collection, grows by a few
      // MiB at most (bounded maps of paced and refused addresses; here 1.6 MiB after 18-26 k attack
      // connections). Peak RSS also counts garbage the collector has not yet reclaimed, which grows
      // with the churn rate: 50 MiB here, over 128 MiB on a faster CI machine; its bound only catches
      // a runaway.
      const retainedGrowth = result.retainedHeap.after - result.retainedHeap.before;
      assert.ok(retainedGrowth < 8 * 1024 * 1024, `retained heap ${JSON.stringify(result.retainedHeap)}`);
      assert.ok(
        result.peak.rssBytes - result.before.rssBytes < 512 * 1024 * 1024,
        `RSS ${result.before.rssBytes} -> peak ${result.peak.rssBytes} after ${result.attackConnections} connections`,
      );
    });

    test('ping flood: the flooder is read slowly, the victim stays cheap and an honest peer keeps its round trips', async () => {
      const result = await pingFlood(victim, wire, 3_000, 30);
      assert.ok(result.pingsWritten > 1_000, `the flood ran (${JSON.stringify(result)})`);
      // Lenient CI bound; `npm run attack` reports the figure (the target is 25 %).
      assert.ok(result.cpuShare <= 0.5, `victim CPU share (${JSON.stringify(result)})`);
      assert.ok(
        result.floodRttP99Ms <= 2 * result.idleRttP99Ms + 50,
        `RTT p99 under flood vs idle (${JSON.stringify(result)})`,
      );
    });

    test('one connection per IP: a second peer from the same address is refused, peers from others are not', async () => {
      const same = await connectMany(wire, victim.port, 3, 90, true);
      assert.equal(same.length, 1);
      const distinct = await connectMany(wire, victim.port, 3, 91);
      assert.equal(distinct.length, 3);
      for (const p of [...same, ...distinct]) p.close();
    });
  });
}

// CometBFT: 40 inbound peers, plus at most TENDERMINT_DEFAULTS.maxInboundGuests newcomers let in as
// guests while inbound is full (they hold no peer slot, get one PEX answer and are closed after it or
// after guestTimeoutMs; docs/config.md). Zebra's policy has no guests.
test('inbound limits: CometBFT keeps 40 inbound peers (plus its few guests), Zcash 125, and --max-inbound is honoured', { timeout: 180_000 }, async () => {
  for (const [wire, maxInbound, expected] of [
    ['cometbft', undefined, 40 + TENDERMINT_DEFAULTS.maxInboundGuests],
    ['zcash', undefined, 125],
    ['zcash', 7, 7],
  ] as const) {
    const victim = await startVictim(wire, maxInbound);
    try {
      const connected = await connectMany(wire, victim.port, expected + 5, 100);
      assert.equal(connected.length, expected, `${wire} max-inbound ${maxInbound ?? 'default'}`);
      for (const p of connected) p.close();
    } finally {
      await victim.stop();
    }
  }
});
