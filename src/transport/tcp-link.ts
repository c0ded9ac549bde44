// A ByteLink over one node:net socket. One tick's chunks leave in one corked burst: small chunks are
// copied into a single buffer (a memcpy is far cheaper than a stream write() call, ~4.7 us each here),
// large ones are passed by reference, and uncork hands everything to libuv as one writev. Reads pause
// the socket, so the kernel's receive window closes and the remote's writes back up.

import type { Socket } from 'node:net';
import { ErrorCode, PeerwireError, toPeerwireError } from '../core/errors.ts';
import { BaseByteLink } from './base-link.ts';
import type { ChunkRelease, ResolvedLinkOptions } from './byte-link.ts';
import { tcpEndpoint } from './endpoint.ts';
import { ReusableBuffers } from './reusable-buffers.ts';

/** Chunks below this size are copied into a coalescing buffer; larger ones are written as they are. */
const COPY_BELOW_BYTES = 16 * 1024;
/** Largest coalescing buffer: the size of a loopback/TSO-friendly write; bigger gains nothing. */
const COALESCE_MAX_BYTES = 64 * 1024;
/** Idle coalescing buffers kept by the process: one per link writing in the same turn is plenty. */
const POOLED_COALESCE_BUFFERS = 8;
/**
 * Coalescing buffers, taken back when the kernel took the whole write within the call (a paced link's
 * small writes coalesce every turn; a new buffer each time was one byte of ArrayBuffer memory per byte
 * sent: reusable-buffers.ts).
 */
const coalesceBuffers = new ReusableBuffers(COALESCE_MAX_BYTES, POOLED_COALESCE_BUFFERS);

/** Where a socket's shared listeners (below) find their link. */
const LINK = Symbol('peerwire.tcpLink');
type LinkedSocket = Socket & { [LINK]?: TcpLink };

// The socket's listeners: one function each for every link, called with the socket as `this`.
function onSocketClose(this: LinkedSocket): void {
  this[LINK]?.socketClosed();
}

function onSocketError(this: LinkedSocket, error: Error): void {
  this[LINK]?.socketFailed(toPeerwireError(error, ErrorCode.ConnectionFailed, 'transient'));
}

function onSocketEnd(this: LinkedSocket): void {
  this[LINK]?.socketFailed(
    new PeerwireError(ErrorCode.Closed, 'connection closed by the remote', { action: 'transient' }),
  );
}

function onSocketData(this: LinkedSocket, chunk: Buffer): void {
  this[LINK]?.socketData(chunk);
}

export class TcpLink extends BaseByteLink {
  private readonly socket: Socket;
  /** Called once when the socket handle is fully closed (a carrier forgets the link then). */
  private readonly onFinished: ((link: TcpLink) => void) | undefined;
  private closedSocket = false;
  /** `finished`, created when first asked for (a carrier's close() is the only reader). */
  private finishedWait: { promise: Promise<void>; resolve: () => void } | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Tears down a refused socket held quietly (holdCarrier); cleared when the socket closes. */
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly onWritten = (): void => this.checkDrain();

  /**
   * Memory per idle connection (BENCHMARKS.md): the socket's listeners are functions shared by every
   * link, which find their link through a property of the socket, and `finished` is a promise only
   * once someone waits for it; before, each link held four listener closures, two `once` wrappers and
   * a promise with a pending reaction (about 0.8 KiB).
   */
  constructor(socket: Socket, options: ResolvedLinkOptions, onFinished?: (link: TcpLink) => void) {
    super(
      tcpEndpoint(socket.localAddress ?? '', socket.localPort ?? 0),
      tcpEndpoint(socket.remoteAddress ?? '', socket.remotePort ?? 0),
      options,
    );
    this.socket = socket;
    this.onFinished = onFinished;
    socket.setNoDelay(true);
    (socket as LinkedSocket)[LINK] = this;
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    socket.on('end', onSocketEnd);
    if (socket.destroyed) {
      this.fail(new PeerwireError(ErrorCode.ConnectionFailed, 'socket closed', { action: 'transient' }));
    }
  }

  /** Resolves once the socket handle is fully closed (no file descriptor left). */
  get finished(): Promise<void> {
    if (this.closedSocket) return Promise.resolve();
    if (this.finishedWait === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.finishedWait = { promise, resolve };
    }
    return this.finishedWait.promise;
  }

  /** The socket closed (its listener; not for other callers). */
  socketClosed(): void {
    if (this.closedSocket) return;
    this.closedSocket = true;
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.fail(new PeerwireError(ErrorCode.ConnectionFailed, 'socket closed', { action: 'transient' }));
    this.finishedWait?.resolve();
    this.finishedWait = undefined;
    this.onFinished?.(this);
  }

  /** The socket broke or the remote ended it (its listeners; not for other callers). */
  socketFailed(reason: PeerwireError): void {
    this.fail(reason);
  }

  /** The socket read `chunk` (its listener; not for other callers). */
  socketData(chunk: Buffer): void {
    this.deliver(chunk);
  }

