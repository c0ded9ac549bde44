// Zebra's handshake (docs/protocols/zcash.md §3) against a scripted raw peer over a memory link: the table of what is
// accepted, ignored and refused, what our version reveals, and the shared pieces (nonce set,
// ConnectedAddr rules, bounded metric labels).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { PromMetrics } from '../../../src/core/prom-metrics.ts';
import { MemoryNetwork } from '../../../src/transport/memory-network.ts';
import { memoryEndpoint, tcpEndpoint } from '../../../src/transport/endpoint.ts';
import { ZcashErrorCode } from '../../../src/zcash/encoding/errors.ts';
import { writeFrameHeader } from '../../../src/zcash/wire/frame-header.ts';
import { sha256d } from '../../../src/zcash/encoding/hashes.ts';
import type { VersionMessage } from '../../../src/zcash/wire/messages.ts';
import { zcashRegtest, ZCASH_REGTEST } from '../../../src/zcash/params/network-params.ts';
import { fixedChainTip } from '../../../src/zcash/handshake/chain-tip.ts';
import {
  addressBookAddr,
  alternateAddrs,
  ConnectedAddrs,
  formatPeerAddr,
  transientAddr,
} from '../../../src/zcash/handshake/connected-addr.ts';
import { userAgentLabel, versionLabel } from '../../../src/zcash/handshake/handshake-metrics.ts';
import { NonceSet } from '../../../src/zcash/handshake/nonce-set.ts';
import { ZcashPeerErrorCode } from '../../../src/zcash/handshake/peer-errors.ts';
import { roundedVersionTimestamp } from '../../../src/zcash/handshake/version-negotiation.ts';
import { Handshake } from '../../../src/zcash/handshake/handshake.ts';
import type { ZcashPeerWire } from '../../../src/zcash/connection/zcash-connection.ts';
import { zcashMemoryTransport } from '../../../src/zcash/connection/transport.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { handshakeWith, LONG_MS, localNode, makePair, peerVersion, type Pair } from './connection-harness.ts';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PeerwireError, `expected a PeerwireError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

function startHandshake(pair: Pair): Promise<unknown> {
  const p = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
  p.catch(() => undefined);
  return p;
}

interface LogLine {
  level: string;
  fields: Record<string, unknown> | undefined;
  message: string | undefined;
}

function recordingLogger(lines: LogLine[]): Logger {
  const make =
    (level: string) =>
    (a: string | Record<string, unknown>, b?: string): void => {
      if (typeof a === 'string') lines.push({ level, fields: undefined, message: a });
      else lines.push({ level, fields: a, message: b });
    };
  const logger: Logger = {
    trace: make('trace'),
    debug: make('debug'),
    info: make('info'),
    warn: make('warn'),
    error: make('error'),
    child: () => logger,
  };
  return logger;
}

