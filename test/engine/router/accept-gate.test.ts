import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../../../src/core/clock.ts';
import { AcceptGate, type AcceptDecision, type PendingTicket } from '../../../src/engine/router/accept-gate.ts';

const options = {
  maxPendingHandshakes: 3,
  maxPendingPerIp: 2,
  minIntervalPerIpMs: 100,
  maxTrackedIps: 8,
  minDeadlineFraction: 0.25,
};

const noop = (): void => undefined;

function ticketOf(decision: AcceptDecision): PendingTicket {
  assert.equal(decision.verdict, 'ok');
  return (decision as { ticket: PendingTicket }).ticket;
}

test('accept gate: per-IP pending cap, and a full gate refuses a newcomer from the busiest subnet and IP', () => {
  const gate = new AcceptGate(options, new ManualClock());
  ticketOf(gate.admit('127.0.0.2', noop));
  ticketOf(gate.admit('127.0.0.2', noop));
  assert.equal(gate.admit('127.0.0.2', noop).verdict, 'ip-pending-full');
  ticketOf(gate.admit('127.0.0.3', noop));
  // 127.0.0.4 is in the same /16 (the busiest), and its IP holds 0 < 2 (127.0.0.2's): it evicts.
  const decision = gate.admit('127.0.0.4', noop);
  assert.equal(decision.verdict, 'ok');
  assert.equal((decision as { evicted: boolean }).evicted, true);
  // Now every IP of that subnet holds 1: a second attempt from one of them is refused.
  assert.equal(gate.admit('127.0.0.3', noop).verdict, 'pending-full');
  assert.equal(gate.pendingHandshakes, 3);
});

test('accept gate: a newcomer from an unrepresented subnet evicts the oldest pending of the busiest IP', () => {
  const gate = new AcceptGate(options, new ManualClock());
  const evicted: string[] = [];
  ticketOf(gate.admit('127.1.0.1', () => evicted.push('a1')));
  ticketOf(gate.admit('127.1.0.2', () => evicted.push('b1')));
  ticketOf(gate.admit('127.1.0.2', () => evicted.push('b2')));
  ticketOf(gate.admit('127.2.0.1', () => evicted.push('honest')));
  // The busiest IP of the busiest subnet was 127.1.0.2: its oldest (b1) goes.
  assert.deepEqual(evicted, ['b1']);
  // The attacker's subnet holds 2 (one per IP): a newcomer from an IP there that already holds one is refused.
  assert.equal(gate.admit('127.1.0.2', noop).verdict, 'pending-full');
  // A second unrepresented subnet evicts from the attacker's subnet again, never the honest one.
  ticketOf(gate.admit('127.3.0.1', () => evicted.push('other')));
  assert.deepEqual(evicted, ['b1', 'a1']);
});

test('accept gate: among the pending connections a newcomer may evict, a silent one goes before one under way', () => {
  const gate = new AcceptGate(options, new ManualClock());
  const evicted: string[] = [];
  let honestSpoke = false;
  // Three IPs of one subnet, one slot each: the oldest has sent its first handshake bytes, the others are silent.
  ticketOf(gate.admit('127.1.0.1', () => evicted.push('speaking'), () => honestSpoke));
  honestSpoke = true;
  ticketOf(gate.admit('127.1.0.2', () => evicted.push('silent-1')));
  ticketOf(gate.admit('127.1.0.3', () => evicted.push('silent-2')));
  const spoke = (): boolean => true;
  ticketOf(gate.admit('127.2.0.1', noop, spoke));
  ticketOf(gate.admit('127.3.0.1', noop, spoke));
  // The oldest silent goes first, then the next, although the speaking one is older than both.
  assert.deepEqual(evicted, ['silent-1', 'silent-2']);
  // With no silent one left, the oldest goes: 127.1/16, 127.2/16 and 127.3/16 hold one each (all
  // speaking), so a fourth subnet evicts the oldest of them, 127.1.0.1.
  ticketOf(gate.admit('127.4.0.1', noop));
  assert.deepEqual(evicted, ['silent-1', 'silent-2', 'speaking']);
});

