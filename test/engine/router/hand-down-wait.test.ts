// The hand-down loop's wait: woken by freed room, a new offer or the peer stopping; the stall deadline
// counts from the first block since the last progress, whatever wakes it meanwhile; one watchdog timer
// per peer, not one per wait, and none left once the peer stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Timer } from '../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import { HandDownWait } from '../../../src/engine/router/hand-down-wait.ts';
import type { ChannelScheduler } from '../../../src/transport/types.ts';

const STALL_MS = 1000;

/** A source of wake-ups the test fires by hand. */
class Source {
  private waiters: (() => void)[] = [];
  subscriptions = 0;
  next(): Promise<void> {
    this.subscriptions++;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  fire(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function setup(): {
  clock: ManualClock;
  timers: () => number;
  room: Source;
  offers: Source;
  stop: AbortController;
  wait: HandDownWait;
} {
  const clock = new ManualClock();
  let armed = 0;
  const counting = Object.assign(Object.create(clock) as ManualClock, {
    setTimer(ms: number, callback: () => void): Timer {
      armed++;
      return clock.setTimer(ms, callback);
    },
  });
  const room = new Source();
  const offers = new Source();
  const scheduler = { roomFreed: () => room.next() } as unknown as ChannelScheduler;
  const stop = new AbortController();
  const wait = new HandDownWait(scheduler, { nextOffer: () => offers.next() }, counting, STALL_MS, 'peer-a', stop.signal);
  return { clock, timers: () => armed, room, offers, stop, wait };
}

test('room, an offer or the stop wakes a blocked wait; each source is subscribed once at a time', async () => {
  const { room, offers, stop, wait } = setup();
  let woke = wait.blocked();
  room.fire();
  await woke;
  woke = wait.blocked();
  offers.fire();
  await woke;
  for (let i = 0; i < 5; i++) {
    woke = wait.blocked();
    room.fire();
    await woke;
  }
  assert.equal(offers.subscriptions, 2, 'the offer subscription made after the first offer still stands');
  woke = wait.blocked();
  stop.abort();
  await woke;
});

test('the stall deadline counts from the first block since progress; wake-ups do not postpone it', async () => {
  const { clock, room, wait } = setup();
  const failures: unknown[] = [];
  const loop = (async () => {
    try {
      for (;;) await wait.blocked();
    } catch (error) {
      failures.push(error);
    }
  })();
  for (let step = 0; step < 9; step++) {
    await clock.advance(STALL_MS / 10);
    room.fire(); // woken, still blocked
  }
  assert.deepEqual(failures, []);
  await clock.advance(STALL_MS / 10);
  await loop;
  const failure = failures[0] as Error | undefined;
  assert.ok(failure instanceof PeerwireError, String(failure));
  assert.equal(failure.code, ErrorCode.Stalled);
  assert.equal(clock.pendingTimers, 0);
});

test('progress restarts the deadline; thousands of blocks arm a handful of timers; stop leaves none', async () => {
  const { clock, timers, room, stop, wait } = setup();
  for (let round = 0; round < 3000; round++) {
    const woke = wait.blocked();
    room.fire();
    await woke;
    wait.progressed();
    if (round % 1000 === 999) await clock.advance(STALL_MS * 0.9);
  }
  assert.ok(timers() <= 4, `timers armed: ${timers()}`);
  const woke = wait.blocked();
  await clock.advance(STALL_MS / 2);
  stop.abort();
  await woke;
  assert.equal(clock.pendingTimers, 0, 'the watchdog is cancelled with the peer');
});
