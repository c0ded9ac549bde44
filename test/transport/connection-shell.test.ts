// The lifecycle every wire inherits from ConnectionShell, tested with a toy wire over a scripted link:
// early bytes held (bounded) and replayed, iteration before the inbox exists, the deadline on a manual
// clock, the caller's signal, pause reasons that do not undo each other, timed pauses, and both endings (local close
// with a reason, the remote's end) reaching the handshake promise, the iterator and the wire's teardown.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { ByteLink, LinkSink } from '../../src/transport/byte-link.ts';
import { ConnectionShell, type ShellState } from '../../src/transport/connection-shell.ts';
import type { InboundMessage, LocalNode, PeerInfo } from '../../src/transport/types.ts';
import { localNode } from './compliance.ts';

/** A link driven by the test: it records writes, pauses and the close; the test plays the remote. */
class ScriptedLink implements ByteLink {
  readonly localEndpoint = { protocol: 'memory' as const, host: 'a', port: 1 };
  readonly remoteEndpoint = { protocol: 'memory' as const, host: 'b', port: 2 };
  readonly writes: Buffer[] = [];
  readonly events: string[] = [];
  readonly closed: Promise<PeerwireError | undefined>;
  readonly writeHighWaterMark = 1024;
  bufferedBytes = 0;
  isPaused = false;
  isClosed = false;
  closeReason: PeerwireError | undefined;
  private sink: LinkSink | undefined;
  private resolveClosed!: (reason: PeerwireError | undefined) => void;

