// The Zcash connection's send scheduler: the one place that decides which frame goes to the link next.
// Why: a `ping` (or `tx`, `inv`) written behind megabytes of `block` frames waits for all of them —
// first in the link's userland buffer, then in the kernel's socket buffers on both ends (several MB on
// loopback). Measured before this file: a ping round trip 175x its idle figure while blocks stream.
//
// How: two FIFO queues, control and bulk (by command, so frames of one command keep their order: the
// bytes of a frame are never split or interleaved, and frames of one kind never reorder). Control
// frames go first. Frames reach the link only while it buffers less than one batch
// (LINK_LOW_WATER_BYTES), so the backlog stays here where the order is decided. Bulk frames are also
// paced (src/transport/send-pacer.ts): a new bulk frame starts only while the bytes the peer has not
// provably read are within a window sized by the queueing delay measured with extra pings, which keeps
// the kernel buffers shallow too (at most the window plus the frame being written).
// Every Zcash and Bitcoin peer answers a ping with a pong carrying its nonce, after reading everything
// before it; the pong of a probe is consumed here and never reaches the client.
// Reordering across kinds is safe on this wire: peers handle each message on its own, and the only
// cross-message rule we know of — a `notfound` ends the wait for a `getdata` reply (our client's rule,
// and possibly other peers') — holds because `notfound` travels in the bulk queue, behind the blocks it
// follows (docs/protocols/zcash.md §7.1).

import { abortReason } from '../../core/abort.ts';
import { closedError } from '../../transport/connection-shell.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { SendPacer } from '../../transport/send-pacer.ts';

/**
 * Bytes the link may buffer before the scheduler stops handing it frames: one 64 KiB batch, what one
 * socket write carries (the same mark as the CometBFT pump, LINK_LOW_WATER_BYTES in
 * src/cometbft/wire/mconnection-pump.ts; BENCHMARKS.md explains the choice).
 */
export const LINK_LOW_WATER_BYTES = 64 * 1024;

/**
 * Bulk frames reach the link in slices of at most this many bytes, so the marks and the pacing window
 * apply within a 1 MiB block and not only between blocks. A frame's slices still leave back to back:
 * nothing is written between them (the wire cannot interleave frames), so a control frame waits for
 * the rest of the block being written — the floor of a ping's wait under a block stream.
 */
export const BULK_SLICE_BYTES = 64 * 1024;

/**
 * Commands sent as bulk: large frames (a block is up to 2 MB, a headers reply ~240 KB) and `notfound`,
 * which must stay behind the blocks of the same getdata reply. Everything else is control.
 */
const BULK_COMMANDS: ReadonlySet<string> = new Set(['block', 'headers', 'notfound']);

export type SendClass = 'control' | 'bulk';

export function sendClassOf(command: string): SendClass {
  return BULK_COMMANDS.has(command) ? 'bulk' : 'control';
}

export interface PacingProbe {
  /** A fresh nonce for a probe ping. */
  nonce(): bigint;
  /** The complete `ping` frame carrying `nonce`. */
  encode(nonce: bigint): Uint8Array;
  /** Time for round trip samples, ms with a fraction (sub-millisecond on loopback). */
  now(): number;
}

interface Queued {
  readonly chunks: readonly Uint8Array[];
  readonly bytes: number;
}

/** A FIFO of frames with an index instead of shift(): O(1) per frame, the array reused once empty. */
class FrameQueue {
  private items: Queued[] = [];
  private head = 0;

  get empty(): boolean {
    return this.head === this.items.length;
  }

  push(item: Queued): void {
    this.items.push(item);
  }

  take(): Queued | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head++] = EMPTY_ITEM;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

const EMPTY_ITEM: Queued = { chunks: [], bytes: 0 };

export class SendScheduler {
  private readonly link: ByteLink;
  private readonly probe: PacingProbe | undefined;
  private readonly pacer: SendPacer | undefined;
  private readonly control = new FrameQueue();
  private readonly bulk = new FrameQueue();
  private queued = 0;
  private probeNonce: bigint | undefined;
  /** The bulk frame being written in slices: its bytes (one buffer) and how far it got. */
  private current: Uint8Array | undefined;
  private currentAt = 0;
  private waitingForLink = false;
  private closed = false;
  private readonly stop = new AbortController();
  /** Callers of drained() waiting for the queues to shrink. */
  private progressWaiters: (() => void)[] = [];

  /** `probe` turns pacing of bulk frames on; without it only the low-water mark applies. */
  constructor(link: ByteLink, probe?: PacingProbe) {
    this.link = link;
    this.probe = probe;
    this.pacer = probe === undefined ? undefined : new SendPacer();
  }

  /** Frames queued here (not yet handed to the link), bytes. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** The pacing window (diagnostics and tests); undefined without pacing. */
  get windowBytes(): number | undefined {
    return this.pacer?.windowBytes;
  }

