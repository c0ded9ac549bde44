// Scenario 3, latency and loss: every packet between hosts passes the TUN delay line, which delays it
// 100 ms ± 20 ms (uniform jitter; so a round trip is about 200 ms) and drops 2 % of them (real loss:
// the packet never reappears). The network is re-formed from scratch under these conditions (fresh
// stores, one seed per wire), which times PEX / crawl convergence and yields the handshake success
// rate (outbound dials connected / dials finished, summed over all nodes); then it stays shaped for
// over two keep-alive periods (CometBFT pings every 60 s, Zcash every 59 s) and no connection may be
// dropped by a keep-alive or stall timeout: every peer is alive, so any such drop is a false one.

import { sleep } from '../lab.ts';
import { metricSum } from '../prom-text.ts';
import { degreeFigures, disconnectsSince, KEEPALIVE_CODES, round, seconds, type Scenario } from '../scenario.ts';
import { bringUp } from './formation.ts';

/** One-way delay, jitter (ms) and loss: the issue's 100 ms ± 20 ms and 2 %. */
export const DELAY_MS = 100;
export const JITTER_MS = 20;
export const LOSS = 0.02;
/** Convergence limit under delay and loss (ms): handshakes take several round trips, and losses retransmit. */
const CONVERGE_LIMIT_MS = 180_000;
/** Observation after convergence (ms): more than two keep-alive periods (60 s), so every connection pings at least twice. */
const OBSERVE_MS = 130_000;
/** Lowest handshake success rate accepted: 2 % loss costs retransmissions, not handshakes, within a 15 s deadline. */
const MIN_SUCCESS_RATE = 0.9;

export const latencyLoss: Scenario = {
  id: 3,
  name: 'latency-loss',
  rule: () =>
    `with ${DELAY_MS} ms ± ${JITTER_MS} ms and ${LOSS * 100} % loss per link: re-formation within ${CONVERGE_LIMIT_MS / 1000} s, handshake success ≥ ${MIN_SUCCESS_RATE * 100} %, no keep-alive disconnect in ${OBSERVE_MS / 1000} s`,
  run: async (lab) => {
    const nodes = lab.hosts.map((h) => lab.node(h));
    await Promise.all(nodes.map((n) => n.stop()));
    const delay = await lab.delayLine();
    await delay.set(DELAY_MS, JITTER_MS, LOSS);
    await lab.network.shapeOn(lab.network.names.tun);
    const saw: string[] = [];
    try {
      const up = await bringUp(lab, CONVERGE_LIMIT_MS);
      if (!up.ok) saw.push(`not formed under delay and loss: ${up.gaps.join('; ')}`);
      const metrics = await lab.allMetrics();
      let connected = 0;
      let failed = 0;
      for (const samples of metrics.values()) {
        if (samples === undefined) continue;
        connected += metricSum(samples, 'peerwire_peers_dials_total', { result: 'connected' });
        failed += metricSum(samples, 'peerwire_peers_dials_total', { result: 'failed' });
      }
      const rate = connected + failed === 0 ? 0 : connected / (connected + failed);
      const marks = await Promise.all(nodes.map((n) => n.logSize()));
      const observedAt = Date.now();
      await sleep(OBSERVE_MS, lab.signal);
      const observedMs = Date.now() - observedAt;
      const reasons = new Map<string, number>();
      for (let i = 0; i < nodes.length; i++) {
        for (const [reason, n] of await disconnectsSince(nodes[i]!, marks[i]!)) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
      }
      const falseKeepAlive = [...reasons].filter(([r]) => KEEPALIVE_CODES.has(r)).reduce((a, [, n]) => a + n, 0);
      const stats = await delay.stats();
      const snapshot = await lab.snapshot();
      if (rate < MIN_SUCCESS_RATE) saw.push(`handshake success ${round(rate * 100)} % (${connected} connected, ${failed} failed)`);
      if (falseKeepAlive > 0) saw.push(`keep-alive disconnects: ${[...reasons].map(([r, n]) => `${r}×${n}`).join(' ')}`);
      if (observedMs < OBSERVE_MS - 1_000) saw.push('observation cut short');
      const passed = saw.length === 0;
      if (!passed) saw.push(...(await lab.describe(nodes)));
      return {
        passed,
        figures: {
          convergeSeconds: seconds(up.formedMs),
          handshakeSuccessPercent: round(rate * 100),
          dialsConnected: connected,
          dialsFailed: failed,
          observedSeconds: seconds(observedMs),
          keepAliveDisconnects: falseKeepAlive,
          otherDisconnects: [...reasons].filter(([r]) => !KEEPALIVE_CODES.has(r)).reduce((a, [, n]) => a + n, 0),
          packetsShaped: stats.received,
          packetLossPercent: stats.received === 0 ? 0 : round((stats.dropped_loss / stats.received) * 100, 2),
          ...degreeFigures(lab.hosts, snapshot),
        },
        saw,
      };
    } finally {
      await lab.network.shapeOff();
      await delay.set(0, 0, 0);
    }
  },
};
