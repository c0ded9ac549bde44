// A sans-I/O streaming frame decoder: feed it socket chunks of any size with `push`, then pull
// frames with `next` until it returns undefined. Pulling (rather than callbacks) lets the caller
// switch the body limit between two frames of the same chunk — the handshake ends on `verack` and
// the frame right behind it is already decoded under the 2 MiB limit — and keeps the hot path free
// of per-message closures.
//
// Memory: a header is validated as soon as its 24 bytes are here (bad magic, malformed command and
// oversize fail before any body byte is buffered); a body that lies inside one chunk is returned as
// a view of it (zero copy, hashed in place). A body split across chunks is hashed piece by piece as the
// pieces arrive (the inner SHA-256 streamed), kept as views of its chunks until half of it is here,
// then copied into one buffer allocated at its full length (never more than twice the bytes actually
// received, whatever the header claims), the rest copied in as it arrives; the buffer leaves room in
// front for the command so a connection can hand the router command + body without a second copy. A
// 1 MiB block read in 64 KiB socket chunks costs one copy and one pass of the hash. A consumer that is
// done with each frame before pulling the next can have split bodies gathered into one buffer the
// decoder keeps (`reuseSplitBodies`): fresh memory costs a 1 MiB body more than its copy (page faults
// and cache misses on this VM; BENCHMARKS.md). A failed decoder stays failed: the caller closes the
// connection.

import { PeerwireError } from '../../core/errors.ts';
import { CHECKSUM_LENGTH, COMMAND_LENGTH, HEADER_LENGTH, MAX_PROTOCOL_MESSAGE_LENGTH } from '../encoding/constants.ts';
import { ZcashErrorCode } from '../encoding/errors.ts';
import {
  type Magic,
  type MalformedCommandPolicy,
  badChecksum,
  badCommand,
  badMagic,
  frameTooLarge,
  knownCommandAt,
  malformedCommandName,
  parseCommand,
} from './frame-header.ts';
import { EMPTY_BODY_DIGEST, Sha256dStream, sha256d } from '../encoding/hashes.ts';

const EMPTY = new Uint8Array(0);

/**
 * A split body's buffer is allocated once 1/JOIN_AT_FRACTION of the body has arrived; before that its
 * pieces are kept as views of the chunks that carry them. The header's length is the peer's claim: a
 * header announcing 2 MiB followed by a trickle must not make us allocate 2 MiB per connection, so the
 * allocation never exceeds twice the bytes actually received (plus the 12-byte command). From then on
 * each piece is copied in as it arrives (the chunk is released at once) instead of in one pass at the end.
 */
const JOIN_AT_FRACTION = 2;

export interface FrameDecoderOptions {
  /** The network's 4 magic bytes; any other magic fails at header time. */
  readonly magic: Magic;
  /** Largest accepted body; switch with `setMaxBodyLength` (Zebra: 1024 until the handshake completes). */
  readonly maxBodyLength: number;
  /** Malformed command fields: 'reject' (default) or 'ignore' (Zebra: surfaced as an unknown command). */
  readonly malformedCommand?: MalformedCommandPolicy;
  /**
   * Gather every body that arrives split across chunks into one buffer the decoder keeps and reuses
   * (grown to the largest such body, so at most the body limit + 12 bytes per decoder) instead of a
   * buffer of its own per body. A frame, and anything decoded from it, is then valid only until the next
   * call to `next()`: for consumers that finish with each message first (a hasher, an indexer, a relay
   * that forwards at once). Default false: the caller may keep every frame.
   */
  readonly reuseSplitBodies?: boolean;
}

export interface Frame {
  /** Command name; for an ignored malformed command, `0x` + the 12 bytes in hex. */
  readonly command: string;
  /** True when `command` is one of Zebra's commands (exact 12-byte match, NUL padding included). */
  readonly known: boolean;
  /** The body (a view into the pushed chunk when it was contiguous; do not mutate pushed chunks). */
  readonly body: Uint8Array;
  /** SHA-256d of the body (32 bytes), already computed for the checksum. */
  readonly digest: Uint8Array;
  /**
   * When the body was gathered from several chunks: the command (12 bytes, NUL-padded) followed by
   * the body, in the one buffer the body was joined into (the join leaves room for it). A Zcash
   * connection hands this to the router as the message's envelope without copying the body again.
   */
  readonly envelope?: Uint8Array;
}

export class FrameDecoder {
  private readonly magic: Magic;
  private readonly malformedPolicy: MalformedCommandPolicy;
  private readonly reuseSplitBodies: boolean;
  private maxBody: number;

  private chunks: Uint8Array[] = [];
  private chunkIndex = 0;
  private pos = 0;
  private queued = 0;

