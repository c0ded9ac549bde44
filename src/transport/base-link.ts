// The part of a ByteLink that is the same for every carrier: per-tick write batching, backpressure
// accounting, the drained() wait, sink attachment and the close lifecycle. A carrier subclass only says
// how a batch of chunks leaves (`transmit`), how many bytes its own layer still holds
// (`carrierBufferedBytes`), and how to stop, start, end and destroy its stream.
//
// Batching: the first write in a tick schedules one flush with process.nextTick. A nextTick queued from
// inside a promise job runs only after the whole microtask queue has drained, so a sender loop that
// awaits between messages still ends up in a single flush; an idle link flushes within the same turn of
// the event loop (no timer, no latency floor).

import { raceAbort } from '../core/abort.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { ByteLink, ChunkRelease, LinkSink, ResolvedLinkOptions } from './byte-link.ts';
import type { Endpoint } from './types.ts';

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export abstract class BaseByteLink implements ByteLink {
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  readonly writeHighWaterMark: number;
  readonly closed: Promise<PeerwireError | undefined>;
  protected readonly options: ResolvedLinkOptions;
  protected sink: LinkSink | undefined;
  private pending: Buffer[] = [];
  /** The release callback of each pending chunk (same index), or undefined; see ByteLink.write. */
  private pendingRelease: (ChunkRelease | undefined)[] = [];
  private pendingReleases = 0;
  private pendingBytes = 0;
  private flushScheduled = false;
  private paused = false;
  private closedFlag = false;
  private reason: PeerwireError | undefined;
  private resolveClosed!: (reason: PeerwireError | undefined) => void;
  private drain: { promise: Promise<void>; resolve: () => void } | undefined;
  /** A waiter for a mark below the high-water mark (a scheduler keeping one batch below it). */
  private lowDrain: { promise: Promise<void>; resolve: () => void; mark: number } | undefined;
  private readonly flushBound = (): void => this.flush();

  protected constructor(localEndpoint: Endpoint, remoteEndpoint: Endpoint, options: ResolvedLinkOptions) {
    this.localEndpoint = localEndpoint;
    this.remoteEndpoint = remoteEndpoint;
    this.options = options;
    this.writeHighWaterMark = options.writeHighWaterMark;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /**
   * Hands one tick's chunks to the carrier. The arrays are reused afterwards: copy what must outlive
   * the call. `releases[i]`, when set, may be called with `chunks[i]` once the carrier no longer needs
   * its bytes (a carrier that keeps references, like the memory link, never calls them).
   */
  protected abstract transmit(
    chunks: readonly Buffer[],
    bytes: number,
    releases: readonly (ChunkRelease | undefined)[] | undefined,
  ): void;
  /** Bytes the carrier accepted from `transmit` and has not yet passed on. */
  protected abstract carrierBufferedBytes(): number;
  /** The sink is attached: start reading (unless paused). */
  protected abstract startReading(): void;
  protected abstract pauseReading(): void;
  protected abstract resumeReading(): void;
  /** Graceful end: everything transmitted is flushed, then the stream ends; bounded by lingerMs. */
  protected abstract endCarrier(): void;
  /** Immediate teardown; unsent bytes are discarded. Must be idempotent. */
  protected abstract destroyCarrier(reason: PeerwireError): void;
  /**
   * A refusal held quietly (close with holdMs): keep the stream open, unread, for up to `ms`, then tear
   * it down. Default: tear down at once (carriers with nothing worth holding).
   */
  protected holdCarrier(reason: PeerwireError, _ms: number): void {
    this.destroyCarrier(reason);
  }
  /** A close() after the link closed: a held stream is torn down now. Default: nothing held. */
  protected endHold(): void {}
  /**
   * Whether a write unit enters the link at all (lossy test links drop some). Default: always.
   */
  protected admit(_bytes: number): boolean {
    return true;
  }

  get bufferedBytes(): number {
    return this.pendingBytes + this.carrierBufferedBytes();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The reason the link closed with, once closed. */
  get closeReason(): PeerwireError | undefined {
    return this.reason;
  }

  write(chunk: Uint8Array, release?: ChunkRelease): boolean {
    if (this.closedFlag) throw this.closedError();
    if (this.admit(chunk.byteLength)) this.enqueue(asBuffer(chunk), release);
    return this.afterWrite();
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    if (this.closedFlag) throw this.closedError();
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i]!.byteLength;
    if (this.admit(total)) for (let i = 0; i < chunks.length; i++) this.enqueue(asBuffer(chunks[i]!));
    return this.afterWrite();
  }

  drained(signal?: AbortSignal, belowBytes?: number): Promise<void> {
    if (belowBytes !== undefined && belowBytes < this.writeHighWaterMark) {
      if (this.closedFlag || this.bufferedBytes < belowBytes) return Promise.resolve();
      return raceAbort(this.lowDrainPromise(belowBytes), signal);
    }
    if (this.closedFlag || this.bufferedBytes < this.writeHighWaterMark) return Promise.resolve();
    if (this.drain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.drain = { promise, resolve };
    }
    return raceAbort(this.drain.promise, signal);
  }

  private lowDrainPromise(mark: number): Promise<void> {
    const low = this.lowDrain;
    if (low !== undefined) {
      low.mark = Math.min(low.mark, mark);
      return low.promise;
    }
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.lowDrain = { promise, resolve, mark };
    return promise;
  }

  attach(sink: LinkSink): void {
    if (this.sink !== undefined) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'link already has a sink', { action: 'transient' });
    }
    this.sink = sink;
    if (this.closedFlag) {
      sink.onClose(this.reason);
      return;
    }
    this.startReading();
  }

  pause(): void {
    if (this.paused || this.closedFlag) return;
    this.paused = true;
    this.pauseReading();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.closedFlag && this.sink !== undefined) this.resumeReading();
  }

  close(error?: PeerwireError, holdMs = 0): void {
    if (this.closedFlag) {
      this.endHold();
      return;
    }
    if (error === undefined) {
      this.flush();
      this.finish(undefined);
      this.endCarrier();
    } else {
      this.dropPending();
      this.finish(error);
      if (holdMs > 0) this.holdCarrier(error, holdMs);
      else this.destroyCarrier(error);
    }
  }

  /** For subclasses: the carrier's stream ended or broke under us (remote close, reset, cut). */
  protected fail(reason: PeerwireError): void {
    if (this.closedFlag) return;
    this.dropPending();
    this.finish(reason);
    this.destroyCarrier(reason);
  }

  /** For subclasses: pass one received chunk to the sink. */
  protected deliver(chunk: Buffer): void {
    if (!this.closedFlag) this.sink?.onData(chunk);
  }

  /** For subclasses: the carrier passed bytes on; wake drained() waiters if below the mark. */
  protected checkDrain(): void {
    const low = this.lowDrain;
    if (low !== undefined && (this.closedFlag || this.bufferedBytes < low.mark)) {
      this.lowDrain = undefined;
      low.resolve();
    }
    const drain = this.drain;
    if (drain !== undefined && (this.closedFlag || this.bufferedBytes < this.writeHighWaterMark)) {
      this.drain = undefined;
      drain.resolve();
    }
  }

  private enqueue(chunk: Buffer, release?: ChunkRelease): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingRelease.push(release);
    if (release !== undefined) this.pendingReleases++;
    this.pendingBytes += chunk.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushBound);
    }
  }

  private afterWrite(): boolean {
    const buffered = this.bufferedBytes;
    if (buffered > this.options.maxBufferedBytes) {
      this.close(
        new PeerwireError(ErrorCode.Stalled, `write buffer exceeded ${this.options.maxBufferedBytes} bytes`, {
          action: 'disconnect',
          details: { bufferedBytes: buffered },
        }),
      );
      return false;
    }
    return buffered < this.writeHighWaterMark;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.closedFlag) return;
    const bytes = this.pendingBytes;
    this.pendingBytes = 0;
    try {
      this.transmit(this.pending, bytes, this.pendingReleases > 0 ? this.pendingRelease : undefined);
    } finally {
      this.pending.length = 0;
      this.pendingRelease.length = 0;
      this.pendingReleases = 0;
    }
  }

  private dropPending(): void {
    this.pending.length = 0;
    this.pendingRelease.length = 0;
    this.pendingReleases = 0;
    this.pendingBytes = 0;
  }

  private finish(reason: PeerwireError | undefined): void {
    this.closedFlag = true;
    this.reason = reason;
    this.resolveClosed(reason);
    this.checkDrain();
    this.sink?.onClose(reason);
  }

  private closedError(): PeerwireError {
    return new PeerwireError(ErrorCode.Closed, 'link is closed', { cause: this.reason, action: 'transient' });
  }
}
