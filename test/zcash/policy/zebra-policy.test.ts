// ZebraPolicy: Zebra's MetaAddr update rules (pure), its admission filters, the state machine driven
// by the PeerManager's lifecycle, reconnection order and readiness, connection limits and one
// connection per IP, spaced dials, misbehaviour bans and the 5,000-entry cap.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerwireError } from '../../../src/core/errors.ts';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import { applyChange, readMeta, writeMeta, type MetaAddr } from '../../../src/zcash/policy/meta-addr.ts';
import { compareKeys, orderKey } from '../../../src/zcash/policy/reconnection-order.ts';
import { ZebraPeerErrorCode } from '../../../src/zcash/policy/errors.ts';
import { ZebraPolicy, zebraLocalNetworkProfile } from '../../../src/zcash/policy/zebra-policy.ts';
import { ZCASH_MAINNET } from '../../../src/zcash/index.ts';
import { acceptInbound, dialAndConnect, naddr, zaddr, zebraHarness, zinfo } from './zebra-fixtures.ts';

const T = 1_700_000_000_000;
const S = 1000;
const base: MetaAddr = { lastConnectionState: 'never-attempted', misbehaviorScore: 0, isInbound: false };

describe('MetaAddr update rules', () => {
  it('creates entries from gossip, truncating unknown service bits', () => {
    const m = applyChange(
      undefined,
      { kind: 'new-gossiped', services: 0x409n, untrustedLastSeen: T - 60 * S },
      T,
    );
    assert.equal(m?.lastConnectionState, 'never-attempted');
    assert.equal(m?.services, 1n);
    assert.equal(m?.untrustedLastSeen, T - 60 * S);
  });

  it('ignores a NeverAttempted change once the entry was attempted', () => {
    const attempted = applyChange(base, { kind: 'update-attempt' }, T)!;
    assert.equal(attempted.lastConnectionState, 'attempt-pending');
    const later = T + 600 * S;
    assert.equal(
      applyChange(attempted, { kind: 'new-gossiped', services: 1n, untrustedLastSeen: later }, later),
      undefined,
    );
    assert.equal(applyChange(attempted, { kind: 'new-initial' }, later), undefined);
  });

  it('keeps the first gossip (first writer wins) and only fills missing fields', () => {
    const first = applyChange(undefined, { kind: 'new-initial' }, T)!;
    const filled = applyChange(first, { kind: 'new-gossiped', services: 1n, untrustedLastSeen: T - S }, T)!;
    assert.equal(filled.services, 1n);
    assert.equal(filled.untrustedLastSeen, T - S);
    const second = applyChange(filled, { kind: 'new-gossiped', services: 0n, untrustedLastSeen: T }, T + S);
    assert.equal(second, undefined, 'a second gossip never overwrites the first');
  });

  it('ignores concurrent changes that do not move connection progress forward', () => {
    const failed = applyChange(
      { ...base, lastConnectionState: 'responded', lastResponse: T - 200 * S },
      { kind: 'update-failed' },
      T,
    )!;
    assert.equal(failed.lastConnectionState, 'failed');
    // A late "responded" within 5 s of the failure cannot overwrite it ...
    assert.equal(applyChange(failed, { kind: 'update-responded', rttMs: 30 }, T + 4 * S), undefined);
    // ... but one after the concurrency window can.
    const responded = applyChange(failed, { kind: 'update-responded', rttMs: 30 }, T + 6 * S)!;
    assert.equal(responded.lastConnectionState, 'responded');
    assert.equal(responded.rtt, 30);
    assert.equal(responded.lastFailure, T, 'times not provided by the change are kept');
  });

  it('applies concurrent changes that move progress forward', () => {
    const pending = applyChange(base, { kind: 'update-attempt' }, T)!;
    const failed = applyChange(pending, { kind: 'update-failed', services: 1n }, T + S)!;
    assert.equal(failed.lastConnectionState, 'failed');
    assert.equal(failed.lastAttempt, T);
    assert.equal(failed.lastFailure, T + S);
    assert.equal(failed.services, 1n);
  });

  it('ignores out-of-order changes that are not concurrent', () => {
    const future: MetaAddr = { ...base, lastConnectionState: 'responded', lastResponse: T + 60 * S };
    assert.equal(applyChange(future, { kind: 'update-failed' }, T), undefined);
    const nearFuture: MetaAddr = { ...base, lastConnectionState: 'attempt-pending', lastAttempt: T + 3 * S };
    assert.equal(applyChange(nearFuture, { kind: 'update-failed' }, T)?.lastConnectionState, 'failed');
  });

  it('lets misbehaviour bypass the ordering rules and add up, keeping the state', () => {
    const failed: MetaAddr = { ...base, lastConnectionState: 'failed', lastFailure: T };
    const m1 = applyChange(failed, { kind: 'update-misbehavior', score: 40 }, T + S)!;
    const m2 = applyChange(m1, { kind: 'update-misbehavior', score: 70 }, T + S)!;
    assert.equal(m2.misbehaviorScore, 110);
    assert.equal(m2.lastConnectionState, 'failed');
    assert.equal(applyChange(m2, { kind: 'update-misbehavior', score: 0 }, T), undefined);
  });

  it('merges the descriptive fields of a duplicate handshake report', () => {
    const connected = applyChange(base, { kind: 'update-connected', isInbound: false }, T)!;
    const described = applyChange(
      connected,
      {
        kind: 'update-connected',
        isInbound: false,
        userAgent: '/Zebra:6.3.0/',
        negotiatedVersion: 170140,
        services: 1n,
      },
      T + 100,
    )!;
    assert.equal(described.userAgent, '/Zebra:6.3.0/');
    assert.equal(described.negotiatedVersion, 170140);
    assert.equal(described.lastResponse, T, 'the duplicate does not move the response time');
  });

  it('round-trips through PeerRecord.policy and drops damaged fields', () => {
    const meta: MetaAddr = {
      lastConnectionState: 'responded',
      services: 1n,
      untrustedLastSeen: T - S,
      lastResponse: T,
      rtt: 42,
      misbehaviorScore: 3,
      isInbound: true,
      userAgent: '/x/',
      negotiatedVersion: 170140,
    };
    const fields: Record<string, unknown> = {};
    writeMeta(fields, meta);
    assert.deepEqual(JSON.parse(JSON.stringify(fields)), fields, 'JSON-serialisable');
    assert.deepEqual(readMeta(fields), meta);
    const damaged = readMeta({
      lastConnectionState: 'responded',
      services: 'x',
      lastResponse: -5,
      rtt: 'slow',
      userAgent: 7,
    });
    assert.deepEqual(damaged, { lastConnectionState: 'responded', misbehaviorScore: 0, isInbound: false });
    assert.equal(readMeta({ lastConnectionState: 'bogus' }), undefined);
  });
});

