// The memory transport (plain wire) against the compliance suite, plus its fault injection: delay and
// bandwidth on a ManualClock (deterministic, no timing assertions), loss with a scripted random source,
// cut, partitions, per-network defaults, and a 30-node mesh to show it is cheap.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { MemoryCarrier } from '../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';
import type { Connection, InboundMessage } from '../../src/transport/types.ts';
import { memoryTransport } from '../../src/plain/transports.ts';
import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import { collect, LONG_MS, localNode, payload, runTransportCompliance, sendAll, turn } from './compliance.ts';

let network = new MemoryNetwork();
runTransportCompliance('memory + plain', () => {
  network = new MemoryNetwork();
  return {
    create: (name) => memoryTransport(network, { name }),
    listenEndpoint: (name) => ({ protocol: 'memory', host: name, port: 0 }),
    unreachableEndpoint: () => Promise.resolve({ protocol: 'memory', host: 'nobody-here', port: 0 }),
    createCarrier: (name) => new MemoryCarrier(network, { name }),
  };
});

interface Linked {
  net: MemoryNetwork;
  a: StreamTransport;
  b: StreamTransport;
  dialer: Connection;
  acceptor: Connection;
}

async function linked(net: MemoryNetwork): Promise<Linked> {
  const a = memoryTransport(net, { name: 'a' });
  const b = memoryTransport(net, { name: 'b' });
  const endpoint = await b.listen({ protocol: 'memory', host: 'b', port: 0 });
  const signal = AbortSignal.timeout(LONG_MS);
  const [dialer, acceptor] = await Promise.all([a.dial(endpoint, signal), b.accept(signal)]);
  await Promise.all([dialer.handshake(localNode('a'), signal), acceptor.handshake(localNode('b'), signal)]);
  return { net, a, b, dialer, acceptor };
}

/** Collects everything a connection receives into an array, in the background. */
function sink(connection: Connection): { got: InboundMessage[]; done: Promise<unknown> } {
  const got: InboundMessage[] = [];
  const done = (async () => {
    for await (const message of connection) got.push(message);
  })().catch((error: unknown) => error);
  return { got, done };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}