  /**
   * Queues one frame (its chunks leave together, in order) and writes what may go now. Returns false
   * when this connection holds a link high-water mark's worth or more: wait for `drained()`.
   */
  send(kind: SendClass, chunks: readonly Uint8Array[]): boolean {
    if (this.closed) throw closedError();
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    (kind === 'control' ? this.control : this.bulk).push({ chunks, bytes });
    this.queued += bytes;
    this.pump();
    return this.queued + this.link.bufferedBytes < this.link.writeHighWaterMark;
  }

  /** A pong arrived; true when it answered our probe (then it is ours: do not pass it on). */
  onPong(nonce: bigint): boolean {
    if (this.probeNonce === undefined || nonce !== this.probeNonce) return false;
    this.probeNonce = undefined;
    this.pacer!.onPong(this.probe!.now());
    this.pump();
    return true;
  }

  /** Resolves once this connection holds less than the link's high-water mark (or it closed). */
  async drained(signal?: AbortSignal): Promise<void> {
    while (!this.closed && this.queued > 0 && this.queued + this.link.bufferedBytes >= this.link.writeHighWaterMark) {
      await this.progress(signal);
    }
    if (!this.closed) await this.link.drained(signal);
  }

  /** Hands every queued frame to the link now, ignoring the marks (a graceful close flushes). */
  flush(): void {
    if (this.current !== undefined) {
      this.link.write(this.current.subarray(this.currentAt));
      this.queued -= this.current.length - this.currentAt;
      this.current = undefined;
    }
    for (let item = this.control.take() ?? this.bulk.take(); item !== undefined; item = this.control.take() ?? this.bulk.take()) {
      this.write(item);
    }
  }

  /** Drops what is queued and stops; later sends throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    this.control.clear();
    this.bulk.clear();
    this.current = undefined;
    this.queued = 0;
    this.wakeWaiters();
  }

  private pump(): void {
    if (this.closed) return;
    let wrote = false;
    for (;;) {
      if (this.link.bufferedBytes >= LINK_LOW_WATER_BYTES) {
        this.waitForLink();
        break;
      }
      const control = this.current === undefined ? this.control.take() : undefined;
      if (control !== undefined) {
        this.write(control);
        wrote = true;
        continue;
      }
      if (this.current === undefined && this.bulk.empty) break;
      const pacer = this.pacer;
      if (pacer !== undefined && pacer.room <= 0 && this.current === undefined) {
        // The window is full: its pong reopens it. Only a new frame waits: a frame already started
        // always finishes (the peer's pong to our probe may itself wait behind the frame it is
        // sending us, which waits for our pong: gating mid-frame would deadlock two busy peers).
        if (pacer.wantsProbe) this.writeProbe();
        break;
      }
      const slice = this.nextBulkSlice();
      wrote = true;
      if (pacer !== undefined) {
        pacer.onWritten(slice);
        if (pacer.bytesUntilProbe <= 0 && this.current === undefined) this.writeProbe();
      }
    }
    if (wrote) this.wakeWaiters();
  }

  /** Writes the next slice of the bulk frame in progress (starting the next one); returns its size. */
  private nextBulkSlice(): number {
    if (this.current === undefined) {
      const item = this.bulk.take()!;
      this.current = item.chunks.length === 1 ? item.chunks[0]! : Buffer.concat(item.chunks, item.bytes);
      this.currentAt = 0;
    }
    const frame = this.current;
    const end = Math.min(frame.length, this.currentAt + BULK_SLICE_BYTES);
    this.link.write(frame.subarray(this.currentAt, end));
    const n = end - this.currentAt;
    this.queued -= n;
    this.currentAt = end;
    if (end === frame.length) this.current = undefined;
    return n;
  }

  private write(item: Queued): void {
    this.queued -= item.bytes;
    const chunks = item.chunks;
    if (chunks.length === 1) this.link.write(chunks[0]!);
    else this.link.writev(chunks);
  }

  private writeProbe(): void {
    const probe = this.probe!;
    const nonce = probe.nonce();
    this.link.write(probe.encode(nonce));
    this.probeNonce = nonce;
    this.pacer!.onProbeWritten(probe.now());
  }

  private waitForLink(): void {
    if (this.waitingForLink) return;
    this.waitingForLink = true;
    this.link.drained(this.stop.signal, LINK_LOW_WATER_BYTES).then(
      () => {
        this.waitingForLink = false;
        this.pump();
      },
      () => {
        this.waitingForLink = false; // closed: nothing more to write
      },
    );
  }

  private progress(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.progressWaiters = this.progressWaiters.filter((w) => w !== wake);
        reject(abortReason(signal!));
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.progressWaiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wakeWaiters(): void {
    if (this.progressWaiters.length === 0) return;
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const wake of waiters) wake();
  }
}
