// A sans-I/O streaming frame decoder: feed it socket chunks of any size with `push`, then pull
// frames with `next` until it returns undefined. Pulling (rather than callbacks) lets the caller
// switch the body limit between two frames of the same chunk — the handshake ends on `verack` and
// the frame right behind it is already decoded under the 2 MiB limit — and keeps the hot path free
// of per-message closures.
//
// Memory: a header is validated as soon as its 24 bytes are here (bad magic, malformed command and
// oversize fail before any body byte is buffered); a body that lies inside one chunk is returned as
// a view of it (zero copy, hashed in place). A body split across chunks is hashed piece by piece as the
// pieces arrive (the inner SHA-256 streamed) and kept as those pieces (body-pieces.ts: views of large
// pieces, small ones gathered), about the bytes received whatever the header claims; the frame carries
// the pieces, and its contiguous body is built on first read, behind room for the command so that a
// connection can hand the router command + body without a second copy. A Zcash block is decoded from
// the pieces (block-pieces.ts), so a 1 MiB block read in 64 KiB chunks costs one pass of the hash and
// one walk, and no copy unless its bytes are read. A consumer that reads every body contiguous (a Zcash
// connection: the router's envelope is one buffer) has split bodies joined as they arrive instead
// (`joinSplitBodies`): each piece is copied while it is still in the CPU cache, which a join after the
// last piece measured 15 % slower for 1 MiB blocks. A consumer that is done with each frame before
// pulling the next can have joins made into one buffer the decoder keeps (`reuseSplitBodies`): fresh
// memory costs a 1 MiB body more than its copy (page faults and cache misses on this VM;
// BENCHMARKS.md). A failed decoder stays failed: the caller closes the connection.

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
import { BodyPieces } from './body-pieces.ts';

const EMPTY = new Uint8Array(0);

/**
 * With `joinSplitBodies`, a split body's buffer is allocated once 1/JOIN_AT_FRACTION of the body has
 * arrived; before that its pieces are kept (body-pieces.ts). The header's length is the peer's claim: a
 * header announcing 2 MiB followed by a trickle must not make us allocate 2 MiB per connection, so the
 * allocation never exceeds twice the bytes actually received (plus the 12-byte command). From then on
 * each piece is copied in as it arrives (and its chunk released) instead of in one pass at the end.
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
   * Join every split body that is read (Frame.body, Frame.envelope) into one buffer the decoder keeps and
   * reuses (grown to the largest such body, so at most the body limit + 12 bytes per decoder) instead of
   * a buffer of its own per body. A frame, and anything decoded from it, is then valid only until the
   * next call to `next()`: for consumers that finish with each message first (a hasher, an indexer, a
   * relay that forwards at once). Default false: the caller may keep every frame.
   */
  readonly reuseSplitBodies?: boolean;
  /**
   * Join every split body as it arrives (from half of it on, see JOIN_AT_FRACTION) instead of keeping
   * its pieces: for a consumer that reads every body contiguous, such as a connection that hands each
   * message to the router in one buffer. Frames then carry `envelope`, never `pieces`. Default false.
   */
  readonly joinSplitBodies?: boolean;
}

export interface Frame {
  /** Command name; for an ignored malformed command, `0x` + the 12 bytes in hex. */
  readonly command: string;
  /** True when `command` is one of Zebra's commands (exact 12-byte match, NUL padding included). */
  readonly known: boolean;
  /** The body's length in bytes (reading `body` of a split frame joins it; this does not). */
  readonly bodyLength: number;
  /**
   * The body: a view into the pushed chunk when it was contiguous (do not mutate pushed chunks); for a
   * split body, joined from `pieces` on first read (behind room for the command, see `envelope`).
   */
  readonly body: Uint8Array;
  /** SHA-256d of the body (32 bytes), already computed for the checksum. */
  readonly digest: Uint8Array;
  /**
   * When the body arrived split across chunks: its pieces in order (views of the chunks, small ones
   * gathered; body-pieces.ts), for decoders that read a body without joining it (block-pieces.ts).
   */
  readonly pieces?: readonly Uint8Array[];
  /**
   * When the body arrived split across chunks: the command (12 bytes, NUL-padded) followed by the body,
   * joined on first read into one buffer that `body` is a view of. A Zcash connection hands this to the
   * router as the message's envelope without copying the body again.
   */
  readonly envelope?: Uint8Array;
}