  private readonly headerScratch = new Uint8Array(HEADER_LENGTH);
  private headerFill = 0;
  private inBody = false;
  private command = '';
  private known = false;
  private bodyLength = 0;
  private checksum0 = 0;
  private checksum1 = 0;
  private checksum2 = 0;
  private checksum3 = 0;
  /** Views of the chunks carrying a split body, joined once when the body is complete. */
  private partial: Uint8Array[] = [];
  private partialFill = 0;
  /** Bytes of the chunks those views keep alive (each chunk counted once, when first used). */
  private partialRetained = 0;
  private failure: PeerwireError | undefined;
  /** Inner SHA-256 of the split body so far, fed piece by piece as pieces arrive. */
  private bodyHash: Sha256dStream | undefined;
  /** The split body's buffer, once allocated (see JOIN_AT_FRACTION). */
  private joined: Buffer | undefined;
  /** SHA-256d of the body just joined, from `bodyHash`. */
  private streamedDigest: Uint8Array | undefined;
  /** The envelope view of the body just joined (see Frame.envelope). */
  private joinedEnvelope: Uint8Array | undefined;
  /** With `reuseSplitBodies`: the buffer every split body is gathered into. */
  private reusedBuffer: Buffer | undefined;

  constructor(options: FrameDecoderOptions) {
    if (options.magic.length !== 4)
      throw new PeerwireError('ERR_INVALID_ARGUMENT', 'magic must be 4 bytes', { action: 'transient' });
    this.magic = options.magic;
    this.maxBody = options.maxBodyLength;
    this.malformedPolicy = options.malformedCommand ?? 'reject';
    this.reuseSplitBodies = options.reuseSplitBodies ?? false;
  }

  /** Current body limit. */
  get maxBodyLength(): number {
    return this.maxBody;
  }

