// Reads uvarint-length-prefixed messages out of a byte stream (Go's protoio delimited reader), the
// framing CometBFT uses inside the SecretConnection for the NodeInfo (max 10,240 bytes) and then for
// every MConnection Packet (max 1,034 bytes, §3.2). Bytes arrive in arbitrary chunks (one decrypted
// frame, several packets, half a prefix); the reader keeps views of the pushed chunks and hands back
// each message as a view when it lies inside one chunk. A message that straddles chunks is either
// copied once into an exact-size buffer (`next`, for callers that keep it) or gathered into one scratch
// buffer shared by every reader (`nextTransient`, for the MConnection hot path: a 1,036-byte packet
// never lines up with a 1,024-byte SecretConnection frame, and reassembly copies the data anyway). The
// announced length is checked against the limit before anything is allocated, and nothing is
// allocated until the whole message has arrived, so memory stays proportional to the input.

import { malformed, frameTooLarge } from './mconn-errors.ts';

/** A uvarint length prefix is at most 10 bytes; any limit used here needs far fewer. */
const MAX_PREFIX_BYTES = 10;
/** The empty message (a zero length prefix); shared, it has no bytes to modify. */
const EMPTY: Uint8Array = new Uint8Array(0);
/**
 * First size of the shared gather buffer: 2 KiB holds any MConnection packet (1,034 bytes) with room
 * for a larger payload setting. It grows only to a message size a reader's limit allowed and that has
 * fully arrived, so its size stays bounded by the largest limit in use and by real input.
 */
const SCRATCH_INITIAL_BYTES = 2048;

/**
 * The gather buffer of `nextTransient`, shared by all readers: the hot path consumes each message
 * synchronously before asking for the next, so one buffer per process is enough (no memory per
 * connection). Allocated on first use.
 */
let scratch: Uint8Array | undefined;

export class DelimitedReader {
  /** Largest message accepted (the length prefix excluded). May be changed between messages. */
  maxMessageSize: number;
  private chunks: Uint8Array[] = [];
  /** Read position inside chunks[0]. */
  private offset = 0;
  private buffered = 0;
  private allocated = 0;
  private transient = false;

  constructor(maxMessageSize: number) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Bytes pushed and not yet returned as (part of) a message. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Total bytes this reader allocated for messages straddling chunks (a test hook for the bound). */
  get allocatedBytes(): number {
    return this.allocated;
  }

  /**
   * Adds stream bytes. The reader keeps a view, so the caller must not reuse `chunk` afterwards. Call
   * `next()` until it returns undefined after each push: unread bytes are held, not dropped.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete message, or undefined when more bytes are needed. Throws ERR_FRAME_TOO_LARGE when
   * a prefix announces more than maxMessageSize, ERR_MALFORMED for a prefix over 10 bytes. The returned
   * bytes may be a view of a pushed chunk.
   */
  next(): Uint8Array | undefined {
    const length = this.readPrefix();
    if (length < 0) return undefined;
    return this.take(length, false);
  }

  /**
   * Like `next`, but a message that straddles chunks is gathered into a scratch buffer shared by every
   * DelimitedReader instead of a fresh copy; `lastTransient` then reads true. Such bytes are valid only
   * until the next `nextTransient` call on any reader: consume (or copy) them before that. A message
   * inside one chunk is a view of that chunk, exactly as with `next` (lastTransient false).
   */
  nextTransient(): Uint8Array | undefined {
    const length = this.readPrefix();
    if (length < 0) return undefined;
    return this.take(length, true);
  }

  /**
   * The chunk the next message starts in and the read position in it (undefined when nothing is
   * buffered): for a caller that reads messages in place (MConnectionCore.receiveRun) and then says
   * how far it read with `skip`. Length prefixes and limits are then the caller's to check.
   */
  get head(): Uint8Array | undefined {
    return this.chunks[0];
  }

  get headOffset(): number {
    return this.offset;
  }