describe('zcash handshake', () => {
  it('sends our version first, rounded timestamp and our addresses, then negotiates min(ours, theirs)', async () => {
    const clock = new ManualClock(1_704_067_200_000 + 299_999);
    const pair = await makePair({ clock, config: { listenAddr: { ip: '127.0.0.1', port: 28233 } } });
    try {
      const info = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
      const ours = (await pair.raw.next('version')) as VersionMessage;
      assert.equal(ours.version, 170160);
      assert.equal(ours.timestamp, 1_704_067_200, 'rounded down to 5 minutes');
      assert.equal(ours.services, 1n);
      assert.deepEqual({ ip: ours.addrFrom.ip, port: ours.addrFrom.port }, { ip: '127.0.0.1', port: 28233 });
      assert.equal(ours.addrRecv.services, 1n);
      assert.equal(ours.userAgent, '/peerwire:test/');
      assert.equal(ours.relay, false);
      pair.raw.send(peerVersion({ version: 170180 }));
      await pair.raw.next('verack');
      pair.raw.send({ command: 'verack' });
      const peer = await info;
      assert.equal(peer.protocolVersion, '170160');
      assert.equal(peer.id, 'memory:them');
      assert.equal(peer.network, 'zcash-regtest');
      assert.equal(peer.userAgent, '/Zebra:6.3.0/');
      const wire = peer.wire as ZcashPeerWire;
      assert.equal(wire.negotiatedVersion, 170160);
      assert.equal(wire.services, 1n);
      assert.equal(wire.connectedAddr.kind, 'outbound-direct');
      assert.deepEqual(pair.book.changes, [
        {
          kind: 'update-connected',
          addr: 'memory:them',
          services: 1n,
          isInbound: false,
          userAgent: '/Zebra:6.3.0/',
          negotiatedVersion: 170160,
        },
      ]);
    } finally {
      await pair.close();
    }
  });

  it('negotiates the remote version when it is lower, and truncates unknown service bits', async () => {
    const pair = await makePair();
    try {
      const info = await handshakeWith(pair, peerVersion({ version: 170150, services: 0x409n }));
      assert.equal(info.protocolVersion, '170150');
      assert.equal((info.wire as ZcashPeerWire).services, 1n);
      assert.equal(pair.conn.protocolVersion, 170150);
    } finally {
      await pair.close();
    }
  });

  it('waits for the dialer on inbound connections, answers its version with ours, and marks the peer inbound', async () => {
    const pair = await makePair({ direction: 'inbound' });
    try {
      const done = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
      // An outbound connection writes its version within the same turn (the link flushes on the next
      // tick); an accepting one has written nothing after several turns, while the peer is silent.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(pair.raw.count('version'), 0);
      pair.raw.send(peerVersion());
      await pair.raw.next('version');
      await pair.raw.next('verack');
      pair.raw.send({ command: 'verack' });
      await done;
      const connected = pair.book.changes[0];
      assert.equal(connected?.kind, 'update-connected');
      assert.equal(connected.kind === 'update-connected' && connected.isInbound, true);
    } finally {
      await pair.close();
    }
  });

  it('refuses a peer that echoes our nonce (self-connection)', async () => {
    const pair = await makePair();
    try {
      const done = startHandshake(pair);
      const ours = (await pair.raw.next('version')) as VersionMessage;
      pair.raw.send(peerVersion({ nonce: ours.nonce }));
      await expectCode(done, ZcashPeerErrorCode.SelfConnection);
      assert.equal(pair.raw.count('verack'), 0);
      assert.deepEqual(pair.book.changes, []);
    } finally {
      await pair.close();
    }
  });

  it('detects a dial to ourselves through the shared nonce set', async () => {
    const before = handleCounts();
    const net = new MemoryNetwork();
    const handshake = Handshake.builder().withConfig({ network: ZCASH_REGTEST }).finish();
    const transport = zcashMemoryTransport(net, { handshake, name: 'self' });
    try {
      await transport.listen(memoryEndpoint('self'));
      const signal = AbortSignal.timeout(LONG_MS);
      const [outbound, inbound] = await Promise.all([
        transport.dial(memoryEndpoint('self'), signal),
        transport.accept(signal),
      ]);
      const results = await Promise.allSettled([
        outbound.handshake(localNode('a'), signal),
        inbound.handshake(localNode('b'), signal),
      ]);
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as PeerwireError).code : 'ok'));
      assert.ok(codes.includes(ZcashPeerErrorCode.SelfConnection), `codes: ${codes.join(', ')}`);
      assert.ok(!codes.includes('ok'));
    } finally {
      await transport.close();
    }
    await waitForHandlesAtMost(before);
  });

  it('refuses a duplicate local nonce with a typed error', () => {
    const handshake = Handshake.builder().withConfig({ network: ZCASH_REGTEST }).finish();
    handshake.negotiation(ConnectedAddrs.isolated(), silentLogger, 42n);
    assert.throws(
      () => handshake.negotiation(ConnectedAddrs.isolated(), silentLogger, 42n),
      (error: unknown) => error instanceof PeerwireError && error.code === ZcashPeerErrorCode.DuplicateNonce,
    );
  });

  it('refuses an obsolete version for the chain tip (ObsoleteVersion), counting it', async () => {
    const metrics = new PromMetrics();
    const pair = await makePair({ build: (b) => b.withMetrics(metrics) });
    try {
      const done = startHandshake(pair);
      await pair.raw.next('version');
      pair.raw.send(peerVersion({ version: 170140, userAgent: '/evil:1.0/\u{1F600}' }));
      await expectCode(done, ZcashPeerErrorCode.ObsoleteVersion);
      const text = await metrics.text();
      assert.match(
        text,
        /peerwire_zcash_handshakes_total\{result="obsolete",remote_version="170140",user_agent="other"\} 1/,
      );
      assert.doesNotMatch(text, /evil|127\.0\.0/);
    } finally {
      await pair.close();
    }
  });

  it('raises the minimum version when the tip reaches a later upgrade', async () => {
    const network = zcashRegtest({ activationHeights: { 'NU6.2': 5, 'NU6.3': 10 } });
    const early = await makePair({ network, build: (b) => b.withLatestChainTip(fixedChainTip(9)) });
    try {
      await handshakeWith(early, peerVersion({ version: 170150 }));
    } finally {
      await early.close();
    }
    const late = await makePair({ network, build: (b) => b.withLatestChainTip(fixedChainTip(10)) });
    try {
      const done = startHandshake(late);
      const ours = (await late.raw.next('version')) as VersionMessage;
      assert.equal(ours.startHeight, 10);
      late.raw.send(peerVersion({ version: 170150 }));
      await expectCode(done, ZcashPeerErrorCode.ObsoleteVersion);
    } finally {
      await late.close();
    }
  });

  it('ignores anything but version before version, including an early verack (which is then lost)', async () => {
    const pair = await makePair({ config: { handshakeTimeoutMs: 300 } });
    try {
      const done = startHandshake(pair);
      await pair.raw.next('version');
      pair.raw.send({ command: 'ping', nonce: 7n });
      pair.raw.send({ command: 'verack' });
      pair.raw.send({ command: 'getaddr' });
      pair.raw.send(peerVersion());
      await pair.raw.next('verack');
      // Zebra discarded the early verack and now waits for another one: the deadline ends it.
      await expectCode(done, ZcashPeerErrorCode.HandshakeTimeout);
      assert.equal(pair.raw.count('pong'), 0, 'no pong before the handshake');
    } finally {
      await pair.close();
    }
  });

  it('ignores anything but verack before verack', async () => {
    const pair = await makePair();
    try {
      const done = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
      await pair.raw.next('version');
      pair.raw.send(peerVersion());
      await pair.raw.next('verack');
      pair.raw.send({ command: 'ping', nonce: 9n });
      pair.raw.send({ command: 'inv', items: [{ type: 'block', hash: new Uint8Array(32).fill(1) }] });
      pair.raw.send({ command: 'addr', addrs: [{ time: 1, services: 1n, ip: '10.0.0.1', port: 8233 }] });
      pair.raw.send({ command: 'verack' });
      await done;
      assert.deepEqual(pair.inventory.changes, []);
      assert.equal(pair.raw.count('pong'), 0);
      const cached = pair.conn.addressCache.take(100).map((a) => a.ip);
      assert.ok(!cached.includes('10.0.0.1'));
    } finally {
      await pair.close();
    }
  });

  it('times out a silent peer', async () => {
    const pair = await makePair({ config: { handshakeTimeoutMs: 200 } });
    try {
      await expectCode(startHandshake(pair), ZcashPeerErrorCode.HandshakeTimeout);
      assert.equal(await pair.conn.closed.then((e) => e?.code), ZcashPeerErrorCode.HandshakeTimeout);
    } finally {
      await pair.close();
    }
  });

  it('times out on the injected clock', async () => {
    const clock = new ManualClock();
    const pair = await makePair({ clock });
    try {
      const done = startHandshake(pair);
      await pair.raw.next('version');
      await clock.advance(2_999);
      assert.equal(pair.raw.ended, false);
      await clock.advance(1);
      await expectCode(done, ZcashPeerErrorCode.HandshakeTimeout);
    } finally {
      await pair.close();
    }
  });

  it('accepts a 1024-byte pre-handshake body and refuses 1025 bytes from the header alone', async () => {
    const pair = await makePair();
    try {
      const done = startHandshake(pair);
      await pair.raw.next('version');
      const body = new Uint8Array(1024);
      const frame = new Uint8Array(24 + body.length);
      writeFrameHeader(frame, 0, ZCASH_REGTEST.magic, 'sendcmpct', body.length, sha256d(body));
      frame.set(body, 24);
      pair.raw.sendRaw(frame);
      const header = new Uint8Array(24);
      writeFrameHeader(header, 0, ZCASH_REGTEST.magic, 'addr', 1025, new Uint8Array(4));
      pair.raw.sendRaw(header); // no body follows: the header is enough
      await expectCode(done, ZcashErrorCode.FrameTooLarge);
    } finally {
      await pair.close();
    }
  });

  it('closes on a codec error during the handshake (bad magic)', async () => {
    const pair = await makePair();
    try {
      const done = startHandshake(pair);
      await pair.raw.next('version');
      const header = new Uint8Array(24);
      writeFrameHeader(
        header,
        0,
        new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]),
        'verack',
        0,
        sha256d(new Uint8Array(0)),
      );
      pair.raw.sendRaw(header);
      await expectCode(done, ZcashErrorCode.BadMagic);
    } finally {
      await pair.close();
    }
  });

  it('logs inconsistent services at info level and carries on', async () => {
    const lines: LogLine[] = [];
    const pair = await makePair({ build: (b) => b.withLogger(recordingLogger(lines)) });
    try {
      await handshakeWith(
        pair,
        peerVersion({ services: 1n, addrFrom: { services: 0n, ip: '127.0.0.9', port: 1 } }),
      );
      assert.ok(lines.some((l) => l.level === 'info' && (l.message ?? '').includes('inconsistent')));
    } finally {
      await pair.close();
    }
  });

  it('refuses an outbound peer without NODE_NETWORK while syncing, not an inbound one', async () => {
    const syncing = fixedChainTip(0, 5000);
    const out = await makePair({ build: (b) => b.withLatestChainTip(syncing) });
    try {
      const done = startHandshake(out);
      await out.raw.next('version');
      out.raw.send(peerVersion({ services: 0n, addrFrom: { services: 0n, ip: '127.0.0.9', port: 1 } }));
      await expectCode(done, ZcashPeerErrorCode.MissingServices);
    } finally {
      await out.close();
    }
    const inbound = await makePair({ direction: 'inbound', build: (b) => b.withLatestChainTip(syncing) });
    try {
      await handshakeWith(
        inbound,
        peerVersion({ services: 0n, addrFrom: { services: 0n, ip: '127.0.0.9', port: 1 } }),
      );
    } finally {
      await inbound.close();
    }
    const synced = await makePair({ build: (b) => b.withLatestChainTip(fixedChainTip(4500, 5000)) });
    try {
      await handshakeWith(
        synced,
        peerVersion({ services: 0n, addrFrom: { services: 0n, ip: '127.0.0.9', port: 1 } }),
      );
    } finally {
      await synced.close();
    }
  });

  it('reveals nothing on Isolated connections and reports nothing to the address book', async () => {
    const pair = await makePair({
      connectedAddr: ConnectedAddrs.isolated(),
      config: { listenAddr: { ip: '192.0.2.7', port: 8233 } },
      build: (b) => b.withLatestChainTip(fixedChainTip(500)).wantTransactions(true),
    });
    try {
      const done = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
      const ours = (await pair.raw.next('version')) as VersionMessage;
      assert.equal(ours.services, 0n);
      assert.equal(ours.userAgent, '');
      assert.equal(ours.startHeight, 0);
      assert.equal(ours.relay, false);
      assert.deepEqual(
        [ours.addrFrom.ip, ours.addrFrom.port, ours.addrFrom.services],
        ['0.0.0.0', 18233, 0n],
      );
      assert.deepEqual([ours.addrRecv.ip, ours.addrRecv.port], ['0.0.0.0', 18233]);
      pair.raw.send(peerVersion());
      await pair.raw.next('verack');
      pair.raw.send({ command: 'verack' });
      const info = await done;
      assert.match(info.id, /^isolated:/);
      pair.raw.codec.completeHandshake(170160);
      pair.raw.send({ command: 'inv', items: [{ type: 'block', hash: new Uint8Array(32).fill(3) }] });
      pair.raw.send({ command: 'ping', nonce: 5n });
      await pair.raw.next('pong');
      pair.conn.close();
      await pair.conn.closed;
      assert.deepEqual(pair.book.changes, []);
      assert.deepEqual(pair.inventory.changes, []);
      assert.equal(pair.conn.addressCache.size, 0, 'no alternate addresses');
    } finally {
      await pair.close();
    }
  });

  it('rounds version timestamps down to 5 minutes', () => {
    assert.equal(roundedVersionTimestamp(1_700_000_000_000), 1_699_999_800);
    assert.equal(roundedVersionTimestamp(1_699_999_800_000), 1_699_999_800);
    assert.equal(roundedVersionTimestamp(1_700_000_099_999), 1_699_999_800);
    assert.equal(roundedVersionTimestamp(1_700_000_100_000), 1_700_000_100);
  });
});

