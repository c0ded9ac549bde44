// The accept gate: global and per-IP caps on handshakes in flight, per-IP pacing, bounded tracking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AcceptGate } from '../../../src/engine/router/accept-gate.ts';
import { ManualClock } from '../../../src/core/clock.ts';

const options = { maxPendingHandshakes: 3, maxPendingPerIp: 2, minIntervalPerIpMs: 100, maxTrackedIps: 3 };

test('caps handshakes in flight per IP and overall', () => {
  const gate = new AcceptGate(options, new ManualClock());
  assert.equal(gate.admit('127.0.0.2'), 'ok');
  assert.equal(gate.admit('127.0.0.2'), 'ok');
  assert.equal(gate.admit('127.0.0.2'), 'ip-pending-full');
  assert.equal(gate.admit('127.0.0.3'), 'ok');
  assert.equal(gate.admit('127.0.0.4'), 'pending-full');
  gate.release('127.0.0.3');
  assert.equal(gate.pendingHandshakes, 2);
});

test('a fresh attempt from an idle IP must wait the minimum interval', async () => {
  const clock = new ManualClock();
  const gate = new AcceptGate(options, clock);
  assert.equal(gate.admit('127.0.0.2'), 'ok');
  gate.release('127.0.0.2');
  await clock.advance(50);
  assert.equal(gate.admit('127.0.0.2'), 'ip-too-soon');
  await clock.advance(100);
  assert.equal(gate.admit('127.0.0.2'), 'ok');
});

test('the IP table is bounded and idle entries expire', async () => {
  const clock = new ManualClock();
  const gate = new AcceptGate({ ...options, maxPendingHandshakes: 100 }, clock);
  for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
    assert.equal(gate.admit(ip), 'ok');
    gate.release(ip);
  }
  assert.equal(gate.trackedIps, 3);
  assert.equal(gate.admit('127.0.0.5'), 'tracker-full');
  await clock.advance(200);
  assert.equal(gate.admit('127.0.0.5'), 'ok');
  assert.ok(gate.trackedIps <= 3);
});
