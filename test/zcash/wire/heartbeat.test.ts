// The heartbeat (docs/protocols/zcash.md §3.6) and the address-book events of a connection's life (§3.5), driven by a
// ManualClock: first ping one interval after the handshake, update-ping-sent / update-responded with
// the round-trip time, pongs with other nonces ignored, a ping timeout ends the connection with one
// update-failed, and only direct connections report anything.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { tcpEndpoint } from '../../../src/transport/endpoint.ts';
import { ConnectedAddrs } from '../../../src/zcash/handshake/connected-addr.ts';
import { ZcashPeerErrorCode } from '../../../src/zcash/handshake/peer-errors.ts';
import { waitFor } from '../../helpers/wait.ts';
import { handshakeWith, makePair, type Pair, type PairOptions } from './connection-harness.ts';

async function open(clock: ManualClock, options: PairOptions = {}): Promise<Pair> {
  const pair = await makePair({ clock, ...options });
  await handshakeWith(pair);
  return pair;
}

/**
 * Pings the connection has sent, read from the address book's update-ping-sent events, which the
 * heartbeat reports in the same step as it writes the ping: a "no ping yet" check needs no waiting.
 */
function pingsSent(pair: Pair): number {
  return pair.book.kinds().filter((kind) => kind === 'update-ping-sent').length;
}

let barriers = 0;

/**
 * Returns once the connection has handled everything the raw peer sent before: the link is ordered,
 * so the pong to a ping sent now comes back only after the earlier messages were processed. No timer:
 * the clock moves on only when the connection has seen what the test wants it to see.
 */
async function barrier(pair: Pair): Promise<void> {
  const nonce = 0xba_0000n + BigInt(++barriers);
  pair.raw.send({ command: 'ping', nonce });
  const pong = await pair.raw.next('pong');
  assert.equal(pong.command === 'pong' ? pong.nonce : undefined, nonce);
}

describe('zcash heartbeat', () => {
  it('pings one interval after the handshake and reports ping-sent then responded with the RTT', async () => {
    const clock = new ManualClock();
    const pair = await open(clock);
    try {
      const start = clock.now();
      await clock.advance(58_999);
      assert.equal(pingsSent(pair), 0, 'no ping one ms before the interval');
      await clock.advance(1);
      const ping = await pair.raw.next('ping');
      assert.deepEqual(pair.book.changes.at(-1), {
        kind: 'update-ping-sent',
        addr: 'memory:them',
        at: start + 59_000,
      });
      await clock.advance(250);
      pair.raw.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce + 1n : 0n }); // ignored
      pair.raw.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce : 0n });
      await waitFor(() => pair.book.changes.at(-1)?.kind === 'update-responded', 'update-responded');
      assert.deepEqual(pair.book.changes.at(-1), {
        kind: 'update-responded',
        addr: 'memory:them',
        rttMs: 250,
      });
      // The next beat is due one interval after the previous one was, not after the pong.
      await clock.advance(59_000 - 250 - 1);
      assert.equal(pingsSent(pair), 1, 'no second ping one ms before the next beat');
      await clock.advance(1);
      await pair.raw.next('ping');
      assert.deepEqual(pair.book.kinds(), [
        'update-connected',
        'update-ping-sent',
        'update-responded',
        'update-ping-sent',
      ]);
    } finally {
      await pair.close();
    }
  });

  it('ends the connection with one update-failed when the pong never comes', async () => {
    const clock = new ManualClock();
    const pair = await open(clock);
    try {
      await clock.advance(59_000);
      const ping = await pair.raw.next('ping');
      pair.raw.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce ^ 1n : 0n });
      await barrier(pair);
      await clock.advance(20_000); // REQUEST_TIMEOUT: a ping timeout fails the connection
      const reason = await pair.conn.closed;
      assert.ok(
        reason?.code === ZcashPeerErrorCode.RequestTimeout ||
          reason?.code === ZcashPeerErrorCode.HeartbeatFailed,
        `closed with ${reason?.code}`,
      );
      assert.deepEqual(pair.book.kinds(), ['update-connected', 'update-ping-sent', 'update-failed']);
      assert.deepEqual(pair.book.changes.at(-1), { kind: 'update-failed', addr: 'memory:them' });
      assert.equal(clock.pendingTimers, 0, 'no timers left');
    } finally {
      await pair.close();
    }
  });

  it('reports update-failed once when the peer closes, and once on a local shutdown', async () => {
    const clock = new ManualClock();
    const remote = await open(clock);
    try {
      remote.raw.link.close();
      await remote.conn.closed;
      assert.deepEqual(remote.book.kinds(), ['update-connected', 'update-failed']);
    } finally {
      await remote.close();
    }
    const local = await open(clock, { direction: 'inbound' });
    try {
      local.conn.close();
      local.conn.close();
      await local.conn.closed;
      assert.deepEqual(local.book.kinds(), ['update-connected', 'update-failed']);
      assert.equal(
        local.book.changes[0]?.kind === 'update-connected' && local.book.changes[0].isInbound,
        true,
      );
    } finally {
      await local.close();
    }
  });

  it('keeps proxy and isolated connections out of the address book, heartbeat included', async () => {
    for (const connectedAddr of [
      ConnectedAddrs.outboundProxy(tcpEndpoint('127.0.0.1', 9050), tcpEndpoint('127.0.0.1', 40001)),
      ConnectedAddrs.inboundProxy(tcpEndpoint('127.0.0.1', 40002)),
      ConnectedAddrs.isolated(),
    ]) {
      const clock = new ManualClock();
      const pair = await open(clock, { connectedAddr });
      try {
        await clock.advance(59_000);
        const ping = await pair.raw.next('ping');
        pair.raw.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce : 0n });
        await barrier(pair);
        pair.conn.close();
        await pair.conn.closed;
        assert.deepEqual(pair.book.changes, [], connectedAddr.kind);
      } finally {
        await pair.close();
      }
    }
  });

  it('uses the configured interval', async () => {
    const clock = new ManualClock();
    const pair = await open(clock, { config: { heartbeatIntervalMs: 1_000 } });
    try {
      for (let i = 0; i < 3; i++) {
        await clock.advance(1_000);
        const ping = await pair.raw.next('ping');
        pair.raw.send({ command: 'pong', nonce: ping.command === 'ping' ? ping.nonce : 0n });
        await waitFor(
          () => pair.book.kinds().filter((k) => k === 'update-responded').length === i + 1,
          'pong handled',
        );
      }
    } finally {
      await pair.close();
    }
  });
});
