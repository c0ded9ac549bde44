// Inbound admission as the router applies it: overload shedding spares a newcomer whose subnet holds no
// pending handshake, refusals close with a shared typed error and are counted by reason, an evicted
// pending connection is closed, and under a refusal hold both are closed quietly (held a while).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { ErrorCode, type PeerwireError } from '../../../src/core/errors.ts';
import { noopMetrics } from '../../../src/core/metrics.ts';
import { InboundAdmission } from '../../../src/engine/router/inbound-admission.ts';
import { SimMetrics } from '../../../src/sim/sim-metrics.ts';
import { DEFAULT_ROUTER_OPTIONS } from '../../../src/engine/router/router-options.ts';
import type { Connection } from '../../../src/transport/types.ts';

interface FakeConnection {
  readonly conn: Connection;
  readonly closedWith: () => PeerwireError | undefined;
  /** The hold the first close asked for (undefined: none). */
  readonly heldFor: () => number | undefined;
}

function fakeConnection(host: string): FakeConnection {
  let reason: PeerwireError | undefined;
  let hold: number | undefined;
  let closes = 0;
  const conn = {
    remoteEndpoint: { protocol: 'tcp', host, port: 26656 },
    heardFrom: false,
    close: (error?: PeerwireError, holdMs?: number) => {
      if (closes++ > 0) return;
      reason = error;
      hold = holdMs;
    },
  } as unknown as Connection;
  return { conn, closedWith: () => reason, heldFor: () => hold };
}

test('inbound admission: under full load a newcomer subnet is never shed; a represented one is', async () => {
  const clock = new ManualClock();
  const admission = new InboundAdmission({
    options: { ...DEFAULT_ROUTER_OPTIONS, overloadThreshold: 0.5, maxPendingHandshakes: 4 },
    clock,
    metrics: noopMetrics,
    loadProbe: () => 1,
    random: () => 0, // every shedding decision drops
  });
  assert.ok(admission.admit(fakeConnection('127.1.0.1').conn));
  // The first shedding decision only starts the load interval; from the next second on the load is full.
  assert.ok(admission.admit(fakeConnection('127.1.0.2').conn));
  await clock.advance(1_000);
  const attacker = fakeConnection('127.1.0.3');
  assert.equal(admission.admit(attacker.conn), undefined);
  assert.equal(attacker.closedWith()?.code, ErrorCode.Rejected);
  const second = fakeConnection('127.1.0.4');
  assert.equal(admission.admit(second.conn), undefined);
  assert.equal(second.closedWith(), attacker.closedWith(), 'one shared error per refusal reason');
  // 127.2/16 holds no pending handshake: it is let through whatever the load.
  const newcomer = fakeConnection('127.2.0.1');
  const admitted = admission.admit(newcomer.conn);
  assert.ok(admitted);
  assert.equal(newcomer.closedWith(), undefined);
  assert.equal(admission.gate.pendingHandshakes, 3);
});

test('inbound admission: an evicted pending connection is closed with a typed error', () => {
  const admission = new InboundAdmission({
    options: { ...DEFAULT_ROUTER_OPTIONS, maxPendingHandshakes: 1 },
    clock: new ManualClock(),
    metrics: noopMetrics,
  });
  const silent = fakeConnection('127.1.0.1');
  assert.ok(admission.admit(silent.conn));
  assert.ok(admission.admit(fakeConnection('127.2.0.1').conn));
  assert.equal(silent.closedWith()?.code, ErrorCode.Rejected);
});