  /** Changes the body limit for frames whose header has not been decoded yet. */
  setMaxBodyLength(max: number): void {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new PeerwireError('ERR_INVALID_ARGUMENT', `invalid max body length ${max}`, {
        action: 'transient',
      });
    }
    this.maxBody = max;
  }

  /** Bytes received but not yet returned in a frame. */
  get bufferedBytes(): number {
    return this.queued + this.headerFill + this.partialFill;
  }

  /**
   * Memory the decoder holds: queued chunk bytes, the header scratch, the chunks a split body's views
   * keep alive, and the reused body buffer. Bounded by about twice the bytes received for the current
   * frame, whatever its header claims (plus, when reusing, the largest body gathered before).
   */
  get retainedBytes(): number {
    const idleReused = this.joined === undefined ? (this.reusedBuffer?.byteLength ?? 0) : 0;
    return this.queued + HEADER_LENGTH + this.partialRetained + idleReused;
  }

  /**
   * Queues a chunk. The caller drains with `next()` after each push; queuing more than one maximum
   * frame without draining fails with ERR_ZCASH_DECODER_OVERFLOW.
   */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (chunk.length === 0) return;
    if (
      this.queued > 0 &&
      this.queued + chunk.length > HEADER_LENGTH + Math.max(this.maxBody, MAX_PROTOCOL_MESSAGE_LENGTH)
    ) {
      throw this.fail(
        new PeerwireError(ZcashErrorCode.DecoderOverflow, 'frame decoder not drained between pushes', {
          action: 'transient',
        }),
      );
    }
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /** The next complete, checksum-verified frame, or undefined when more bytes are needed. */
  next(): Frame | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (!this.inBody && !this.readHeader()) return undefined;
    const body = this.readBody();
    if (body === undefined) return undefined;
    return this.finishFrame(body);
  }

  private fail(err: PeerwireError): PeerwireError {
    this.failure = err;
    this.chunks = [];
    this.chunkIndex = 0;
    this.queued = 0;
    this.partial = [];
    this.partialRetained = 0;
    this.joined = undefined;
    this.reusedBuffer = undefined;
    this.bodyHash = undefined;
    return err;
  }

  /** Advances past exhausted chunks; returns the current chunk or undefined. */
  private current(): Uint8Array | undefined {
    for (;;) {
      const c = this.chunks[this.chunkIndex];
      if (c === undefined) {
        if (this.chunkIndex > 0) {
          this.chunks.length = 0; // reuse the array: no allocation per push
          this.chunkIndex = 0;
        }
        return undefined;
      }
      if (this.pos < c.length) return c;
      this.chunks[this.chunkIndex] = EMPTY; // release the chunk now
      this.chunkIndex++;
      this.pos = 0;
    }
  }

  private readHeader(): boolean {
    let c = this.current();
    if (c === undefined) return false;
    let h: Uint8Array;
    let o: number;
    if (this.headerFill === 0 && c.length - this.pos >= HEADER_LENGTH) {
      h = c;
      o = this.pos;
      this.pos += HEADER_LENGTH;
      this.queued -= HEADER_LENGTH;
    } else {
      while (this.headerFill < HEADER_LENGTH) {
        if (c === undefined) return false;
        const n = Math.min(HEADER_LENGTH - this.headerFill, c.length - this.pos);
        this.headerScratch.set(c.subarray(this.pos, this.pos + n), this.headerFill);
        this.headerFill += n;
        this.pos += n;
        this.queued -= n;
        if (this.headerFill < HEADER_LENGTH) c = this.current();
      }
      h = this.headerScratch;
      o = 0;
      this.headerFill = 0;
    }
    const m = this.magic;
    if (h[o] !== m[0] || h[o + 1] !== m[1] || h[o + 2] !== m[2] || h[o + 3] !== m[3])
      throw this.fail(badMagic(h, o, m));
    let known = true;
    let command: string | undefined = knownCommandAt(h, o + 4);
    if (command === undefined) {
      known = false;
      command = parseCommand(h, o + 4);
    }
    if (command === undefined) {
      if (this.malformedPolicy === 'reject') throw this.fail(badCommand(h, o + 4));
      command = malformedCommandName(h, o + 4);
    }
    const length = (h[o + 16]! | (h[o + 17]! << 8) | (h[o + 18]! << 16) | (h[o + 19]! << 24)) >>> 0;
    if (length > this.maxBody) throw this.fail(frameTooLarge(length, this.maxBody));
    const k = o + HEADER_LENGTH - CHECKSUM_LENGTH;
    this.checksum0 = h[k]!;
    this.checksum1 = h[k + 1]!;
    this.checksum2 = h[k + 2]!;
    this.checksum3 = h[k + 3]!;
    this.command = command;
    this.known = known;
    this.bodyLength = length;
    this.inBody = true;
    return true;
  }

  private readBody(): Uint8Array | undefined {
    const len = this.bodyLength;
    if (len === 0) return EMPTY;
    let c = this.current();
    if (c === undefined) return undefined;
    if (this.partialFill === 0 && c.length - this.pos >= len) {
      const body = c.subarray(this.pos, this.pos + len);
      this.pos += len;
      this.queued -= len;
      return body;
    }
    while (c !== undefined) {
      const n = Math.min(len - this.partialFill, c.length - this.pos);
      const piece = c.subarray(this.pos, this.pos + n);
      // Verification overlaps arrival: the piece is hashed now, while it is in the CPU cache.
      (this.bodyHash ??= new Sha256dStream()).update(piece);
      if (this.joined !== undefined) {
        this.joined.set(piece, COMMAND_LENGTH + this.partialFill);
      } else {
        this.partial.push(piece);
        this.partialRetained += c.byteLength;
      }
      this.partialFill += n;
      this.pos += n;
      this.queued -= n;
      if (this.joined === undefined && this.partialFill * JOIN_AT_FRACTION >= len) this.startJoin(len);
      if (this.partialFill === len) {
        const joined = this.joined!;
        this.joinedEnvelope = new Uint8Array(joined.buffer, joined.byteOffset, COMMAND_LENGTH + len);
        this.streamedDigest = this.bodyHash.digest();
        this.bodyHash = undefined;
        this.joined = undefined;
        this.partialFill = 0;
        this.partialRetained = 0;
        return this.joinedEnvelope.subarray(COMMAND_LENGTH);
      }
      c = this.current();
    }
    return undefined;
  }

  /**
   * Allocates the split body's buffer (no zero fill; or takes the reused one, grown when too small),
   * with the command in front (Frame.envelope), and copies the pieces received so far; later pieces
   * are copied in as they arrive.
   */
  private startJoin(len: number): void {
    const joined = this.reuseSplitBodies ? this.reusableBuffer(COMMAND_LENGTH + len) : Buffer.allocUnsafe(COMMAND_LENGTH + len);
    joined.fill(0, 0, COMMAND_LENGTH);
    joined.write(this.command, 0, COMMAND_LENGTH, 'latin1');
    let at = COMMAND_LENGTH;
    for (const part of this.partial) {
      joined.set(part, at);
      at += part.length;
    }
    this.partial = [];
    this.partialRetained = joined.byteLength;
    this.joined = joined;
  }

  private reusableBuffer(size: number): Buffer {
    if (this.reusedBuffer === undefined || this.reusedBuffer.byteLength < size) this.reusedBuffer = Buffer.allocUnsafe(size);
    return this.reusedBuffer;
  }

  private finishFrame(body: Uint8Array): Frame {
    const streamed = this.streamedDigest;
    this.streamedDigest = undefined;
    const digest = streamed ?? (body.length === 0 ? EMPTY_BODY_DIGEST : sha256d(body));
    if (
      digest[0] !== this.checksum0 ||
      digest[1] !== this.checksum1 ||
      digest[2] !== this.checksum2 ||
      digest[3] !== this.checksum3
    ) {
      throw this.fail(badChecksum(this.command));
    }
    this.inBody = false;
    const envelope = this.joinedEnvelope;
    if (envelope === undefined) return { command: this.command, known: this.known, body, digest };
    this.joinedEnvelope = undefined;
    return { command: this.command, known: this.known, body, digest, envelope };
  }
}