describe('ZebraPolicy admission and defaults', () => {
  it("has Zebra's default limits", () => {
    assert.deepEqual(new ZebraPolicy().limits, {
      maxConnected: 200,
      maxOutgoing: 75,
      maxIncoming: 125,
      maxConnectedUpgrade: 0,
      maxPeers: 5000,
      maxAddressesPerPeer: 1,
      minDialInterval: 100,
    });
    const small = new ZebraPolicy({ initialTargetSize: 10 });
    assert.equal(small.limits.maxOutgoing, 30);
    assert.equal(small.limits.maxIncoming, 50);
  });

  it("applies Zebra's valid-for-outbound and port rules", () => {
    const p = new ZebraPolicy({ network: ZCASH_MAINNET });
    const ok = (text: string): boolean => p.admitAddress(parseNodeAddress(text), undefined);
    assert.equal(ok('20.1.2.3:8233'), true);
    assert.equal(ok('20.1.2.3:18233'), true, 'the Testnet P2P port is not refused (docs/protocols/zcash.md §4.2)');
    assert.equal(ok('20.1.2.3:12345'), true);
    assert.equal(ok('127.0.0.1:8233'), true, 'Zebra accepts loopback and private addresses');
    for (const port of [8232, 18232, 18344, 8033, 18033, 16125, 26125])
      assert.equal(ok(`20.1.2.3:${port}`), false, `port ${port}`);
    assert.equal(ok('0.0.0.0:8233'), false);
    assert.equal(ok('[::]:8233'), false);
    assert.equal(ok('seed.example.org:8233'), false, 'names are resolved before they reach the book');
    assert.equal(ok(`${'ab'.repeat(20)}@20.1.2.3:8233`), false);
    assert.equal(ok('[::ffff:20.1.2.3]:8233'), false, 'non-canonical spelling');
    assert.equal(ok('[2001:DB8::1]:8233'), false, 'non-canonical spelling');
    assert.equal(ok('[2001:db8::1]:8233'), true);
  });

  it('refuses gossiped addresses without NODE_NETWORK, but not initial ones', () => {
    const p = new ZebraPolicy();
    const a = parseNodeAddress('20.1.2.3:8233');
    assert.equal(
      p.admitAddress(a, undefined, { kind: 'new-gossiped', services: 0n, untrustedLastSeen: T }),
      false,
    );
    assert.equal(
      p.admitAddress(a, undefined, { kind: 'new-gossiped', services: 1n, untrustedLastSeen: T }),
      true,
    );
    assert.equal(p.admitAddress(a, undefined, { kind: 'new-initial' }), true);
  });

  it('forgets the oldest banned IP beyond its cap', () => {
    const p = new ZebraPolicy({ maxBannedIps: 3 });
    for (const ip of ['20.0.0.1', '20.0.0.2', '20.0.0.3', '20.0.0.4']) p.banIp(ip, T);
    assert.equal(p.bannedIps.size, 3);
    assert.equal(p.isBanned('20.0.0.1'), false);
    assert.equal(p.isBanned('20.0.0.4'), true);
    assert.equal(p.admitAddress(parseNodeAddress('20.0.0.4:8233'), undefined), false);
  });
});