describe('nonce set', () => {
  it('is bounded, trims the oldest first, and keeps nonces after use', () => {
    const set = new NonceSet(200);
    for (let i = 0n; i < 250n; i++) set.insert(i);
    assert.equal(set.size, 200);
    assert.equal(set.has(49n), false);
    assert.equal(set.has(50n), true);
    assert.equal(set.has(249n), true);
    assert.throws(
      () => set.insert(249n),
      (e: unknown) => e instanceof PeerwireError && e.code === ZcashPeerErrorCode.DuplicateNonce,
    );
  });
});

describe('ConnectedAddr', () => {
  const peer = tcpEndpoint('203.0.113.5', 8233);
  const ephemeral = tcpEndpoint('203.0.113.5', 51234);
  const canonical = (ip: string, port: number) => tcpEndpoint(ip, port);

  it('gives book addresses only to direct connections, transient ids to all but Isolated', () => {
    const proxy = tcpEndpoint('127.0.0.1', 9050);
    const local = tcpEndpoint('127.0.0.1', 40000);
    assert.equal(addressBookAddr(ConnectedAddrs.outboundDirect(peer)), peer);
    assert.equal(addressBookAddr(ConnectedAddrs.inboundDirect(ephemeral)), ephemeral);
    assert.equal(addressBookAddr(ConnectedAddrs.outboundProxy(proxy, local)), undefined);
    assert.equal(addressBookAddr(ConnectedAddrs.inboundProxy(local)), undefined);
    assert.equal(addressBookAddr(ConnectedAddrs.isolated()), undefined);
    assert.equal(transientAddr(ConnectedAddrs.outboundProxy(proxy, local)), local);
    assert.equal(transientAddr(ConnectedAddrs.inboundProxy(local)), local);
    assert.equal(transientAddr(ConnectedAddrs.isolated()), undefined);
    assert.equal(formatPeerAddr(tcpEndpoint('::1', 8233)), '[::1]:8233');
    assert.equal(formatPeerAddr(peer), '203.0.113.5:8233');
  });

  it('derives alternate addresses as Zebra does', () => {
    const out = ConnectedAddrs.outboundDirect(peer);
    assert.deepEqual(alternateAddrs(out, canonical('203.0.113.5', 8233)), []);
    assert.deepEqual(
      alternateAddrs(out, canonical('0.0.0.0', 0)),
      [],
      'unspecified filled from the dialed address',
    );
    assert.deepEqual(alternateAddrs(out, canonical('0.0.0.0', 18233)), [canonical('203.0.113.5', 18233)]);
    assert.deepEqual(alternateAddrs(out, canonical('198.51.100.1', 8233)), [canonical('198.51.100.1', 8233)]);
    const inbound = ConnectedAddrs.inboundDirect(ephemeral);
    assert.deepEqual(alternateAddrs(inbound, canonical('198.51.100.1', 8233)), [
      canonical('198.51.100.1', 8233),
      canonical('203.0.113.5', 8233),
    ]);
    assert.deepEqual(alternateAddrs(inbound, canonical('203.0.113.5', 8233)), [
      canonical('203.0.113.5', 8233),
    ]);
    const proxied = ConnectedAddrs.inboundProxy(tcpEndpoint('127.0.0.1', 40000));
    assert.deepEqual(alternateAddrs(proxied, canonical('198.51.100.1', 8233)), [
      canonical('198.51.100.1', 8233),
    ]);
    assert.deepEqual(alternateAddrs(ConnectedAddrs.isolated(), canonical('198.51.100.1', 8233)), []);
  });
});

describe('handshake metric labels', () => {
  it('folds user agents and versions into bounded sets', () => {
    assert.equal(userAgentLabel('/Zebra:6.3.0/'), 'zebra');
    assert.equal(userAgentLabel('/MagicBean:6.2.0/'), 'zcashd');
    assert.equal(userAgentLabel('/bcoin:1.0.2/'), 'bcoin');
    assert.equal(userAgentLabel('/anything-else/'), 'other');
    assert.equal(userAgentLabel(''), 'empty');
    assert.equal(versionLabel(170160), '170160');
    assert.equal(versionLabel(70015), '70015');
    assert.equal(versionLabel(170161), 'other');
    assert.equal(versionLabel(4_000_000_000), 'other');
  });
});