  /** Consumes `count` bytes the caller read in place (at most what `head` holds past `headOffset`). */
  skip(count: number): void {
    this.consume(count);
    this.dropEmptyHead();
  }

  /** Whether the last `nextTransient` result lives in the shared scratch buffer (see there). */
  get lastTransient(): boolean {
    return this.transient;
  }

  /**
   * Decodes the next length prefix and consumes it once the whole message is buffered; returns the
   * message length, or -1 when more bytes are needed (nothing consumed then).
   */
  private readPrefix(): number {
    this.transient = false;
    if (this.buffered === 0) return -1;
    // Decode the prefix without consuming it: it may straddle chunks.
    let length = 0;
    let prefixBytes = 0;
    let chunkIndex = 0;
    let pos = this.offset;
    for (;;) {
      const chunk = this.chunks[chunkIndex];
      if (chunk === undefined) return -1; // prefix incomplete
      if (pos >= chunk.length) {
        chunkIndex++;
        pos = 0;
        continue;
      }
      const b = chunk[pos++]!;
      // Multiplying keeps exactness past 32 bits; any value over the limit fails below anyway.
      length += (b & 0x7f) * 2 ** (7 * prefixBytes);
      prefixBytes++;
      if (b < 0x80) break;
      if (prefixBytes >= MAX_PREFIX_BYTES) throw malformed('length prefix (longer than 10 bytes)');
      if (length > this.maxMessageSize) throw frameTooLarge(length, this.maxMessageSize);
    }
    if (length > this.maxMessageSize) throw frameTooLarge(length, this.maxMessageSize);
    if (this.buffered < prefixBytes + length) return -1;
    this.consume(prefixBytes);
    return length;
  }

  /**
   * Copies the unread bytes into one buffer of the reader's own, so that the chunks pushed so far may
   * be reused by whoever owns them (a transient view: the SecretConnection opener's shared buffer).
   * After the caller has read every complete message, at most one partial message is left, so the
   * copy is bounded by a prefix plus maxMessageSize.
   */
  retainUnread(): void {
    const chunks = this.chunks;
    if (this.buffered === 0) {
      chunks.length = 0;
      this.offset = 0;
      return;
    }
    const own = new Uint8Array(this.buffered);
    let filled = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const from = i === 0 ? this.offset : 0;
      own.set(from === 0 ? chunk : chunk.subarray(from), filled);
      filled += chunk.length - from;
    }
    chunks.length = 0;
    chunks.push(own);
    this.offset = 0;
  }

  /** Hands back every unread byte (views) and empties the reader, e.g. to pass them to the next layer. */
  takeRemaining(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const view = i === 0 ? chunk.subarray(this.offset) : chunk;
      if (view.length > 0) out.push(view);
    }
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return out;
  }

  private consume(count: number): void {
    this.buffered -= count;
    while (count > 0) {
      const chunk = this.chunks[0]!;
      const available = chunk.length - this.offset;
      if (count < available) {
        this.offset += count;
        return;
      }
      count -= available;
      this.chunks.shift();
      this.offset = 0;
    }
    this.dropEmptyHead();
  }

  private take(length: number, transient: boolean): Uint8Array {
    this.buffered -= length;
    const head = this.chunks[0];
    if (head === undefined || length === 0) return EMPTY;
    if (head.length - this.offset >= length) {
      const view = head.subarray(this.offset, this.offset + length);
      this.offset += length;
      this.dropEmptyHead();
      return view;
    }
    let out: Uint8Array;
    if (transient) {
      if (scratch === undefined || scratch.length < length) {
        scratch = new Uint8Array(Math.max(length, SCRATCH_INITIAL_BYTES));
      }
      out = scratch;
      this.transient = true;
    } else {
      out = new Uint8Array(length);
      this.allocated += length;
    }
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const n = Math.min(length - filled, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.offset += n;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.dropEmptyHead();
    return out.length === length ? out : out.subarray(0, length);
  }

  private dropEmptyHead(): void {
    const head = this.chunks[0];
    if (head !== undefined && this.offset >= head.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
