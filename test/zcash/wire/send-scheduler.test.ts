// The Zcash send scheduler over a link whose buffered bytes the test controls: control frames overtake
// queued bulk frames but never enter a frame being written; the link never holds much more than the
// low-water mark; the bytes written are exactly the frames, each one whole and in order within its
// kind; pacing stops bulk data at the window, probes only between frames, and reopens on the probe's
// pong (another nonce's pong is not consumed); a graceful flush writes everything, close drops it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ByteLink, LinkSink } from '../../../src/transport/byte-link.ts';
import type { PeerwireError } from '../../../src/core/errors.ts';
import {
  BULK_SLICE_BYTES,
  LINK_LOW_WATER_BYTES,
  SendScheduler,
  sendClassOf,
} from '../../../src/zcash/connection/send-scheduler.ts';

/** A link that only records writes; the test says when the kernel took the buffered bytes. */
class HeldLink implements ByteLink {
  readonly localEndpoint = { protocol: 'memory' as const, host: 'a', port: 1 };
  readonly remoteEndpoint = { protocol: 'memory' as const, host: 'b', port: 2 };
  readonly writeHighWaterMark = 1024 * 1024;
  readonly closed: Promise<PeerwireError | undefined> = new Promise(() => {});
  readonly isPaused = false;
  readonly isClosed = false;
  readonly writes: Buffer[] = [];
  bufferedBytes = 0;
  maxBuffered = 0;
  private waiters: { below: number; resolve: () => void }[] = [];

  write(chunk: Uint8Array): boolean {
    this.writes.push(Buffer.from(chunk));
    this.bufferedBytes += chunk.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedBytes);
    return this.bufferedBytes < this.writeHighWaterMark;
  }
  writev(chunks: readonly Uint8Array[]): boolean {
    let ok = true;
    for (const c of chunks) ok = this.write(c);
    return ok;
  }
  drained(_signal?: AbortSignal, belowBytes = this.writeHighWaterMark): Promise<void> {
    if (this.bufferedBytes < belowBytes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below: belowBytes, resolve }));
  }
  /** The kernel accepted everything buffered. */
  async drain(): Promise<void> {
    this.bufferedBytes = 0;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
    for (let i = 0; i < 5; i++) await Promise.resolve(); // let the scheduler's continuation run
  }
  attach(_sink: LinkSink): void {}
  pause(): void {}
  resume(): void {}
  close(): void {}
}

/** A frame-like buffer: `tag` repeated, so the test can read back which frame each byte came from. */
function frame(tag: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(tag);
}

/** The written stream as runs of (tag, length). */
function runs(link: HeldLink): [number, number][] {
  const all = Buffer.concat(link.writes);
  const out: [number, number][] = [];
  for (const b of all) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === b) last[1]++;
    else out.push([b, 1]);
  }
  return out;
}