/** Writes the NUL-padded command and then `pieces` into `target` (an envelope: command, then body). */
function writeEnvelope(target: Buffer, command: string, pieces: readonly Uint8Array[]): void {
  target.fill(0, 0, COMMAND_LENGTH);
  target.write(command, 0, COMMAND_LENGTH, 'latin1');
  let at = COMMAND_LENGTH;
  for (const piece of pieces) {
    target.set(piece, at);
    at += piece.length;
  }
}

/**
 * A frame whose body arrived in pieces: the pieces are what it holds, and the contiguous body (with the
 * command in front, for the envelope) is joined once, the first time either is read.
 */
class SplitFrame implements Frame {
  readonly command: string;
  readonly known: boolean;
  readonly bodyLength: number;
  readonly digest: Uint8Array;
  readonly pieces: readonly Uint8Array[];
  /** The decoder's join buffers (fresh, or its reused one). */
  readonly #allocate: (size: number) => Buffer;
  #envelope: Uint8Array | undefined;
  #body: Uint8Array | undefined;

  constructor(command: string, known: boolean, pieces: readonly Uint8Array[], bodyLength: number, digest: Uint8Array, allocate: (size: number) => Buffer) {
    this.command = command;
    this.known = known;
    this.pieces = pieces;
    this.bodyLength = bodyLength;
    this.digest = digest;
    this.#allocate = allocate;
  }

  get envelope(): Uint8Array {
    if (this.#envelope === undefined) {
      const size = COMMAND_LENGTH + this.bodyLength;
      const joined = this.#allocate(size);
      writeEnvelope(joined, this.command, this.pieces);
      this.#envelope = new Uint8Array(joined.buffer, joined.byteOffset, size);
    }
    return this.#envelope;
  }

  get body(): Uint8Array {
    return (this.#body ??= this.envelope.subarray(COMMAND_LENGTH));
  }
}

export class FrameDecoder {
  private readonly magic: Magic;
  private readonly malformedPolicy: MalformedCommandPolicy;
  private readonly reuseSplitBodies: boolean;
  private readonly joinSplitBodies: boolean;
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
  /** The pieces of the split body being received. */
  private partial: BodyPieces | undefined;
  /** Bytes of the split body received so far. */
  private partialFill = 0;
  /** With `joinSplitBodies`: the split body's buffer (command in front), once allocated. */
  private joined: Buffer | undefined;
  /** With `joinSplitBodies`: SHA-256d and envelope of the body just joined, for finishFrame. */
  private joinedDigest: Uint8Array | undefined;
  private joinedEnvelope: Uint8Array | undefined;
  private failure: PeerwireError | undefined;
  /** Inner SHA-256 of the split body so far, fed piece by piece as pieces arrive. */
  private bodyHash: Sha256dStream | undefined;
  /** With `reuseSplitBodies`: the buffer every split body that is read is joined into. */
  private reusedBuffer: Buffer | undefined;

