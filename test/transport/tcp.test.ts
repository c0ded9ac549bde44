// The TCP transport (plain wire) against the compliance suite, plus what only TCP has: dialing from a
// chosen source address, the bounded accept backlog, and a refused socket held quietly.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { PromMetrics } from '../../src/core/prom-metrics.ts';
import type { ByteLink } from '../../src/transport/byte-link.ts';
import { TcpCarrier } from '../../src/transport/tcp-carrier.ts';
import type { Endpoint } from '../../src/transport/types.ts';
import { tcpTransport } from '../../src/plain/transports.ts';
import { expectCode, LONG_MS, localNode, runTransportCompliance, turn } from './compliance.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';

const loopback = (): Endpoint => ({ protocol: 'tcp', host: '127.0.0.1', port: 0 });

runTransportCompliance('tcp + plain', () => ({
  create: () => tcpTransport(),
  listenEndpoint: () => loopback(),
  unreachableEndpoint: async () => ({ protocol: 'tcp', host: '127.0.0.1', port: await freeLoopbackPort() }),
  createCarrier: () => new TcpCarrier(),
}));

describe('tcp transport', () => {
  it('dials from a chosen source address; the server sees that IP', async () => {
    const server = tcpTransport();
    const client = tcpTransport({ localAddress: '127.0.0.2' });
    try {
      const endpoint = await server.listen(loopback());
      const signal = AbortSignal.timeout(LONG_MS);
      const [dialer, acceptor] = await Promise.all([client.dial(endpoint, signal), server.accept(signal)]);
      assert.equal(acceptor.remoteEndpoint.host, '127.0.0.2');
      assert.equal(acceptor.remoteEndpoint.protocol, 'tcp');
      assert.equal(dialer.localEndpoint.host, '127.0.0.2');
      assert.equal(dialer.localEndpoint.port, acceptor.remoteEndpoint.port);
      const [info] = await Promise.all([
        dialer.handshake(localNode('a'), signal),
        acceptor.handshake(localNode('b'), signal),
      ]);
      assert.equal(typeof info.id, 'string');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('closes and counts inbound connections beyond the accept backlog', async () => {
    const metrics = new PromMetrics();
    const server = new TcpCarrier({ acceptBacklog: 2, metrics });
    const client = new TcpCarrier();
    try {
      const endpoint = await server.listen(loopback());
      const links: ByteLink[] = [];
      for (let i = 0; i < 4; i++) links.push(await client.dial(endpoint, AbortSignal.timeout(LONG_MS)));
      // The two beyond the backlog are closed by the server: their dialers see the end.
      const overflowed = await Promise.race([
        Promise.all([links[2]!.closed, links[3]!.closed]).then(() => true),
        new Promise<boolean>((resolve) => {
          void links[0]!.closed.then(() => resolve(false));
        }),
      ]);
      for (const link of links) link.attach({ onData: () => undefined, onClose: () => undefined });
      assert.equal(overflowed, true);
      const first = await server.accept(AbortSignal.timeout(LONG_MS));
      const second = await server.accept(AbortSignal.timeout(LONG_MS));
      assert.equal(first.isClosed, false);
      assert.equal(second.isClosed, false);
      assert.match(await metrics.text(), /peerwire_transport_accept_overflow_total\{protocol="tcp"\} 2/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a close with a hold keeps the socket open and silent that long; a second close ends the hold at once', async () => {
    const server = new TcpCarrier();
    const refused = new PeerwireError(ErrorCode.Rejected, 'refused', { action: 'transient' });
    const remoteClosed = (socket: Socket): Promise<number> =>
      new Promise((resolve) => socket.once('close', () => resolve(performance.now())));
    try {
      const endpoint = await server.listen(loopback());
      const dialed = async (): Promise<{ socket: Socket; link: ByteLink }> => {
        const socket = connect({ host: endpoint.host, port: endpoint.port });
        socket.on('error', () => undefined);
        socket.resume();
        const link = await server.accept(AbortSignal.timeout(LONG_MS));
        link.attach({ onData: () => undefined, onClose: () => undefined });
        return { socket, link };
      };
      // Held 300 ms: closed for its user at once, but the remote sees the end only when the hold ends.
      const short = await dialed();
      const gone = remoteClosed(short.socket);
      const closedAt = performance.now();
      short.link.close(refused, 300);
      assert.equal(short.link.isClosed, true);
      assert.equal(await short.link.closed, refused);
      assert.ok((await gone) - closedAt >= 250, 'the remote learned of the refusal only after the hold');
      // Held a minute, then closed again (as the carrier's close does): torn down at once.
      const long = await dialed();
      const longGone = remoteClosed(long.socket);
      long.link.close(refused, 60_000);
      long.link.close(refused);
      await longGone;
    } finally {
      await server.close();
    }
  });

  it('a dial whose signal fires mid-connect destroys the socket (no link is tracked)', async () => {
    const server = tcpTransport();
    const client = new TcpCarrier();
    try {
      const endpoint = await server.listen(loopback());
      const controller = new AbortController();
      const dialing = client.dial(endpoint, controller.signal);
      controller.abort(new PeerwireError(ErrorCode.Timeout, 'test deadline', { action: 'transient' }));
      await expectCode(dialing, ErrorCode.Timeout);
      await turn();
    } finally {
      await client.close();
      await server.close();
    }
  });
});