test('inbound admission: with a refusal hold, refused and evicted sockets are held, at most maxHeldRefusals at once', () => {
  const admission = new InboundAdmission({
    options: { ...DEFAULT_ROUTER_OPTIONS, maxPendingHandshakes: 1, maxPendingHandshakesPerIp: 1, refusalHoldMs: 1_000, maxHeldRefusals: 2 },
    clock: new ManualClock(),
    metrics: noopMetrics,
    random: () => 0.5,
  });
  const first = fakeConnection('127.1.0.1');
  assert.ok(admission.admit(first.conn));
  // Same IP, its one pending slot taken: refused and held 750 ms (between 500 and 1,000).
  const refused = fakeConnection('127.1.0.1');
  assert.equal(admission.admit(refused.conn), undefined);
  assert.equal(refused.closedWith()?.code, ErrorCode.Rejected);
  assert.equal(refused.heldFor(), 750);
  // A newcomer subnet evicts the pending one, which is held too.
  assert.ok(admission.admit(fakeConnection('127.2.0.1').conn));
  assert.equal(first.closedWith()?.code, ErrorCode.Rejected);
  assert.equal(first.heldFor(), 750);
  assert.equal(admission.heldRefusals, 2);
  // The bound is reached: the next refusal closes at once.
  const third = fakeConnection('127.2.0.1');
  assert.equal(admission.admit(third.conn), undefined);
  assert.equal(third.heldFor(), 0);
});

test('inbound admission: without a refusal hold (embedded routers, the default) refusals close at once', () => {
  const admission = new InboundAdmission({
    options: { ...DEFAULT_ROUTER_OPTIONS, maxPendingHandshakesPerIp: 1 },
    clock: new ManualClock(),
    metrics: noopMetrics,
  });
  assert.ok(admission.admit(fakeConnection('127.1.0.1').conn));
  const refused = fakeConnection('127.1.0.1');
  assert.equal(admission.admit(refused.conn), undefined);
  assert.equal(refused.heldFor(), 0);
});

test('inbound admission: a peer refused or leaving banned gets its IP refused before any handshake, counted as ip-banned', async () => {
  const clock = new ManualClock();
  const metrics = new SimMetrics();
  const admission = new InboundAdmission({
    options: { ...DEFAULT_ROUTER_OPTIONS, bannedIpRefusalMs: 60_000 },
    clock,
    metrics,
    loadProbe: () => 0,
    random: () => 0,
  });
  const refusedBanned = (): number => metrics.snapshot()['peerwire_router_inbound_refused_total']?.['reason=ip-banned'] ?? 0;
  // Refused at admission because the peer manager knows its id as banned.
  const first = fakeConnection('127.5.0.1');
  assert.ok(admission.admit(first.conn));
  assert.throws(() =>
    admission.claimIp(first.conn, false, () => {
      throw new Error('banned id');
    }, () => true),
  );
  const again = fakeConnection('127.5.0.1');
  assert.equal(admission.admit(again.conn), undefined);
  assert.equal(refusedBanned(), 1);
  // A connected peer that leaves banned: the same.
  const second = fakeConnection('127.5.0.2');
  assert.ok(admission.admit(second.conn));
  admission.ended(second.conn, true);
  assert.equal(admission.admit(fakeConnection('127.5.0.2').conn), undefined);
  // One that leaves unbanned, or another IP, is not refused.
  const third = fakeConnection('127.5.0.3');
  assert.ok(admission.admit(third.conn));
  admission.ended(third.conn, false);
  assert.ok(admission.admit(fakeConnection('127.5.0.3').conn));
  assert.equal(refusedBanned(), 2);
  await clock.advance(60_000);
  assert.ok(admission.admit(fakeConnection('127.5.0.1').conn), 'admitted again once the time is up');
});

test('inbound admission: without bannedIpRefusalMs (embedded routers) a ban does not touch the IP', () => {
  const admission = new InboundAdmission({ options: DEFAULT_ROUTER_OPTIONS, clock: new ManualClock(), metrics: noopMetrics, loadProbe: () => 0, random: () => 0 });
  const conn = fakeConnection('127.6.0.1');
  assert.ok(admission.admit(conn.conn));
  admission.ended(conn.conn, true);
  assert.ok(admission.admit(fakeConnection('127.6.0.1').conn));
});