describe('Zcash send scheduler', () => {
  it('classes: blocks, headers and notfound are bulk; the rest is control', () => {
    for (const c of ['block', 'headers', 'notfound']) assert.equal(sendClassOf(c), 'bulk');
    for (const c of ['ping', 'pong', 'tx', 'inv', 'getdata', 'addr', 'getblocks'])
      assert.equal(sendClassOf(c), 'control');
  });

  it('a control frame overtakes queued blocks but waits for the block being written', async () => {
    const link = new HeldLink();
    const s = new SendScheduler(link);
    const block = 300 * 1024;
    s.send('bulk', [frame(1, block)]);
    s.send('bulk', [frame(2, block)]);
    s.send('control', [frame(9, 32)]);
    // Only one slice went out: the link is at the low-water mark.
    assert.equal(link.bufferedBytes, BULK_SLICE_BYTES);
    for (let i = 0; i < 20 && s.queuedBytes > 0; i++) await link.drain();
    assert.equal(s.queuedBytes, 0);
    assert.deepEqual(runs(link), [
      [1, block],
      [9, 32],
      [2, block],
    ]);
    // Below the mark, one more slice may go: the link holds at most the mark plus a slice.
    assert.ok(
      link.maxBuffered < LINK_LOW_WATER_BYTES + BULK_SLICE_BYTES,
      `link held ${link.maxBuffered} bytes`,
    );
  });

  it('frames of one kind keep their order and the bytes are exactly the frames', async () => {
    const link = new HeldLink();
    const s = new SendScheduler(link);
    const sent: [number, number][] = [];
    for (let i = 1; i <= 40; i++) {
      const bulk = i % 3 === 0;
      const length = bulk ? 70_000 + i : 30 + i;
      // Every fifth frame as a header and its body (two chunks), the rest as one buffer.
      s.send(
        bulk ? 'bulk' : 'control',
        i % 5 === 0 ? [frame(i, 24), frame(i, length - 24)] : [frame(i, length)],
      );
      sent.push([i, length]);
      if (i % 7 === 0) await link.drain();
    }
    for (let i = 0; i < 100 && s.queuedBytes > 0; i++) await link.drain();
    const got = runs(link);
    assert.equal(got.length, sent.length, 'every frame whole, none split by another');
    const order = (bulk: boolean) => got.filter(([tag]) => (tag % 3 === 0) === bulk);
    assert.deepEqual(
      order(true),
      sent.filter(([tag]) => tag % 3 === 0),
    );
    assert.deepEqual(
      order(false),
      sent.filter(([tag]) => tag % 3 !== 0),
    );
  });

  it('pacing: bulk stops at the window, the probe goes between frames, its pong reopens it', async () => {
    const link = new HeldLink();
    let nonce = 100n;
    let now = 0;
    const probes: bigint[] = [];
    const s = new SendScheduler(link, {
      nonce: () => ++nonce,
      encode: (n) => {
        probes.push(n);
        return frame(0xee, 32);
      },
      now: () => now,
    });
    const window = s.windowBytes!;
    for (let i = 1; i <= 8; i++) s.send('bulk', [frame(i, 48 * 1024)]);
    for (let i = 0; i < 10; i++) await link.drain();
    const before = runs(link);
    const bulkBytes = before.filter(([t]) => t !== 0xee).reduce((n, [, l]) => n + l, 0);
    assert.ok(bulkBytes >= window / 2 && bulkBytes < window + 48 * 1024, `${bulkBytes} bytes before a pong`);
    assert.equal(probes.length, 1, 'one probe outstanding');
    // The probe sits between two whole frames.
    const at = before.findIndex(([t]) => t === 0xee);
    assert.ok(at > 0 && before[at - 1]![1] === 48 * 1024);
    assert.equal(s.onPong(12345n), false, 'a pong for another nonce is not ours');
    now = 1;
    assert.equal(s.onPong(probes[0]!), true);
    for (let i = 0; i < 40 && s.queuedBytes > 0; i++) {
      await link.drain();
      if (probes.length > 0) s.onPong(probes[probes.length - 1]!);
    }
    assert.equal(s.queuedBytes, 0);
    const all = runs(link).filter(([t]) => t !== 0xee);
    assert.deepEqual(
      all,
      Array.from({ length: 8 }, (_, i) => [i + 1, 48 * 1024]),
    );
  });

  it('flush writes everything at once; close drops what is queued and refuses more', async () => {
    const link = new HeldLink();
    const s = new SendScheduler(link);
    s.send('bulk', [frame(1, 200_000)]);
    s.send('control', [frame(2, 10)]);
    s.flush();
    assert.equal(s.queuedBytes, 0);
    assert.deepEqual(runs(link), [
      [1, 200_000],
      [2, 10],
    ]);
    const other = new HeldLink();
    const t = new SendScheduler(other);
    t.send('bulk', [frame(1, 200_000)]);
    t.close();
    assert.equal(t.queuedBytes, 0);
    await other.drain();
    assert.equal(Buffer.concat(other.writes).length, BULK_SLICE_BYTES, 'nothing after close');
    assert.throws(() => t.send('control', [frame(3, 1)]), /closed/);
    await t.drained(); // resolves at once after close
  });
});