  protected transmit(
    chunks: readonly Buffer[],
    bytes: number,
    releases: readonly (ChunkRelease | undefined)[] | undefined,
  ): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    const count = chunks.length;
    if (count === 1) {
      socket.write(chunks[0]!, this.onWritten);
      if (releases !== undefined) releaseWritten(socket, chunks, releases, 0, 1);
      return;
    }
    // Reused buffers only while nothing waits in Node's queue: then the kernel usually takes the write
    // at once and the buffer comes back. Behind a queue the write waits too, and a 64 KiB buffer held
    // for a few small chunks would be memory for nothing.
    const reuse = socket.writableLength === 0;
    if (bytes <= COALESCE_MAX_BYTES) {
      const pooled = reuse ? coalesceBuffers.take(bytes) : undefined;
      socket.write(concat(chunks, 0, count, bytes, pooled), this.onWritten);
      if (releases !== undefined) releaseRange(chunks, releases, 0, count); // copied
      if (pooled !== undefined && socket.writableLength === 0) coalesceBuffers.give(pooled);
      return;
    }
    socket.cork();
    let taken: Buffer[] | undefined;
    let i = 0;
    while (i < count) {
      const chunk = chunks[i]!;
      if (chunk.length >= COPY_BELOW_BYTES) {
        socket.write(chunk, this.onWritten);
        i++;
        continue;
      }
      let end = i;
      let run = 0;
      while (
        end < count &&
        chunks[end]!.length < COPY_BELOW_BYTES &&
        run + chunks[end]!.length <= COALESCE_MAX_BYTES
      ) {
        run += chunks[end]!.length;
        end++;
      }
      if (end - i === 1) {
        socket.write(chunk, this.onWritten);
      } else {
        const pooled = reuse ? coalesceBuffers.take(run) : undefined;
        if (pooled !== undefined) (taken ??= []).push(pooled);
        socket.write(concat(chunks, i, end, run, pooled), this.onWritten);
      }
      i = end;
    }
    socket.uncork();
    // Some went by reference: all are released once the kernel has every byte (a rare miss leaves
    // the copied ones to the garbage collector too).
    if (releases !== undefined) releaseWritten(socket, chunks, releases, 0, count);
    if (taken !== undefined && socket.writableLength === 0) for (const t of taken) coalesceBuffers.give(t);
  }

  protected carrierBufferedBytes(): number {
    return this.socket.writableLength;
  }

  protected startReading(): void {
    this.socket.on('data', onSocketData);
    if (this.isPaused) this.socket.pause();
  }

  protected pauseReading(): void {
    this.socket.pause();
  }

  protected resumeReading(): void {
    this.socket.resume();
  }

  protected endCarrier(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.end();
    // Keep reading (and discarding) so the remote's FIN is seen and the handle can close.
    socket.resume();
    this.lingerTimer = setTimeout(() => socket.destroy(), this.options.lingerMs);
    this.lingerTimer.unref();
  }

  /**
   * Keeps a refused socket open and unread: no FIN is sent, so a remote that reconnects as soon as it
   * sees one waits instead; whatever it sends stays in the kernel (its window closes). The handle and
   * its descriptor are released when the timer fires, on a second close(), or when the socket errors.
   */
  protected override holdCarrier(_reason: PeerwireError, ms: number): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.pause();
    this.holdTimer = setTimeout(() => socket.destroy(), ms);
    this.holdTimer.unref();
  }

  protected override endHold(): void {
    if (this.holdTimer === undefined) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.socket.destroy();
  }

  protected destroyCarrier(_reason: PeerwireError): void {
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.socket.destroy();
  }
}

/** Calls the releases of chunks[from, to), whose bytes were copied. */
function releaseRange(
  chunks: readonly Buffer[],
  releases: readonly (ChunkRelease | undefined)[],
  from: number,
  to: number,
): void {
  for (let k = from; k < to; k++) releases[k]?.(chunks[k]!);
}

/**
 * Releases chunks[from, to), written by reference, if the socket handed every byte to the kernel within
 * the write call (nothing waits in Node's queue: libuv's write completed at once, as it does while the
 * kernel's buffer has room). Otherwise the references stay with Node until written, and the chunks are
 * left to the garbage collector.
 */
function releaseWritten(
  socket: Socket,
  chunks: readonly Buffer[],
  releases: readonly (ChunkRelease | undefined)[],
  from: number,
  to: number,
): void {
  if (socket.writableLength === 0) releaseRange(chunks, releases, from, to);
}

/**
 * chunks[from, to) copied into `bytes` bytes: `into` (a reusable buffer's view of exactly `bytes`) when
 * given, else a new buffer. Only a buffer taken from coalesceBuffers is given back there: a slice of Node's own pool
 * can start a 64 KiB slab (Node 24's pool size) and must never be handed out as ours.
 */
function concat(chunks: readonly Buffer[], from: number, to: number, bytes: number, into?: Buffer): Buffer {
  const out = into ?? Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = from; i < to; i++) {
    const chunk = chunks[i]!;
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