test('accept gate: failed attempts pace their IP; a refusal for pacing does not extend it', async () => {
  const clock = new ManualClock();
  const gate = new AcceptGate(options, clock);
  const t = ticketOf(gate.admit('127.0.0.2', noop));
  gate.release(t, 'failed');
  await clock.advance(50);
  assert.equal(gate.admit('127.0.0.2', noop).verdict, 'ip-too-soon');
  await clock.advance(49);
  assert.equal(gate.admit('127.0.0.2', noop).verdict, 'ip-too-soon');
  await clock.advance(1);
  const second = ticketOf(gate.admit('127.0.0.2', noop));
  gate.release(second, 'succeeded');
  // A successful handshake does not pace the next one.
  ticketOf(gate.admit('127.0.0.2', noop));
});

test('accept gate: the IP of a banned peer is refused before its handshake for the given time, others are not', async () => {
  const clock = new ManualClock();
  const gate = new AcceptGate(options, clock);
  gate.refuseFor('127.0.0.9', 60_000);
  assert.equal(gate.admit('127.0.0.9', noop).verdict, 'ip-banned');
  assert.equal(gate.admit('::ffff:127.0.0.9', noop).verdict, 'ip-banned', 'the same IP in its IPv6-mapped form');
  ticketOf(gate.admit('127.0.0.10', noop));
  await clock.advance(59_999);
  assert.equal(gate.admit('127.0.0.9', noop).verdict, 'ip-banned');
  await clock.advance(1);
  ticketOf(gate.admit('127.0.0.9', noop));
});

test('accept gate: handshake deadlines shrink from half occupancy to the floor', () => {
  const gate = new AcceptGate({ ...options, maxPendingHandshakes: 4, maxPendingPerIp: 4 }, new ManualClock());
  assert.equal(gate.deadlineMs(3000), 3000);
  ticketOf(gate.admit('127.0.0.2', noop));
  ticketOf(gate.admit('127.0.0.2', noop));
  assert.equal(gate.deadlineMs(3000), 3000);
  ticketOf(gate.admit('127.0.0.2', noop));
  assert.equal(gate.deadlineMs(3000), Math.round(3000 * (1 - 0.75 * 0.5)));
  ticketOf(gate.admit('127.0.0.2', noop));
  assert.equal(gate.deadlineMs(3000), 750);
});

test('accept gate: the pacing memory is bounded, least recently seen idle IP forgotten first', () => {
  const clock = new ManualClock();
  const gate = new AcceptGate({ ...options, maxPendingHandshakes: 100 }, clock);
  for (let i = 1; i <= 50; i++) gate.release(ticketOf(gate.admit(`10.0.0.${i}`, noop)), 'failed');
  assert.ok(gate.trackedIps <= options.maxTrackedIps);
  // The most recent failures are still remembered.
  assert.equal(gate.admit('10.0.0.50', noop).verdict, 'ip-too-soon');
  assert.equal(gate.admit('10.0.0.1', noop).verdict, 'ok');
});

test('accept gate (property): bounded state, pending never above the cap, and an unrepresented subnet always gets in', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('admit' as const), a: fc.integer({ min: 0, max: 5 }), b: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('release' as const), index: fc.nat(), failed: fc.boolean() }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 200 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
      let now = 0;
      const clock = { now: () => now, setTimer: () => ({ cancel: () => undefined }), sleep: () => Promise.resolve() };
      const gate = new AcceptGate({ ...options, maxPendingHandshakes: 6 }, clock);
      const live: PendingTicket[] = [];
      for (const o of ops) {
        if (o.kind === 'admit') {
          const d = gate.admit(`127.${o.a}.0.${o.b}`, noop);
          if (d.verdict === 'ok') live.push(d.ticket);
        } else if (o.kind === 'release' && live.length > 0) {
          const [t] = live.splice(o.index % live.length, 1);
          gate.release(t!, o.failed ? 'failed' : 'succeeded');
        } else if (o.kind === 'tick') {
          now += o.ms;
        }
        assert.ok(gate.pendingHandshakes <= 6);
        assert.ok(gate.trackedIps <= options.maxTrackedIps + 6);
      }
      // Subnet 127.200 holds nothing: its newcomer is never refused.
      assert.equal(gate.admit('127.200.0.1', noop).verdict, 'ok');
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 200) },
  );
});
