// Properties of Zebra's address book over the PeerManager under random sequences of gossip, dials,
// handshakes, disconnections, inbound connections, misbehaviour reports and time: the book never
// exceeds its cap, banned IPs are never dialed, admitted or gossiped (and their entries go once idle),
// inbound-learned and misbehaving addresses never appear in sanitized gossip, connection limits and
// one connection per IP always hold. The 5,000-entry cap itself is exercised by the flood test in
// zebra-policy.test.ts; here a small cap makes eviction happen in every run.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flushMicrotasks } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import { disconnectOne, settleDial, zebraHarness, zinfo, type ZebraHarness } from './zebra-fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const CAP = 40;

const ipArb = fc.integer({ min: 0, max: 30 }).map((n) => `20.0.0.${n}`);
const portArb = fc.constantFrom(8233, 8233, 9000, 8232);
const op = fc.oneof(
  fc.record({
    kind: fc.constant('gossip' as const),
    entries: fc.array(
      fc.record({
        ip: ipArb,
        port: portArb,
        services: fc.constantFrom(0n, 1n, 0x409n),
        age: fc.integer({ min: -7200, max: 5 * 86400 }),
      }),
      { maxLength: 37, size: 'max' },
    ),
  }),
  fc.record({ kind: fc.constant('dial' as const), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('disconnect' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('inbound' as const),
    ip: ipArb,
    port: fc.integer({ min: 40000, max: 60000 }),
  }),
  fc.record({
    kind: fc.constant('misbehave' as const),
    pick: fc.nat(),
    score: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200_000 }) }),
);

function ipOf(id: string): string {
  return id.slice(0, id.lastIndexOf(':'));
}

function check(h: ZebraHarness, inboundIds: ReadonlySet<string>): void {
  const stats = h.pm.stats();
  const limits = h.policy.limits;
  assert.ok(stats.stored <= CAP, `book holds ${stats.stored} > ${CAP}`);
  assert.ok(stats.inbound <= limits.maxIncoming && stats.outbound <= limits.maxOutgoing);
  const connectedIps = new Map<string, number>();
  for (const p of h.pm.peers()) {
    const ip = ipOf(p.id);
    if (p.direction !== undefined) connectedIps.set(ip, (connectedIps.get(ip) ?? 0) + 1);
  }
  for (const [ip, n] of connectedIps) assert.ok(n <= 1, `${n} connections with ${ip}`);
  for (const e of h.book.sanitized()) {
    assert.ok(!h.policy.isBanned(e.ip), `banned ${e.ip} gossiped`);
    assert.ok(!inboundIds.has(e.addr), `inbound-learned ${e.addr} gossiped`);
    assert.equal((h.book.meta(e.addr)?.misbehaviorScore ?? 0) === 0, true);
    assert.notEqual(e.port, 8232);
  }
}

describe('Zebra address book properties', () => {
  it('keeps every invariant under random event sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 1000 }),
        async (ops, seed) => {
          const h = await zebraHarness({ policy: { initialTargetSize: 2, maxAddresses: CAP }, seed });
          const inboundIds = new Set<string>();
          for (const o of ops) {
            switch (o.kind) {
              case 'gossip': {
                const now = h.nowSeconds();
                h.book.addGossiped(
                  o.entries.map((e) => ({
                    addr: `${e.ip}:${e.port}`,
                    services: e.services,
                    untrustedLastSeen: now - e.age,
                  })),
                );
                break;
              }
              case 'dial': {
                const address = h.pm.dialNext();
                if (address === undefined) break;
                assert.ok(!h.policy.isBanned(address.host), 'a banned IP was dialed');
                const id = `${address.host}:${address.port}`;
                settleDial(h, address, id, o.ok);
                break;
              }
              case 'disconnect':
                disconnectOne(h, o.pick);
                break;
              case 'inbound': {
                const id = `${o.ip}:${o.port}`;
                try {
                  h.pm.accepted(id, zinfo(id));
                  h.pm.ready(id, zinfo(id), 'inbound');
                  inboundIds.add(id);
                  h.book.send({
                    kind: 'update-connected',
                    addr: id,
                    services: 1n,
                    isInbound: true,
                    userAgent: '/x/',
                    negotiatedVersion: 170140,
                  });
                } catch (error) {
                  assert.ok(error instanceof PeerwireError);
                  assert.ok(
                    !h.policy.isBanned(o.ip) ||
                      error.code === 'ERR_PEERS_IP_BANNED' ||
                      error.code === 'ERR_PEERS_BANNED',
                  );
                }
                break;
              }
              case 'misbehave': {
                const peers = h.pm.peers();
                const target = peers[o.pick % Math.max(1, peers.length)];
                if (target !== undefined)
                  h.book.send({ kind: 'update-misbehavior', addr: target.id, score: o.score });
                break;
              }
              case 'advance':
                await h.clock.advance(o.ms);
                break;
            }
            h.book.drain();
            for (let id = h.pm.evictNext(); id !== undefined; id = h.pm.evictNext()) h.pm.disconnected(id);
            await flushMicrotasks();
            check(h, inboundIds);
          }
          // Once idle, no entry of a banned IP is left.
          for (const p of h.pm.peers()) if (p.direction !== undefined) h.pm.disconnected(p.id);
          await flushMicrotasks();
          h.book.drain();
          for (const p of h.pm.peers())
            assert.ok(!h.policy.isBanned(ipOf(p.id)), `banned ${p.id} still stored`);
          h.book.stop();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
