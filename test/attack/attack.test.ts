// Attack tests: a victim node in its own process (the real-network profile, both wires) against
// attackers on many 127.x source addresses. Short and bounded; the full-size figures come from
// `npm run attack` (bench/attack.ts). Bounds here are generous, so a loaded CI machine does not fail
// them, yet each is far from what the node did before issue 9 (honest peer never in, 84-101 % of a
// core under a ping flood, four peers per IP).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
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

    test('slowloris: 300 silent sockets from 75 addresses; an honest newcomer gets in, a connected peer stays, fds return', async () => {
      const result = await slowloris(victim, { wire, sockets: 300, sourceIps: 75, tries: 5, tryTimeoutMs: 10_000 });
      assert.ok(result.attackConnections > 75, `the attack ran (${result.attackConnections} connections)`);
      // Median within 5 s on a loaded CI machine (before issue 9: never, in 20 s); `npm run attack`
      // reports the full-size p50/p99.
      assert.ok(percentile(result.joinMs, 50) <= 5_000, `honest join times ${result.joinMs.join(', ')} ms`);
      assert.equal(result.earlyPeerStayed, true);
      // Descriptors back to the baseline (a few may still be closing).
      assert.ok(result.after.fds <= result.before.fds + 4, `fds ${result.before.fds} -> ${result.after.fds}`);
      // Memory bounded: no more than 128 MiB over the baseline at the peak.
      assert.ok(result.peak.rssBytes - result.before.rssBytes < 128 * 1024 * 1024);
    });

    test('ping flood: the flooder is read slowly, the victim stays cheap and an honest peer keeps its round trips', async () => {
      const result = await pingFlood(victim, wire, 3_000, 30);
      assert.ok(result.pingsWritten > 1_000, `the flood ran (${result.pingsWritten} pings)`);
      // Lenient CI bound; `npm run attack` reports the figure (the target is 25 %).
      assert.ok(result.cpuShare <= 0.5, `victim CPU share ${result.cpuShare}`);
      assert.ok(
        result.floodRttP99Ms <= 2 * result.idleRttP99Ms + 50,
        `RTT p99 ${result.floodRttP99Ms} ms under flood vs ${result.idleRttP99Ms} ms idle`,
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

test('inbound limits: CometBFT keeps 40 inbound peers, Zcash 125, and --max-inbound is honoured', { timeout: 180_000 }, async () => {
  for (const [wire, maxInbound, expected] of [
    ['cometbft', undefined, 40],
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
