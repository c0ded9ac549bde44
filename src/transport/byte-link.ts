// A ByteLink is one raw, ordered, reliable byte stream between two endpoints (a TCP socket, or an
// in-process memory pipe) with the two properties every wire needs and no framing of its own:
//   - a batched write path: all chunks written in one tick leave in one socket write (no syscall per
//     frame, no timer-based latency floor), with explicit backpressure (`write` returns false above the
//     high-water mark, `drained()` resolves below it);
//   - a paced read path: chunks are pushed to one attached sink, and the sink's owner pauses the link
//     when its consumer lags, so the carrier stops reading and backpressure reaches the remote.
// Carriers (tcp-carrier.ts, memory-carrier.ts) produce links; wires (the plain test wire, CometBFT's
// SecretConnection + MConnection, Zcash's codec) turn a link into a Connection.

import type { PeerwireError } from '../core/errors.ts';
import type { Endpoint } from './types.ts';

/** Receives a link's bytes and its end. Both callbacks run synchronously inside the carrier's events. */
export interface LinkSink {
  /**
   * One chunk of the stream, in order. Chunk boundaries mean nothing (a frame may span chunks). The
   * chunk is owned by the receiver: it is never reused by the link, so views into it stay valid.
   */
  onData(chunk: Buffer): void;
  /**
   * The link closed: `reason` is undefined for a local close without error; a remote end of stream is
   * ERR_CLOSED, a broken link ERR_CONNECTION_FAILED. Called once, after the last onData.
   */
  onClose(reason: PeerwireError | undefined): void;
}

/** See ByteLink.write. */
export type ChunkRelease = (chunk: Buffer) => void;

export interface ByteLink {
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  /**
   * Queues a chunk; it leaves with every other chunk written in the same tick. The link keeps a
   * reference until the bytes are written: the caller must not modify the chunk afterwards. Returns
   * false when the buffered bytes are at or above the high-water mark (wait for `drained()`). Throws
   * ERR_CLOSED after close. A chunk is a unit of loss on lossy test links (see memory-link.ts).
   * `release`, when given, is called with the chunk once the link holds no reference to its bytes any
   * more (the kernel took them, or they were copied), so the caller may reuse the memory; a link may
   * never call it (then the chunk is simply garbage), and never calls it twice.
   */
  write(chunk: Uint8Array, release?: ChunkRelease): boolean;
  /** Like `write` for several chunks that form one unit (a frame header and its payload). */
  writev(chunks: readonly Uint8Array[]): boolean;
  /** Bytes written and not yet accepted by the kernel (TCP) or delivered to the remote (memory). */
  readonly bufferedBytes: number;
  /** The high-water mark `write` compares `bufferedBytes` against, in bytes. */
  readonly writeHighWaterMark: number;
  /**
   * Resolves once `bufferedBytes` is below the high-water mark, or the link closed. With `belowBytes`
   * (smaller than the mark), once it is below that instead: a scheduler that keeps only one batch
   * committed below itself waits for this low-water mark.
   */
  drained(signal?: AbortSignal, belowBytes?: number): Promise<void>;
  /**
   * Starts delivery to `sink` (exactly once). Nothing is read before: bytes wait in the carrier. If the
   * link already closed, `sink.onClose` runs at once.
   */
  attach(sink: LinkSink): void;
  /** Stops delivering chunks (the carrier stops reading, so the remote's writes back up). Idempotent. */
  pause(): void;
  /** Resumes delivery (asynchronously: never re-enters the caller). Idempotent. */
  resume(): void;
  readonly isPaused: boolean;
  /**
   * Closes the link (idempotent). Without an error the chunks already written are flushed first and the
   * stream ends gracefully (bounded by a linger time); with an error the link is torn down at once and
   * unsent bytes are discarded.
   *
   * With an error and `holdMs` > 0 the link is closed for its user at once, but the carrier may keep
   * the stream open, unread and silent, for up to `holdMs` before tearing it down: a refusal the
   * remote learns of only later, so a remote that reconnects as soon as it is dropped is slowed down
   * instead of costing a connection each time. A second close() ends such a hold at once. Carriers
   * without a stream to keep tear down at once.
   */
  close(error?: PeerwireError, holdMs?: number): void;
  readonly isClosed: boolean;
  /** Resolves at close with the reason (undefined for a local close without error). */
  readonly closed: Promise<PeerwireError | undefined>;
}

/** Tuning shared by every carrier's links. */
export interface LinkOptions {
  /**
   * `write` returns false once this many bytes are buffered. Default 1 MiB: enough to keep a
   * 100 Mbit/s x 80 ms path full, small enough that a stalled peer costs little.
   */
  readonly writeHighWaterMark?: number;
  /**
   * Hard limit on buffered bytes: a writer that ignores backpressure past this closes the link with
   * ERR_STALLED instead of growing memory. Default 32 MiB (the high-water mark plus several maximum
   * size messages).
   */
  readonly maxBufferedBytes?: number;
  /**
   * How long a graceful close may take to flush buffered bytes before the link is torn down, in ms.
   * Default 2000: a healthy peer drains a 1 MiB buffer in far less; a stalled one must not pin a socket.
   */
  readonly lingerMs?: number;
}

export const DEFAULT_WRITE_HIGH_WATER_MARK = 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
export const DEFAULT_LINGER_MS = 2000;

export interface ResolvedLinkOptions {
  readonly writeHighWaterMark: number;
  readonly maxBufferedBytes: number;
  readonly lingerMs: number;
}

export function resolveLinkOptions(options: LinkOptions = {}): ResolvedLinkOptions {
  const writeHighWaterMark = options.writeHighWaterMark ?? DEFAULT_WRITE_HIGH_WATER_MARK;
  return {
    writeHighWaterMark,
    maxBufferedBytes: Math.max(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, writeHighWaterMark),
    lingerMs: options.lingerMs ?? DEFAULT_LINGER_MS,
  };
}
