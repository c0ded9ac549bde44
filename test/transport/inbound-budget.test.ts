// The per-peer inbound budget: token buckets over messages and bytes that tell a wire how long to stop
// reading, and the sustained-flood verdict (over the message budget without a break for floodAfterMs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.ts';
import { ERR_PEER_FLOOD, InboundBudget } from '../../src/transport/inbound-budget.ts';

const options = { messagesPerSecond: 1_000, messageBurst: 2_000, bytesPerSecond: 1_000_000, byteBurst: 100_000, floodAfterMs: 10_000 };

test('inbound budget: within the burst reading goes on; over it, the pause pays the debt back at the rate', () => {
  const clock = new ManualClock();
  const budget = new InboundBudget(options, clock);
  assert.equal(budget.charge(2_000, 10), 0);
  assert.equal(budget.charge(500, 10), 500); // 500 messages of debt at 1,000/s
  assert.equal(budget.flooding(), false);
});

test('inbound budget: bytes throttle too, but bytes alone never make a flood', async () => {
  const clock = new ManualClock();
  const budget = new InboundBudget(options, clock);
  assert.equal(budget.charge(1, 300_000), 200); // 200,000 bytes of debt at 1 MB/s
  for (let i = 0; i < 30; i++) {
    await clock.advance(1_000);
    budget.charge(1, 2_000_000);
  }
  assert.equal(budget.flooding(), false);
});

test('inbound budget: continuously over the message budget for floodAfterMs is a flood; a break resets it', async () => {
  const clock = new ManualClock();
  const budget = new InboundBudget(options, clock);
  budget.charge(5_000, 0);
  for (let t = 0; t < 9; t++) {
    await clock.advance(1_000);
    budget.charge(3_000, 0);
  }
  assert.equal(budget.flooding(), false);
  assert.equal(budget.msUntilVerdict(), 1_000);
  await clock.advance(1_000);
  budget.charge(3_000, 0);
  assert.equal(budget.flooding(), true);
  assert.equal(budget.msUntilVerdict(), 0);
  assert.equal(budget.floodError().code, ERR_PEER_FLOOD);
  assert.equal(budget.floodError().action, 'ban');

  const honest = new InboundBudget(options, clock);
  assert.equal(honest.msUntilVerdict(), undefined);
  honest.charge(3_000, 0); // a burst over budget
  await clock.advance(5_000);
  honest.charge(10, 0); // back in credit: the streak ends
  await clock.advance(6_000);
  honest.charge(3_000, 0);
  assert.equal(honest.flooding(), false);
});

test('inbound budget (property): a peer keeping to the rate is never paused or judged a flood', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 100, size: 'max' }),
      async (gaps) => {
        const clock = new ManualClock();
        const budget = new InboundBudget(options, clock);
        for (const gap of gaps) {
          await clock.advance(gap);
          // Exactly what the rate allows for the gap (at most the burst).
          const allowed = Math.min(
            options.messageBurst,
            Math.floor((gap * options.messagesPerSecond) / 1000),
          );
          assert.equal(budget.charge(allowed, 0), 0);
          assert.equal(budget.flooding(), false);
        }
      },
    ),
    { numRuns: Number(process.env.FC_RUNS ?? 100) },
  );
});

test('inbound budget: a flooder read a turn at a time (Zcash) is judged a flood even across chunk boundaries', async () => {
  const clock = new ManualClock();
  const budget = new InboundBudget(options, clock);
  let buffered = 0;
  for (let elapsed = 0; elapsed < 12_000 && !budget.flooding(); ) {
    if (buffered === 0) buffered = 2_000; // the next 64 KiB chunk of tiny frames
    const frames = Math.min(buffered, budget.turnAllowance());
    buffered -= frames;
    const wait = budget.charge(frames, frames * 32, buffered > 0);
    const pause = buffered > 0 ? Math.max(wait, budget.msUntilTurn()) : Math.max(wait, 1);
    await clock.advance(pause);
    elapsed += pause;
  }
  assert.equal(budget.flooding(), true);
});
