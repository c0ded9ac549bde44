// A Zcash connection under its per-peer inbound budget, on a ManualClock: a chunk of many small
// frames is decoded a turn's allowance at a time, reading paused in between (the shell's timed pause),
// and the frames held back are decoded when the pause ends, in order; a peer that stays over its
// message budget is closed with ERR_PEER_FLOOD and reported update-failed with its services.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { ERR_PEER_FLOOD, type InboundBudgetOptions } from '../../../src/transport/inbound-budget.ts';
import { waitFor } from '../../helpers/wait.ts';
import { handshakeWith, makePair, type Pair } from './connection-harness.ts';

/** 100 messages/s: a turn may decode 10 (a tenth of a second's rate); a flood is 1 s over. */
const BUDGET: InboundBudgetOptions = {
  messagesPerSecond: 100,
  messageBurst: 10,
  bytesPerSecond: Number.POSITIVE_INFINITY,
  byteBurst: Number.POSITIVE_INFINITY,
  floodAfterMs: 1_000,
};
const TURN_BATCH = BUDGET.messagesPerSecond / 10;
/** Clock steps the tests may take before giving up (far more than any case needs). */
const MAX_STEPS = 1_000;

async function pingsDecoded(metrics: PromMetrics): Promise<number> {
  const match = /zcash_net_in_messages\{command="ping"\} (\d+)/.exec(await metrics.text());
  return match === null ? 0 : Number(match[1]);
}

async function open(clock: ManualClock, metrics: PromMetrics): Promise<Pair> {
  const pair = await makePair({ clock, inboundBudget: BUDGET, build: (b) => b.withMetrics(metrics) });
  await handshakeWith(pair);
  return pair;
}

/** One chunk of `count` pings with nonces first..first+count-1. */
function pings(pair: Pair, first: number, count: number): Buffer {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) frames.push(pair.raw.codec.encode({ command: 'ping', nonce: BigInt(first + i) }));
  return Buffer.concat(frames);
}

describe('zcash connection: inbound budget', () => {
  it('decodes a burst a turn at a time, pausing in between; the held-back frames follow in order', async () => {
    const clock = new ManualClock();
    const metrics = new PromMetrics();
    const pair = await open(clock, metrics);
    try {
      const total = 5 * TURN_BATCH;
      pair.raw.sendRaw(pings(pair, 0, total));
      await waitFor(async () => (await pingsDecoded(metrics)) > 0, 'the first turn of the chunk decoded');
      // Decoding a turn is synchronous: what the counter shows is all of it, until the clock moves.
      const firstTurn = await pingsDecoded(metrics);
      assert.ok(firstTurn <= TURN_BATCH, `at most one turn's batch before the pause (${firstTurn})`);
      let steps = 0;
      while ((await pingsDecoded(metrics)) < total && steps < MAX_STEPS) {
        await clock.advance(10);
        steps++;
      }
      assert.equal(await pingsDecoded(metrics), total);
      assert.ok(steps >= Math.floor((total - firstTurn) / TURN_BATCH), `the rest waited for the clock (${steps} steps)`);
      await waitFor(() => pair.raw.count('pong') === total, 'every ping answered');
      const nonces = pair.raw.received.filter((m) => m.command === 'pong').map((m) => (m.command === 'pong' ? m.nonce : -1n));
      assert.deepEqual(nonces, Array.from({ length: total }, (_v, i) => BigInt(i)), 'answered in order');
      assert.equal(pair.conn.info !== undefined, true);
    } finally {
      await pair.close();
    }
  });

  it('closes a peer that stays over its message budget with ERR_PEER_FLOOD, reported with its services', async () => {
    const clock = new ManualClock();
    const metrics = new PromMetrics();
    const pair = await open(clock, metrics);
    try {
      let closed = false;
      void pair.conn.closed.then(() => (closed = true));
      // Three seconds' worth at the budget's rate, in one chunk: the peer always has more queued than
      // the budget lets through, so every decoding turn ends with a backlog.
      pair.raw.sendRaw(pings(pair, 0, 3 * BUDGET.messagesPerSecond));
      await waitFor(async () => (await pingsDecoded(metrics)) > 0, 'the first turn decoded');
      let steps = 0;
      while (!closed && steps < MAX_STEPS) {
        await clock.advance(100);
        steps++;
      }
      const reason = await pair.conn.closed;
      assert.equal(reason?.code, ERR_PEER_FLOOD);
      assert.equal(reason?.action, 'ban');
      assert.ok(steps * 100 >= BUDGET.floodAfterMs, `judged a flood only after ${BUDGET.floodAfterMs} ms (${steps * 100})`);
      assert.deepEqual(pair.book.changes.at(-1), { kind: 'update-failed', addr: 'memory:them', services: 1n });
      assert.equal(pair.book.kinds().filter((k) => k === 'update-failed').length, 1);
      assert.equal(clock.pendingTimers, 0, 'no timer outlives the close');
    } finally {
      await pair.close();
    }
  });
});
