// The write path every carrier shares: one flush per tick however many frames were written (also
// across awaits in a sender loop), backpressure at the high-water mark, the hard cap, drained() and
// the close lifecycle. A recording subclass stands in for a socket.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { BaseByteLink } from '../../src/transport/base-link.ts';
import { resolveLinkOptions, type LinkOptions } from '../../src/transport/byte-link.ts';
import { memoryEndpoint } from '../../src/transport/endpoint.ts';
import { turn } from './compliance.ts';

class RecordingLink extends BaseByteLink {
  readonly batches: Buffer[][] = [];
  held = 0;
  ended = false;
  destroyed: PeerwireError | undefined;

  constructor(options: LinkOptions = {}) {
    super(memoryEndpoint('l'), memoryEndpoint('r'), resolveLinkOptions(options));
  }

  protected transmit(chunks: readonly Buffer[], bytes: number): void {
    this.batches.push([...chunks]);
    this.held += bytes;
  }
  protected carrierBufferedBytes(): number {
    return this.held;
  }
  /** The "kernel" took everything. */
  release(): void {
    this.held = 0;
    this.checkDrain();
  }
  remoteData(chunk: Buffer): void {
    this.deliver(chunk);
  }
  remoteReset(): void {
    this.fail(new PeerwireError(ErrorCode.ConnectionFailed, 'reset'));
  }
  protected startReading(): void {}
  protected pauseReading(): void {}
  protected resumeReading(): void {}
  protected endCarrier(): void {
    this.ended = true;
  }
  protected destroyCarrier(reason: PeerwireError): void {
    this.destroyed = reason;
  }
}

describe('base link write path', () => {
  it('flushes every write of a tick in one batch, in order', async () => {
    const link = new RecordingLink();
    for (let i = 0; i < 1000; i++) link.write(Buffer.from([i & 0xff]));
    link.writev([Buffer.from('a'), Buffer.from('b')]);
    assert.equal(link.batches.length, 0);
    assert.equal(link.bufferedBytes, 1002);
    await turn();
    assert.equal(link.batches.length, 1);
    assert.equal(link.batches[0]!.length, 1002);
    assert.equal(link.batches[0]![999]![0], 999 & 0xff);
  });

  it('batches a sender loop that awaits between messages (microtasks) into one flush', async () => {
    const link = new RecordingLink();
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        link.write(Buffer.alloc(10));
        await Promise.resolve();
      }
    };
    await loop();
    await turn();
    assert.equal(link.batches.length, 1);
    assert.equal(link.batches[0]!.length, 100);
  });

  it('flushes an idle link within the same turn (no timer)', async () => {
    const link = new RecordingLink();
    link.write(Buffer.from('x'));
    await new Promise<void>((resolve) => process.nextTick(resolve));
    assert.equal(link.batches.length, 1);
  });

  it('returns false at the high-water mark; drained() resolves once below it', async () => {
    const link = new RecordingLink({ writeHighWaterMark: 100 });
    assert.equal(link.write(Buffer.alloc(99)), true);
    assert.equal(link.write(Buffer.alloc(1)), false);
    let drained = false;
    void link.drained().then(() => {
      drained = true;
    });
    await turn();
    assert.equal(drained, false);
    link.release();
    await turn();
    assert.equal(drained, true);
  });

  it('drained(signal, below) waits for a low-water mark under the high-water mark', async () => {
    const link = new RecordingLink({ writeHighWaterMark: 100 });
    link.write(Buffer.alloc(50));
    await turn();
    let high = false;
    let low = false;
    void link.drained().then(() => {
      high = true;
    });
    void link.drained(undefined, 40).then(() => {
      low = true;
    });
    await turn();
    assert.equal(high, true, 'below the high-water mark already');
    assert.equal(low, false, '50 buffered bytes are not below 40');
    link.release();
    await turn();
    assert.equal(low, true);
    assert.equal(
      await Promise.race([link.drained(undefined, 1).then(() => 'now'), turn().then(() => 'later')]),
      'now',
    );
  });

  it('drained() rejects with the signal’s typed error', async () => {
    const link = new RecordingLink({ writeHighWaterMark: 10 });
    link.write(Buffer.alloc(20));
    const controller = new AbortController();
    const waiting = link.drained(controller.signal);
    controller.abort();
    await assert.rejects(
      waiting,
      (error) => error instanceof PeerwireError && error.code === ErrorCode.Aborted,
    );
  });

  it('closes with ERR_STALLED when a writer ignores backpressure past the hard cap', async () => {
    const link = new RecordingLink({ writeHighWaterMark: 10, maxBufferedBytes: 100 });
    for (let i = 0; i < 10; i++) link.write(Buffer.alloc(10));
    assert.equal(link.isClosed, false);
    assert.equal(link.write(Buffer.alloc(10)), false);
    assert.equal(link.isClosed, true);
    assert.equal((await link.closed)?.code, ErrorCode.Stalled);
    assert.equal(link.destroyed?.code, ErrorCode.Stalled);
  });

  it('a graceful close flushes pending writes first; an error close discards them', async () => {
    const graceful = new RecordingLink();
    graceful.write(Buffer.from('bye'));
    graceful.close();
    assert.equal(graceful.batches.length, 1);
    assert.equal(graceful.ended, true);
    assert.equal(await graceful.closed, undefined);
    assert.throws(
      () => graceful.write(Buffer.from('late')),
      (error) => error instanceof PeerwireError && error.code === ErrorCode.Closed,
    );

    const abrupt = new RecordingLink();
    abrupt.write(Buffer.from('lost'));
    const reason = new PeerwireError(ErrorCode.Internal, 'boom');
    abrupt.close(reason);
    await turn();
    assert.equal(abrupt.batches.length, 0);
    assert.equal(abrupt.destroyed, reason);
  });

  it('delivers chunks to the sink until close, then reports the close once', () => {
    const link = new RecordingLink();
    const events: string[] = [];
    link.remoteData(Buffer.from('early')); // no sink yet: nothing to deliver to
    link.attach({
      onData: (c) => events.push(c.toString()),
      onClose: (r) => events.push(`close:${r?.code ?? '-'}`),
    });
    assert.throws(() => link.attach({ onData: () => undefined, onClose: () => undefined }));
    link.remoteData(Buffer.from('one'));
    link.remoteReset();
    link.remoteData(Buffer.from('after'));
    link.close();
    assert.deepEqual(events, ['one', `close:${ErrorCode.ConnectionFailed}`]);
    const late = new RecordingLink();
    late.close();
    late.attach({ onData: () => undefined, onClose: (r) => events.push(`late:${r?.code ?? '-'}`) });
    assert.equal(events.at(-1), 'late:-');
  });
});