describe('memory transport faults', () => {
  it('delay holds every chunk delayMs, in order', async () => {
    const clock = new ManualClock();
    const { a, b, dialer, acceptor, net } = await linked(new MemoryNetwork({ clock }));
    try {
      const [pair] = net.links('a');
      assert.ok(pair !== undefined);
      pair.setFaults({ delayMs: 100 });
      const received = sink(acceptor);
      dialer.send(1, payload(1, 0, 10));
      await settle();
      await clock.advance(50);
      dialer.send(1, payload(1, 1, 10));
      await settle();
      await clock.advance(49);
      await settle();
      assert.equal(received.got.length, 0);
      await clock.advance(1);
      await settle();
      assert.equal(received.got.length, 1);
      await clock.advance(49);
      await settle();
      assert.equal(received.got.length, 1);
      await clock.advance(1);
      await settle();
      assert.deepEqual(
        received.got.map((m) => Buffer.from(m.bytes).readUInt32BE(4)),
        [0, 1],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a bandwidth cap delivers no faster than the cap', async () => {
    const clock = new ManualClock();
    const { a, b, dialer, acceptor, net } = await linked(new MemoryNetwork({ clock }));
    try {
      net.links()[0]!.setFaults({ bandwidthBytesPerSec: 10_000 });
      const received = sink(acceptor);
      // Five frames of 994 + 6 = 1000 bytes: one every 100 ms at 10 kB/s.
      for (let i = 0; i < 5; i++) dialer.send(1, payload(1, i, 994));
      await settle();
      const counts: number[] = [];
      for (let step = 0; step < 6; step++) {
        counts.push(received.got.length);
        await clock.advance(100);
        await settle();
      }
      assert.deepEqual(counts, [0, 1, 2, 3, 4, 5]);
      // A large message arrives only once all its bytes have crossed: 40,006 bytes take 4.0006 s.
      const big = payload(1, 99, 40_000);
      dialer.send(1, big);
      await settle();
      await clock.advance(4000);
      await settle();
      assert.equal(received.got.length, 5);
      await clock.advance(1);
      await settle();
      assert.equal(received.got.length, 6);
      assert.ok(Buffer.from(received.got[5]!.bytes).equals(big));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('loss drops whole writes, chosen by the injected random source; the stream stays framed', async () => {
    const script = [0.9, 0.1, 0.7, 0.2, 0.6, 0.6, 0.05, 0.99, 0.3, 0.8];
    let next = 0;
    const net = new MemoryNetwork({ random: () => script[next++ % script.length]! });
    const { a, b, dialer, acceptor } = await linked(net);
    try {
      net.links()[0]!.setFaults({ loss: 0.5 });
      const received = sink(acceptor);
      const sizes = [10, 20_000, 30, 40, 50, 60_000, 70, 80, 90, 100];
      for (let i = 0; i < sizes.length; i++) dialer.send(1, payload(1, i, sizes[i]!));
      const kept = script.map((r, i) => (r >= 0.5 ? i : -1)).filter((i) => i >= 0);
      while (received.got.length < kept.length) await turn();
      assert.deepEqual(
        received.got.map((m) => Buffer.from(m.bytes).readUInt32BE(4)),
        kept,
      );
      assert.equal(net.lostWriteCount, sizes.length - kept.length);
      net.links()[0]!.setFaults(undefined);
      dialer.send(2, payload(2, 1000, 5));
      while (received.got.length < kept.length + 1) await turn();
      assert.equal(received.got.at(-1)!.channelId, 2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('cut severs a link: both ends close with ERR_CONNECTION_FAILED and readers throw it', async () => {
    const { a, b, dialer, acceptor, net } = await linked(new MemoryNetwork());
    try {
      const readerA = sink(dialer);
      const readerB = sink(acceptor);
      await settle();
      net.links('b')[0]!.cut();
      for (const connection of [dialer, acceptor]) {
        const reason = await connection.closed;
        assert.equal(reason?.code, ErrorCode.ConnectionFailed);
      }
      for (const reader of [readerA, readerB]) {
        const error = await reader.done;
        assert.ok(error instanceof PeerwireError && error.code === ErrorCode.ConnectionFailed);
      }
      assert.equal(net.links().length, 0);
      assert.throws(
        () => dialer.send(1, Buffer.alloc(1)),
        (error) => error instanceof PeerwireError && error.code === ErrorCode.Closed,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('network defaults apply to new links, a link may override them, and cut(name) partitions a node', async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork({ clock, faults: { loss: 0 } });
    const first = await linked(net);
    const c = memoryTransport(net, { name: 'c' });
    try {
      const toC = await c.listen({ protocol: 'memory', host: 'c', port: 0 });
      net.setFaults({ delayMs: 10 });
      assert.equal(net.links()[0]!.faults.delayMs, 10);
      const dialing = first.a.dial(toC, AbortSignal.timeout(LONG_MS));
      await settle();
      await clock.advance(20); // the connection takes one round trip
      const [link] = await Promise.all([dialing, c.accept(AbortSignal.timeout(LONG_MS))]);
      assert.equal(link.remoteEndpoint.host, 'c');
      assert.equal(net.links('c').length, 1);
      net.links('c')[0]!.setFaults({ delayMs: 0 });
      assert.equal(net.links('c')[0]!.faults.delayMs, 0);
      assert.throws(
        () => net.setFaults({ loss: 2 }),
        (error) => error instanceof PeerwireError && error.code === ErrorCode.InvalidArgument,
      );
      assert.equal(net.cut('a'), 2);
      assert.equal(net.links().length, 0);
      assert.equal((await first.acceptor.closed)?.code, ErrorCode.ConnectionFailed);
    } finally {
      await first.a.close();
      await first.b.close();
      await c.close();
    }
  });

  it('a paused receiver backs up the writer without loss (bounded in-flight bytes)', async () => {
    const { a, b, dialer, acceptor } = await linked(new MemoryNetwork());
    try {
      let sent = 0;
      // Nothing is read: the receiver's inbox fills to its budget, the link pauses, and from then on
      // the writer's bytes stay in flight, above its high-water mark.
      for (let round = 0; round < 20 && dialer.bufferedBytes < 1024 * 1024; round++) {
        while (dialer.send(1, payload(1, sent++, 32 * 1024)));
        await settle();
      }
      assert.ok(dialer.bufferedBytes >= 1024 * 1024, `${dialer.bufferedBytes}`);
      assert.ok(dialer.bufferedBytes <= 1024 * 1024 + 32 * 1024 + 6, `${dialer.bufferedBytes}`);
      let drained = false;
      void dialer.drained().then(() => {
        drained = true;
      });
      await settle();
      assert.equal(drained, false);
      const got = await collect(acceptor, sent);
      assert.equal(got.length, sent);
      await settle();
      assert.equal(drained, true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('30 nodes exchange thousands of messages in one process', async () => {
    const net = new MemoryNetwork();
    const nodes = Array.from({ length: 30 }, (_, i) => memoryTransport(net, { name: `n${i}` }));
    try {
      await Promise.all(nodes.map((node, i) => node.listen({ protocol: 'memory', host: `n${i}`, port: 0 })));
      const locals = nodes.map((_, i) => localNode(`n${i}`));
      const work: Promise<unknown>[] = [];
      const perLink = 40;
      let links = 0;
      for (let i = 0; i < nodes.length; i++) {
        for (const step of [1, 2, 3]) {
          const j = (i + step) % nodes.length;
          links++;
          work.push(
            (async () => {
              const signal = AbortSignal.timeout(LONG_MS);
              const [out, inn] = await Promise.all([
                nodes[i]!.dial({ protocol: 'memory', host: `n${j}`, port: 0 }, signal),
                nodes[j]!.accept(signal),
              ]);
              await Promise.all([out.handshake(locals[i]!, signal), inn.handshake(locals[j]!, signal)]);
              const messages = Array.from({ length: perLink }, (_, k) => ({
                channelId: 1 + (k % 3),
                bytes: payload(1 + (k % 3), k, 200),
              }));
              const [, got] = await Promise.all([sendAll(out, messages), collect(inn, perLink)]);
              assert.equal(got.length, perLink);
              return got.length;
            })(),
          );
        }
      }
      const counts = (await Promise.all(work)) as number[];
      assert.equal(
        counts.reduce((x, y) => x + y, 0),
        links * perLink,
      );
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
    }
  });
});
