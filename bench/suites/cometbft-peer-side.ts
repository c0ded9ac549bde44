// The far end of the CometBFT benchmark (cometbft.ts), run in a forked child by openSide() (or in the
// benchmark process for the 1-process latency figure). As a listener it accepts connections, runs the
// handshake, echoes every message on the echo channel and counts the bytes delivered on the data
// channel (the parent waits on that count to end a phase). As a dialer (the memory figure) it opens and
// holds N idle connections, so both sides of that figure live in fresh processes, as js-libp2p's do.

import { ErrorCode, PeerwireError, isPeerwireError } from '../../src/core/errors.ts';
import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import type { Connection, LocalNode } from '../../src/transport/types.ts';
import { ProgressCounter, type SideHandlers } from '../side-process.ts';
import {
  benchLocalNode,
  benchTransport,
  CONNECT_TIMEOUT_MS,
  dialPeer,
  ECHO_CHANNEL,
  loopback,
  roundTrip,
  type OpenConnection,
} from './cometbft-bench.ts';

/** Bytes delivered on the data channel, over every accepted connection. */
const dataBytes = new ProgressCounter();
/** Inbound connections that completed the handshake. */
const handshaken = new ProgressCounter();
let listener: { transport: StreamTransport; stop: AbortController } | undefined;
let dialer: { transport: StreamTransport; conns: OpenConnection[] } | undefined;

async function serve(conn: Connection, local: LocalNode): Promise<void> {
  try {
    await conn.handshake(local, AbortSignal.timeout(CONNECT_TIMEOUT_MS));
    handshaken.add(1);
    for await (const m of conn) {
      // A copy: the inbound bytes may be a view into a receive buffer, and send() keeps its argument.
      if (m.channelId === ECHO_CHANNEL) conn.send(ECHO_CHANNEL, m.bytes.slice());
      else dataBytes.add(m.bytes.length);
    }
  } catch (err) {
    // A peer closing mid-handshake or mid-stream is how every setup iteration ends; anything else is news.
    if (!isPeerwireError(err) || (err.code !== ErrorCode.Closed && err.code !== ErrorCode.ConnectionFailed)) {
      console.error('cometbft side:', err);
    }
  } finally {
    conn.close();
  }
}

async function acceptLoop(transport: StreamTransport, local: LocalNode, signal: AbortSignal): Promise<void> {
  for (;;) {
    let conn: Connection;
    try {
      conn = await transport.accept(signal);
    } catch {
      return; // closed or aborted: the side is shutting down
    }
    void serve(conn, local);
  }
}

async function closeAll(): Promise<void> {
  const l = listener;
  listener = undefined;
  l?.stop.abort();
  const d = dialer;
  dialer = undefined;
  for (const c of d?.conns ?? []) c.conn.close();
  await Promise.all([l?.transport.close(), d?.transport.close()]);
}

export const handlers: SideHandlers = {
  /** Listens on 127.0.0.1 with a fresh identity; returns the port. `sendRate` as in TransportOptions. */
  async listen(arg: unknown): Promise<number> {
    const { sendRate } = (arg ?? {}) as { sendRate?: number };
    await closeAll();
    dataBytes.reset();
    handshaken.reset();
    const transport = benchTransport(sendRate === undefined ? {} : { sendRate });
    const endpoint = await transport.listen(loopback(0));
    const stop = new AbortController();
    listener = { transport, stop };
    void acceptLoop(transport, benchLocalNode('bench-listener'), stop.signal);
    return endpoint.port;
  },
  /** Starts a new count of data-channel bytes (the next figure's phases count from zero). */
  reset(): null {
    dataBytes.reset();
    return null;
  },
  /** Resolves once at least `target` data-channel bytes have been delivered. */
  waitFor(arg: unknown): Promise<number> {
    return dataBytes.waitFor((arg as { target: number }).target);
  },
  /** Resolves once at least `target` inbound connections have completed the handshake. */
  waitConns(arg: unknown): Promise<number> {
    return handshaken.waitFor((arg as { target: number }).target);
  },
  /**
   * Dialer role: opens `count` more connections to `port` (handshake + a 1-byte round trip each) and
   * holds them; returns how many it holds in all.
   */
  async dialMany(arg: unknown): Promise<number> {
    const { port, count } = arg as { port: number; count: number };
    if (!Number.isInteger(count) || count < 0)
      throw new PeerwireError(ErrorCode.InvalidArgument, 'bad count');
    const d = (dialer ??= { transport: benchTransport(), conns: [] });
    const local = benchLocalNode('bench-dialer');
    const one = new Uint8Array(1);
    for (let i = 0; i < count; i++) {
      const open = await dialPeer(d.transport, local, port);
      d.conns.push(open);
      await roundTrip(open, one);
    }
    return d.conns.length;
  },
  close: closeAll,
};