  constructor(options: FrameDecoderOptions) {
    if (options.magic.length !== 4)
      throw new PeerwireError('ERR_INVALID_ARGUMENT', 'magic must be 4 bytes', { action: 'transient' });
    this.magic = options.magic;
    this.maxBody = options.maxBodyLength;
    this.malformedPolicy = options.malformedCommand ?? 'reject';
    this.reuseSplitBodies = options.reuseSplitBodies ?? false;
    this.joinSplitBodies = options.joinSplitBodies ?? false;
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
   * Memory the decoder holds: queued chunk bytes, the header scratch, what a split body's pieces keep
   * alive, and the reused join buffer. Bounded by about twice the bytes received for the current frame,
   * whatever its header claims (plus, when reusing, the largest body joined before). A returned frame's
   * pieces belong to the frame.
   */
  get retainedBytes(): number {
    const joining = this.joined !== undefined && this.joined !== this.reusedBuffer ? this.joined.byteLength : 0;
    return this.queued + HEADER_LENGTH + (this.partial?.retainedBytes ?? 0) + joining + (this.reusedBuffer?.byteLength ?? 0);
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
    this.partial = undefined;
    this.partialFill = 0;
    this.joined = undefined;
    this.joinedDigest = undefined;
    this.joinedEnvelope = undefined;
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

  /**
   * The body when it is complete: a view of one chunk, the pieces of a split body, or (with
   * `joinSplitBodies`) a view of the buffer it was joined into.
   */
  private readBody(): Uint8Array | BodyPieces | undefined {
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
      if (this.joined !== undefined) this.joined.set(piece, COMMAND_LENGTH + this.partialFill);
      else (this.partial ??= new BodyPieces(len)).add(piece, c.byteLength);
      this.partialFill += n;
      this.pos += n;
      this.queued -= n;
      if (this.joinSplitBodies && this.joined === undefined && this.partialFill * JOIN_AT_FRACTION >= len) this.startJoin(len);
      if (this.partialFill === len) {
        this.partialFill = 0;
        const joined = this.joined;
        if (joined === undefined) {
          const pieces = this.partial!;
          this.partial = undefined;
          return pieces;
        }
        this.joined = undefined;
        this.joinedDigest = this.bodyHash.digest();
        this.bodyHash = undefined;
        this.joinedEnvelope = new Uint8Array(joined.buffer, joined.byteOffset, COMMAND_LENGTH + len);
        return this.joinedEnvelope.subarray(COMMAND_LENGTH);
      }
      c = this.current();
    }
    return undefined;
  }

  /** Allocates the split body's buffer (command in front) and copies the pieces received so far into it. */
  private startJoin(len: number): void {
    const joined = this.joinBuffer(COMMAND_LENGTH + len);
    writeEnvelope(joined, this.command, this.partial!.take());
    this.partial = undefined;
    this.joined = joined;
  }

  /**
   * A buffer for joining a split body of `size` bytes (command included): fresh (no zero fill), or the
   * reused one, grown when too small.
   */
  private readonly joinBuffer = (size: number): Buffer => {
    if (!this.reuseSplitBodies) return Buffer.allocUnsafe(size);
    if (this.reusedBuffer === undefined || this.reusedBuffer.byteLength < size) this.reusedBuffer = Buffer.allocUnsafe(size);
    return this.reusedBuffer;
  };

  private finishFrame(body: Uint8Array | BodyPieces): Frame {
    let digest: Uint8Array;
    const envelope = this.joinedEnvelope;
    if (body instanceof BodyPieces) {
      digest = this.bodyHash!.digest();
      this.bodyHash = undefined;
    } else if (envelope !== undefined) {
      digest = this.joinedDigest!;
      this.joinedDigest = undefined;
      this.joinedEnvelope = undefined;
    } else {
      digest = body.length === 0 ? EMPTY_BODY_DIGEST : sha256d(body);
    }
    if (
      digest[0] !== this.checksum0 ||
      digest[1] !== this.checksum1 ||
      digest[2] !== this.checksum2 ||
      digest[3] !== this.checksum3
    ) {
      throw this.fail(badChecksum(this.command));
    }
    this.inBody = false;
    if (body instanceof BodyPieces) return new SplitFrame(this.command, this.known, body.take(), body.length, digest, this.joinBuffer);
    if (envelope !== undefined) return { command: this.command, known: this.known, bodyLength: body.length, body, digest, envelope };
    return { command: this.command, known: this.known, bodyLength: body.length, body, digest };
  }
}