  constructor() {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  attach(sink: LinkSink): void {
    this.sink = sink;
  }
  write(chunk: Uint8Array): boolean {
    this.writes.push(Buffer.from(chunk));
    return true;
  }
  writev(chunks: readonly Uint8Array[]): boolean {
    for (const chunk of chunks) this.write(chunk);
    return true;
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  pause(): void {
    this.isPaused = true;
    this.events.push('pause');
  }
  resume(): void {
    this.isPaused = false;
    this.events.push('resume');
  }
  close(error?: PeerwireError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeReason = error;
    this.resolveClosed(error);
  }
  /** The remote sends bytes. */
  receive(text: string): void {
    this.sink!.onData(Buffer.from(text));
  }
  /** The remote ends the stream. */
  end(reason: PeerwireError): void {
    this.isClosed = true;
    this.sink!.onClose(reason);
    this.resolveClosed(reason);
  }
}

const PEER: PeerInfo = {
  id: 'toy-peer',
  protocolVersion: '1',
  channels: [1],
  network: 'toy',
  userAgent: 'toy',
};

/**
 * The toy wire: handshake = we write "hello", the peer's "ok" completes it; after that every chunk is
 * one message on channel 1, and "bad" is a decoding error. Its inbox opens during the handshake.
 */
class ToyConnection extends ConnectionShell {
  readonly teardowns: ShellState[] = [];
  deadlineMs = 0;

  constructor(link: ByteLink, clock: ManualClock) {
    super(link, 'outbound', { maxEarlyBytes: 8, clock });
    this.attachLink();
  }

  protected startHandshake(_local: LocalNode): void {
    this.openInbox(1024);
    if (this.deadlineMs > 0) {
      this.startDeadline(this.deadlineMs, () =>
        this.close(new PeerwireError(ErrorCode.Timeout, 'toy handshake timed out', { action: 'transient' })),
      );
    }
    this.link.write(Buffer.from('hello'));
  }

  protected onBytes(chunk: Buffer): void {
    const text = chunk.toString();
    if (text === 'bad') throw new Error('undecodable');
    if (this.state === 'handshaking') {
      if (text === 'ok') this.completeHandshake(PEER);
      return;
    }
    this.deliver({ channelId: 1, bytes: chunk });
  }

  send(channelId: number, bytes: Uint8Array): boolean {
    const refusal = this.sendRefusal();
    if (refusal !== undefined) throw refusal;
    return this.link.write(Buffer.concat([Buffer.from([channelId]), bytes]));
  }

  protected override teardown(_reason: PeerwireError | undefined, previous: ShellState): void {
    this.teardowns.push(previous);
  }

  readonly pauseEnds: string[] = [];
  /** What onPauseEnd throws, if anything (a decode error in the backlog it goes on with). */
  pauseEndError: Error | undefined;

  /** A wire-specific pause reason (as the Zcash inbound-service queue). */
  setPause(reason: string, paused: boolean): void {
    this.pauses.set(reason, paused);
  }

  /** A timed pause (as a receive rate limit or an inbound budget). */
  pauseReading(reason: string, ms: number): void {
    this.pauseReadingFor(reason, ms);
  }

  pausedFor(reason: string): boolean {
    return this.isPausedFor(reason);
  }

  protected override onPauseEnd(reason: string): void {
    this.pauseEnds.push(reason);
    if (this.pauseEndError !== undefined) throw this.pauseEndError;
  }
}

function toy(): { link: ScriptedLink; clock: ManualClock; connection: ToyConnection } {
  const link = new ScriptedLink();
  const clock = new ManualClock();
  return { link, clock, connection: new ToyConnection(link, clock) };
}

const signal = (): AbortSignal => new AbortController().signal;

/** A toy connection whose handshake has completed. */
async function openToy(): Promise<ReturnType<typeof toy>> {
  const opened = toy();
  const handshaking = opened.connection.handshake(localNode('a'), signal());
  opened.link.receive('ok');
  await handshaking;
  return opened;
}

async function next(iterator: AsyncIterator<InboundMessage>): Promise<string | undefined> {
  const result = await iterator.next();
  return result.done === true ? undefined : Buffer.from(result.value.bytes).toString();
}

describe('connection shell', () => {
  it('holds bytes that arrive before handshake() with the link paused, then replays them', async () => {
    const { link, connection } = toy();
    link.receive('ok');
    assert.equal(connection.heldEarlyCount, 1);
    assert.deepEqual(link.events, ['pause']);
    const info = await connection.handshake(localNode('a'), signal());
    assert.equal(info.id, 'toy-peer');
    assert.deepEqual(link.events, ['pause', 'resume']);
    assert.equal(connection.heldEarlyCount, 0);
    assert.deepEqual(link.writes.map(String), ['hello']);
  });

  it('closes with ERR_HANDSHAKE_FAILED when the early bytes exceed their bound', async () => {
    const { link, connection } = toy();
    link.receive('12345');
    link.receive('6789');
    assert.equal((await connection.closed)?.code, ErrorCode.HandshakeFailed);
    assert.deepEqual(connection.teardowns, ['new']);
    await assert.rejects(connection.handshake(localNode('a'), signal()), {
      code: ErrorCode.HandshakeFailed,
    });
  });

  it('an iteration started before the inbox exists receives the messages once it opens', async () => {
    const { link, connection } = toy();
    const iterator = connection[Symbol.asyncIterator]();
    const first = next(iterator);
    const handshaking = connection.handshake(localNode('a'), signal());
    link.receive('ok');
    await handshaking;
    link.receive('one');
    link.receive('two');
    assert.equal(await first, 'one');
    assert.equal(await next(iterator), 'two');
  });

  it('the deadline runs on the injected clock: nothing before it, a typed close at it', async () => {
    const { clock, connection } = toy();
    connection.deadlineMs = 3000;
    const handshaking = connection.handshake(localNode('a'), signal());
    await clock.advance(2999);
    assert.deepEqual(connection.teardowns, [], 'still handshaking one ms before the deadline');
    await clock.advance(1);
    await assert.rejects(handshaking, { code: ErrorCode.Timeout });
    assert.deepEqual(connection.teardowns, ['handshaking']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('a completed handshake cancels the deadline timer', async () => {
    const { link, clock, connection } = toy();
    connection.deadlineMs = 3000;
    const handshaking = connection.handshake(localNode('a'), signal());
    link.receive('ok');
    await handshaking;
    assert.equal(clock.pendingTimers, 0);
  });

  it("the caller's signal: aborted before, refused and closed; aborted during, rejected with ERR_ABORTED", async () => {
    const before = toy();
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(before.connection.handshake(localNode('a'), aborted.signal), {
      code: ErrorCode.Aborted,
    });
    assert.equal(before.link.closeReason?.code, ErrorCode.Aborted);
    const during = toy();
    const controller = new AbortController();
    const handshaking = during.connection.handshake(localNode('a'), controller.signal);
    controller.abort();
    await assert.rejects(handshaking, { code: ErrorCode.Aborted });
    assert.deepEqual(during.connection.teardowns, ['handshaking']);
  });

  it('handshake() twice is a caller error; send() before open and after close is refused', async () => {
    const { link, connection } = toy();
    assert.throws(() => connection.send(1, Buffer.from('x')), { code: ErrorCode.InvalidArgument });
    const handshaking = connection.handshake(localNode('a'), signal());
    await assert.rejects(connection.handshake(localNode('a'), signal()), { code: ErrorCode.InvalidArgument });
    link.receive('ok');
    await handshaking;
    assert.equal(connection.send(1, Buffer.from('x')), true);
    connection.close();
    assert.throws(() => connection.send(1, Buffer.from('x')), { code: ErrorCode.Closed });
  });

  it('pause reasons are independent: the link resumes only when the last one clears', () => {
    const { link, connection } = toy();
    connection.setPause('rate', true);
    connection.setPause('inbound-service', true);
    connection.setPause('rate', false);
    assert.deepEqual(link.events, ['pause']);
    connection.setPause('inbound-service', false);
    assert.deepEqual(link.events, ['pause', 'resume']);
  });

  it('a timed pause: one timer per reason, the link resumes on the clock, then the wire goes on', async () => {
    const { link, clock, connection } = await openToy();
    connection.pauseReading('budget', 0);
    assert.deepEqual(link.events, [], 'no pause for 0 ms');
    connection.pauseReading('budget', 100);
    connection.pauseReading('budget', 500); // already paused for this reason: no second timer
    connection.pauseReading('rate', 300);
    assert.equal(clock.pendingTimers, 2);
    assert.deepEqual(link.events, ['pause']);
    await clock.advance(99);
    assert.deepEqual(connection.pauseEnds, []);
    await clock.advance(1);
    assert.deepEqual(connection.pauseEnds, ['budget']);
    assert.equal(connection.pausedFor('budget'), false);
    assert.deepEqual(link.events, ['pause'], "the rate pause still holds the link");
    await clock.advance(200);
    assert.deepEqual(connection.pauseEnds, ['budget', 'rate']);
    assert.deepEqual(link.events, ['pause', 'resume']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('a close cancels running timed pauses; an error where the wire goes on closes with a typed error', async () => {
    const first = await openToy();
    first.connection.pauseReading('budget', 100);
    first.connection.close();
    assert.equal(first.clock.pendingTimers, 0, 'no timer outlives the close');
    first.connection.pauseReading('budget', 100);
    assert.equal(first.clock.pendingTimers, 0, 'no pause after the close');
    assert.deepEqual(first.connection.pauseEnds, []);

    const second = await openToy();
    second.connection.pauseEndError = new Error('undecodable backlog');
    second.connection.pauseReading('budget', 10);
    await second.clock.advance(10);
    assert.deepEqual(second.connection.pauseEnds, ['budget']);
    assert.equal(second.link.closeReason?.code, ErrorCode.Malformed);
    assert.equal(second.link.closeReason?.action, 'disconnect');
    assert.deepEqual(second.connection.teardowns, ['open']);
  });

  it('a decoding error closes with a typed, disconnecting error', async () => {
    const { link, connection } = toy();
    const handshaking = connection.handshake(localNode('a'), signal());
    link.receive('bad');
    await assert.rejects(
      handshaking,
      (error) => error instanceof PeerwireError && error.action === 'disconnect',
    );
    assert.equal(link.closeReason?.code, ErrorCode.Malformed);
  });

  it("the remote's end: queued messages drain, then the iterator throws the reason; teardown runs once", async () => {
    const { link, connection } = await openToy();
    link.receive('last');
    const reason = new PeerwireError(ErrorCode.Closed, 'remote closed', { action: 'transient' });
    link.end(reason);
    connection.close();
    const iterator = connection[Symbol.asyncIterator]();
    assert.equal(await next(iterator), 'last');
    await assert.rejects(iterator.next(), { code: ErrorCode.Closed });
    assert.deepEqual(connection.teardowns, ['open']);
  });

  it('a local close with a reason drops queued messages and passes the reason to the link', async () => {
    const { link, connection } = await openToy();
    link.receive('dropped');
    const reason = new PeerwireError(ErrorCode.Malformed, 'local verdict', { action: 'disconnect' });
    connection.close(reason);
    assert.equal(link.closeReason, reason);
    await assert.rejects(connection[Symbol.asyncIterator]().next(), { code: ErrorCode.Malformed });
    await assert.rejects(connection.handshake(localNode('a'), signal()), { code: ErrorCode.Malformed });
  });
});
