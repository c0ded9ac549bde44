// TcpLink's lifecycle through its socket's shared listeners: `finished` resolves once the socket handle
// is closed whether it is asked for before or after, the carrier's callback runs once, and data and
// the remote's end reach the right link when several links are open.

import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/core/errors.ts';
import { resolveLinkOptions } from '../../src/transport/byte-link.ts';
import { TcpLink } from '../../src/transport/tcp-link.ts';
import type { PeerwireError } from '../../src/core/errors.ts';

/** `count` connected socket pairs on 127.0.0.1: [dialed, accepted]. */
async function socketPairs(count: number): Promise<{ server: Server; pairs: [Socket, Socket][] }> {
  const accepted: Socket[] = [];
  const waiting: ((s: Socket) => void)[] = [];
  const server = createServer((s) => {
    const w = waiting.shift();
    if (w !== undefined) w(s);
    else accepted.push(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const pairs: [Socket, Socket][] = [];
  for (let i = 0; i < count; i++) {
    const dialed = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => dialed.once('connect', () => resolve()));
    const other = accepted.shift() ?? (await new Promise<Socket>((resolve) => waiting.push(resolve)));
    pairs.push([dialed, other]);
  }
  return { server, pairs };
}

/** Everything `socket` reads from now on, and its length. */
function collect(socket: Socket): { readonly chunks: Buffer[]; readonly bytes: number } {
  const got = { chunks: [] as Buffer[], bytes: 0 };
  socket.on('data', (d: Buffer) => {
    got.chunks.push(d);
    got.bytes += d.length;
  });
  return got;
}

describe('tcp link', () => {
  it('finished resolves once the socket closed, asked before or after; the carrier callback runs once', async () => {
    const { server, pairs } = await socketPairs(2);
    const finishedLinks: TcpLink[] = [];
    const options = resolveLinkOptions();
    const early = new TcpLink(pairs[0]![0], options, (l) => finishedLinks.push(l));
    const late = new TcpLink(pairs[1]![0], options, (l) => finishedLinks.push(l));
    const waitedEarly = early.finished;
    early.close(undefined);
    late.close(undefined);
    pairs[0]![1].destroy();
    pairs[1]![1].destroy();
    await waitedEarly;
    await new Promise<void>((resolve) => pairs[1]![0].once('close', () => resolve()));
    await late.finished; // asked for after the close: already settled
    assert.deepEqual(new Set(finishedLinks), new Set([early, late]));
    assert.equal(finishedLinks.length, 2);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("each link gets its own socket's data and end, with listeners shared by all links", async () => {
    const { server, pairs } = await socketPairs(3);
    const options = resolveLinkOptions();
    const received = pairs.map(() => [] as string[]);
    const closes: (PeerwireError | undefined)[][] = pairs.map(() => []);
    const links = pairs.map(([dialed], i) => {
      const link = new TcpLink(dialed, options);
      link.attach({
        onData: (chunk) => received[i]!.push(Buffer.from(chunk).toString()),
        onClose: (reason) => closes[i]!.push(reason),
      });
      return link;
    });
    assert.equal(pairs[0]![0].listeners('data')[0], pairs[2]![0].listeners('data')[0], 'one shared function');
    pairs.forEach(([, other], i) => other.write(`to ${i}`));
    pairs[1]![1].end();
    await links[1]!.closed;
    for (let spins = 0; spins < 200 && received.some((r) => r.length === 0); spins++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(
      received.map((r) => r.join('')),
      ['to 0', 'to 1', 'to 2'],
    );
    assert.equal(closes[1]!.length, 1);
    assert.equal(closes[1]![0]?.code, ErrorCode.Closed, 'the remote ended link 1');
    assert.deepEqual([closes[0]!.length, closes[2]!.length], [0, 0], 'the others stay open');
    for (const link of links) link.close(undefined);
    for (const [, other] of pairs) other.destroy();
    await Promise.all(links.map((l) => l.finished));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('coalesced writes reuse one buffer while the kernel takes them at once, and not behind a queue', async () => {
    const { server, pairs } = await socketPairs(1);
    const [dialed, accepted] = pairs[0]!;
    const link = new TcpLink(dialed, resolveLinkOptions());
    try {
      // Each socket write's memory (the link coalesces a tick's small chunks into one) and the bytes
      // waiting in Node's queue when it was made.
      const written: { chunk: Buffer; queued: number }[] = [];
      const write = dialed.write.bind(dialed) as (chunk: Buffer, cb?: () => void) => boolean;
      (dialed as unknown as { write: typeof write }).write = (chunk, cb) => {
        written.push({ chunk, queued: dialed.writableLength });
        return write(chunk, cb);
      };
      const expected: Buffer[] = [];
      const got = collect(accepted);
      let sentBytes = 0;
      const send = (size: number, fill: number): void => {
        const chunk = Buffer.alloc(size, fill);
        expected.push(chunk);
        sentBytes += size;
        link.write(Buffer.from(chunk));
      };
      const smallTick = async (tick: number): Promise<void> => {
        send(100, tick);
        send(2000, tick + 1);
        send(300, tick + 2);
        await new Promise((resolve) => setImmediate(resolve));
      };
      for (let tick = 0; tick < 50; tick++) await smallTick(tick);
      const coalesced = written.filter((w) => w.chunk.length === 2400);
      assert.equal(coalesced.length, 50);
      // A reused buffer is written from its start again and again; slices of Node's own pool (8 KiB on
      // Node 20 and 22, 64 KiB on 24) start further on each time.
      const starts = new Map<ArrayBufferLike, number>();
      for (const w of coalesced)
        if (w.chunk.byteOffset === 0) starts.set(w.chunk.buffer, (starts.get(w.chunk.buffer) ?? 0) + 1);
      const pooled = new Set([...starts].filter(([, n]) => n > 1).map(([b]) => b));
      const reused = (w: { chunk: Buffer }): boolean =>
        w.chunk.byteOffset === 0 && pooled.has(w.chunk.buffer);
      assert.ok(pooled.size >= 1 && pooled.size <= 2, 'one or two buffers serve the writes');
      assert.ok(coalesced.filter(reused).length >= 40, 'most of them');
      // Behind a queue (the reader stopped, Node holds writes) every coalesced write has memory of its own.
      accepted.pause();
      for (let tick = 0; tick < 200 && dialed.writableLength === 0; tick++) {
        send(64 * 1024, tick);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(dialed.writableLength > 0, 'writes are queued in Node while the reader is stopped');
      written.length = 0;
      for (let tick = 0; tick < 20; tick++) await smallTick(tick);
      const queued = written.filter((w) => w.chunk.length === 2400);
      assert.equal(queued.length, 20);
      // (The kernel may drain Node's queue between ticks: a write made then may reuse a buffer.)
      assert.ok(queued[0]!.queued > 0, 'the first was made behind a queue');
      assert.ok(
        queued.every((w) => w.queued === 0 || !reused(w)),
        'none made behind a queue is from a reusable buffer',
      );
      accepted.resume();
      for (let spins = 0; spins < 2000 && got.bytes < sentBytes; spins++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      assert.ok(Buffer.concat(got.chunks).equals(Buffer.concat(expected)), 'byte-exact');
    } finally {
      link.close(undefined);
      accepted.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a released chunk may be overwritten at once: the remote still reads every original byte', async () => {
    const { server, pairs } = await socketPairs(1);
    const [dialed, accepted] = pairs[0]!;
    const link = new TcpLink(dialed, resolveLinkOptions());
    let released = 0;
    // The owner reuses a released chunk at once: any byte the link still needed would arrive garbled.
    const release = (chunk: Buffer): void => {
      released++;
      chunk.fill(0xee);
    };
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const expected: Buffer[] = [];
    const got = collect(accepted);
    let sentBytes = 0;
    for (let tick = 0; tick < 200; tick++) {
      // Per tick: one chunk, a few small ones (copied), or a mix over 64 KiB (corked, some by reference).
      const sizes = [[1 + random(70_000)], [100, 2000, 300], [20_000, 500, 40_000, 700, 30_000]][tick % 3]!;
      for (const size of sizes) {
        const chunk = Buffer.alloc(size);
        for (let i = 0; i < size; i += 97) chunk[i] = random(256);
        expected.push(Buffer.from(chunk));
        sentBytes += size;
        link.write(chunk, release);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The reader stops: the kernel's buffers fill and writes queue in Node, whose references must stay.
    accepted.pause();
    for (let tick = 0; tick < 160; tick++) {
      const chunk = Buffer.alloc(64 * 1024, tick);
      expected.push(Buffer.from(chunk));
      sentBytes += chunk.length;
      link.write(chunk, release);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(dialed.writableLength > 0, 'writes are queued in Node while the reader is stopped');
    accepted.resume();
    for (let spins = 0; spins < 2000 && got.bytes < sentBytes; spins++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(Buffer.concat(got.chunks).equals(Buffer.concat(expected)), 'byte-exact');
    assert.ok(released > 0, 'chunks came back while the kernel had room');
    link.close(undefined);
    accepted.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