describe('ZebraPolicy over the PeerManager', () => {
  it('walks the PeerAddrState machine through the connection lifecycle', async () => {
    const h = await zebraHarness();
    const a = zaddr(1);
    assert.equal(h.book.addInitial([a]), 1);
    assert.equal(h.book.meta(a)?.lastConnectionState, 'never-attempted');
    const dialed = h.pm.dialNext();
    assert.equal(dialed?.host, '20.0.0.1');
    assert.equal(h.book.meta(a)?.lastConnectionState, 'attempt-pending');
    assert.equal(h.book.meta(a)?.lastAttempt, h.clock.now());
    await h.clock.advance(500);
    h.pm.dialed(dialed, { ...zinfo(a), wire: { services: 0x409n } });
    const connected = h.book.meta(a)!;
    assert.equal(connected.lastConnectionState, 'responded');
    assert.equal(connected.userAgent, '/Zebra:6.3.0/');
    assert.equal(connected.negotiatedVersion, 170140);
    assert.equal(connected.services, 1n);
    h.pm.ready(a, zinfo(a), 'outbound');
    await h.clock.advance(59_000);
    h.book.send({ kind: 'update-ping-sent', addr: a, at: h.clock.now() });
    await h.clock.advance(10_000);
    h.book.send({ kind: 'update-responded', addr: a, rttMs: 120 });
    h.book.drain();
    assert.equal(h.book.meta(a)?.rtt, 120);
    assert.equal(h.book.meta(a)?.lastResponse, h.clock.now());
    await h.clock.advance(30_000);
    h.pm.disconnected(a);
    assert.equal(h.book.meta(a)?.lastConnectionState, 'failed');
    assert.equal(h.book.meta(a)?.lastFailure, h.clock.now());
    // A failed dial of another peer.
    h.book.addInitial([zaddr(2)]);
    const second = h.pm.dialNext();
    h.pm.dialFailed(second!);
    assert.equal(h.book.meta(zaddr(2))?.lastConnectionState, 'failed');
  });

  it('orders reconnection candidates as Zebra does', () => {
    const n = ZCASH_MAINNET;
    const s = (ip: string, port = 8233): { ip: string; port: number } => ({ ip, port });
    const responded: MetaAddr = { ...base, lastConnectionState: 'responded', lastResponse: T };
    const failed: MetaAddr = { ...base, lastConnectionState: 'failed', lastFailure: T };
    const pending: MetaAddr = { ...base, lastConnectionState: 'attempt-pending', lastAttempt: T };
    const keys = [
      orderKey(s('20.0.0.4'), pending, n),
      orderKey(s('20.0.0.3'), failed, n),
      orderKey(s('20.0.0.2'), { ...base, untrustedLastSeen: T - 1000 }, n),
      orderKey(s('20.0.0.5'), { ...base, untrustedLastSeen: T }, n),
      orderKey(s('20.0.0.1'), responded, n),
      orderKey(s('20.0.0.6', 9999), responded, n),
    ];
    const sorted = [...keys].sort(compareKeys).map((k) => `${k.ip.slice(-8)}:${k.socketPort}`);
    assert.deepEqual(sorted, [
      '14000001:8233', // Responded, default port
      '14000006:9999', // Responded, other port
      '14000005:8233', // NeverAttempted, newest last-seen
      '14000002:8233',
      '14000003:8233', // Failed
      '14000004:8233', // AttemptPending
    ]);
    // Older attempts first, then IP bytes as the last tie-break.
    const a = orderKey(s('20.0.0.9'), { ...failed, lastAttempt: T - 10 }, n);
    const b = orderKey(s('20.0.0.1'), { ...failed, lastAttempt: T }, n);
    assert.ok(compareKeys(a, b) < 0);
    assert.ok(compareKeys(orderKey(s('20.0.0.1'), failed, n), orderKey(s('20.0.0.2'), failed, n)) < 0);
  });

  it('dials gossip with the newest last-seen first and spaces dials by 100 ms', async () => {
    const h = await zebraHarness();
    const now = h.nowSeconds();
    h.book.addGossiped([
      { addr: zaddr(1), services: 1n, untrustedLastSeen: now - 3000 },
      { addr: zaddr(2), services: 1n, untrustedLastSeen: now - 10 },
      { addr: zaddr(3), services: 1n, untrustedLastSeen: now - 500 },
    ]);
    assert.equal(h.pm.dialNext()?.host, '20.0.0.2');
    assert.equal(h.pm.dialNext(), undefined, 'the next dial waits for the 100 ms spacing');
    assert.equal(h.pm.nextDialTime(), h.clock.now() + 100);
    await h.clock.advance(100);
    assert.equal(h.pm.dialNext()?.host, '20.0.0.3');
    await h.clock.advance(100);
    assert.equal(h.pm.dialNext()?.host, '20.0.0.1');
  });

  it('waits 119 s after a failure and gives up on Failed peers unseen for 3 days', async () => {
    const h = await zebraHarness();
    h.book.addGossiped([{ addr: zaddr(1), services: 1n, untrustedLastSeen: h.nowSeconds() - 60 }]);
    h.pm.dialFailed(h.pm.dialNext()!);
    assert.equal(h.pm.dialNext(), undefined);
    const next = h.pm.nextDialTime();
    assert.ok(
      next !== undefined && next - h.clock.now() >= 119_000,
      `next dial at +${(next ?? 0) - h.clock.now()} ms`,
    );
    await h.clock.advance(119_000);
    assert.equal(h.pm.dialNext()?.host, '20.0.0.1');
    h.pm.dialFailed(naddr(zaddr(1)));
    await h.clock.advance(3 * 24 * 3600_000);
    assert.equal(h.pm.dialNext(), undefined, 'probably unreachable: Failed and not seen for 3 days');
    assert.equal(h.pm.nextDialTime(), undefined);
  });

  it('keeps one connection per IP: no second port dialed, a second connection refused', async () => {
    const h = await zebraHarness();
    const now = h.nowSeconds();
    h.book.addGossiped([
      { addr: '20.9.9.9:8233', services: 1n, untrustedLastSeen: now },
      { addr: '20.9.9.9:9000', services: 1n, untrustedLastSeen: now - 1 },
    ]);
    dialAndConnect(h, '20.9.9.9:8233');
    await h.clock.advance(200);
    assert.equal(h.pm.dialNext(), undefined, 'the other port of a connected IP is not dialed');
    // Disconnected, the IP still responded within 119 s: its other port waits.
    h.pm.disconnected('20.9.9.9:8233');
    await h.clock.advance(60_000);
    assert.equal(h.pm.dialNext(), undefined);
    await h.clock.advance(60_000);
    assert.equal(h.pm.dialNext()?.port, 9000);
    // An inbound connection from an IP we are connected to is refused; the old one stays.
    const h2 = await zebraHarness();
    h2.book.addInitial(['20.8.8.8:8233']);
    dialAndConnect(h2, '20.8.8.8:8233');
    assert.throws(
      () => h2.pm.accepted('20.8.8.8:51000', zinfo('20.8.8.8:51000')),
      (e: unknown) => e instanceof PeerwireError && e.code === ZebraPeerErrorCode.IpLimit,
    );
    assert.equal(h2.pm.stats().connected, 1);
    // The local-network profile allows several peers per IP.
    const h3 = await zebraHarness({ policy: zebraLocalNetworkProfile });
    h3.book.addInitial(['127.0.0.1:8233', '127.0.0.1:8234']);
    dialAndConnect(h3);
    await h3.clock.advance(100);
    dialAndConnect(h3);
    acceptInbound(h3, '127.0.0.1:50000');
    assert.equal(h3.pm.stats().connected, 3);
  });

  it('enforces the inbound and outbound limits without replacing anyone', async () => {
    const h = await zebraHarness({ policy: { initialTargetSize: 1 } });
    assert.deepEqual([h.policy.limits.maxOutgoing, h.policy.limits.maxIncoming], [3, 5]);
    for (let i = 0; i < 5; i++) acceptInbound(h, zaddr(100 + i, 40000 + i));
    assert.throws(() => h.pm.accepted(zaddr(200, 40000), zinfo(zaddr(200, 40000))), /no inbound slot/);
    h.book.addInitial([zaddr(1), zaddr(2), zaddr(3), zaddr(4)]);
    for (let i = 0; i < 3; i++) {
      dialAndConnect(h);
      await h.clock.advance(100);
    }
    assert.equal(h.pm.dialNext(), undefined, 'outbound limit reached');
    assert.equal(h.pm.stats().outbound, 3);
    assert.equal(h.pm.evictNext(), undefined);
  });

  it('bans the IP at a misbehaviour score of 100: entries removed, connection evicted, re-entry refused', async () => {
    const h = await zebraHarness();
    const a = '20.7.7.7:8233';
    h.book.addInitial([a]);
    dialAndConnect(h, a);
    h.book.addInitial(['20.7.7.7:9001', zaddr(1)]);
    h.book.send({ kind: 'update-misbehavior', addr: a, score: 60 });
    h.book.drain();
    assert.equal(h.policy.isBanned('20.7.7.7'), false);
    h.book.send({ kind: 'update-misbehavior', addr: a, score: 50 });
    h.book.drain();
    assert.equal(h.policy.isBanned('20.7.7.7'), true);
    assert.equal(h.pm.peer('20.7.7.7:9001'), undefined, 'other entries of the IP are removed');
    assert.ok(h.pm.peer(zaddr(1)) !== undefined);
    assert.equal(h.pm.evictNext(), a, 'the connected peer is disconnected');
    h.pm.disconnected(a);
    assert.equal(
      h.book.addGossiped([{ addr: '20.7.7.7:9002', services: 1n, untrustedLastSeen: h.nowSeconds() }]),
      0,
    );
    assert.throws(
      () => h.pm.accepted('20.7.7.7:50000', zinfo('20.7.7.7:50000')),
      (e: unknown) => e instanceof PeerwireError && e.code === ZebraPeerErrorCode.IpBanned,
    );
    // A misbehaving address we do not even store still gets its IP banned.
    h.book.send({ kind: 'update-misbehavior', addr: '20.6.6.6:8233', score: 100 });
    h.book.drain();
    assert.equal(h.policy.isBanned('20.6.6.6'), true);
  });

  it('holds at most 5,000 entries under a flood, evicting the entry that sorts last', async () => {
    const h = await zebraHarness();
    const now = h.nowSeconds();
    const batch = (from: number, to: number, age: (i: number) => number): void => {
      for (let i = from; i < to; i += 37) {
        const entries = [];
        for (let j = i; j < Math.min(to, i + 37); j++)
          entries.push({ addr: zaddr(j), services: 1n, untrustedLastSeen: now - age(j) });
        h.book.addGossiped(entries);
      }
    };
    batch(0, 5000, (i) => 10 + i);
    assert.equal(h.book.size, 5000);
    // Connected peers are protected whatever their order.
    dialAndConnect(h, zaddr(0));
    batch(5000, 6000, () => 1);
    assert.equal(h.book.size, 5000);
    assert.ok(h.book.meta(zaddr(0)) !== undefined);
    assert.ok(h.book.meta(zaddr(5999)) !== undefined, 'fresh gossip kept');
    assert.equal(h.book.meta(zaddr(4999)), undefined, 'the oldest last-seen went first');
    assert.equal(h.book.meta(zaddr(4000)), undefined);
    assert.ok(h.book.meta(zaddr(3998)) !== undefined);
  });
});
