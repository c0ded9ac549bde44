// The receiving half of SecretConnection framing (cometbft-wire docs/protocols/cometbft.md §2.1): takes socket bytes in
// whatever chunks they arrive, opens every complete 1044-byte frame and returns the data it carries.
// A frame that lies inside one input chunk is decrypted straight from that chunk (no copy); only a
// frame split across chunks is gathered into one reused 1044-byte buffer, so at most one partial frame
// is ever held; that buffer is allocated on the first split frame (an idle connection never needs it).
//
// The data of consecutive frames land side by side in one 64 KiB buffer shared by every opener of the
// process, and `openEach` hands them on as one view per input chunk, valid only while its callback
// runs: the MConnection reader decodes and copies what it keeps before returning. Why not a fresh
// buffer per frame: on a saturated link that was one byte of new ArrayBuffer memory per byte received
// (an 8 KiB slab of Node's pool every 8 frames) and two views per frame, on top of the socket's own
// read buffers. On the 2-core bench box (BENCHMARKS.md, session 7; the box's speed moves, so these
// are indicative): bulk 159 -> 244 MB/s, 1 KiB messages 126 k -> 218 k/s, the loaded priority round
// trip's p99 1.9 -> 0.8 ms, from session 6's final run to the CometBFT suite right after the change.
// One buffer per process costs no memory per connection.
//
// Whole frames of a chunk go to the AEAD in rounds (FrameAead.stage, when it has it): as many as the
// shared buffer has room for, copied into libsodium's memory at once, then opened there one by one. Taking
// each frame out of the chunk through a view of its own was a few hundred bytes of heap per 1 KiB frame,
// most of what a busy receiver allocated (BENCHMARKS.md, "Garbage per kilobyte received"). No callback
// runs between a round's staging and its last frame, so a callback that opens another connection's
// frames cannot overwrite a round still being opened.
//
// Frame boundaries mean nothing above this layer: callers must treat the returned pieces as a stream.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';
import { frameAead, type FrameAead } from './frame-aead.ts';
import {
  AEAD_KEY_BYTES,
  FRAME_DATA_MAX,
  FrameNonce,
  ownedKeyCopy,
  SEALED_FRAME_BYTES,
} from './frame-format.ts';

/** Receives opened data; the view is valid only during the call (see openEach). */
export type FrameDataCallback = (data: Uint8Array) => void;

/** Frames whose data the shared buffer holds: 64 KiB, one socket read's worth (Node reads 64 KiB). */
const SHARED_FRAMES = 64;

/** The shared data buffer (see the header); allocated on first use, never per connection. */
let shared: Uint8Array | undefined;
/**
 * True while an openEach call fills the shared buffer: a nested call (a callback that synchronously
 * opens another connection's frames) gets a buffer of its own.
 */
let sharedInUse = false;

export class FrameOpener {
  private readonly key: Buffer;
  private readonly nonce: FrameNonce;
  private readonly aead: FrameAead;
  /** Holds the bytes of at most one partial frame between calls; allocated when first needed. */
  private partial: Buffer | undefined;
  private partialLength = 0;
  private failure: PeerwireError | undefined;

  /**
   * `nonce` is the counter of the first frame: a new FrameNonce (0) in every real session. `aead`: the
   * process's current implementation (frame-aead.ts) unless a test picks one.
   */
  constructor(recvKey: Uint8Array, nonce = new FrameNonce(), aead: FrameAead = frameAead()) {
    if (recvKey.length !== AEAD_KEY_BYTES) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `receive key must be ${AEAD_KEY_BYTES} bytes`);
    }
    this.key = ownedKeyCopy(recvKey);
    this.nonce = nonce;
    this.aead = aead;
  }

  /** Bytes of an incomplete frame held since the last call (always < 1044). */
  get bufferedBytes(): number {
    return this.partialLength;
  }

  /** The nonce counter of the next frame (diagnostics and tests). */
  get counter(): bigint {
    return this.nonce.value;
  }

  /** Opens every frame completed by `chunk` and returns copies of their non-empty data, in order. */
  open(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.openEach(chunk, (data) => out.push(data.slice()));
    return out;
  }

  /**
   * Like `open`, but hands the data to `onData` instead of collecting it: the data of consecutive
   * frames as one view (several calls for a chunk over 64 KiB), valid only until `onData` returns,
   * since the buffer behind it is reused: copy what you keep. Throws DecryptFailed or FrameTooLarge;
   * after any failure the opener refuses further input, since the stream position is lost. Data of the
   * frames before the failing one is delivered before the throw.
   */
  openEach(chunk: Uint8Array, onData: FrameDataCallback): void {
    if (this.failure !== undefined) throw this.failure;
    const nested = sharedInUse;
    const out = nested
      ? new Uint8Array(SHARED_FRAMES * FRAME_DATA_MAX)
      : (shared ??= new Uint8Array(SHARED_FRAMES * FRAME_DATA_MAX));
    sharedInUse = true;
    let filled = 0;
    try {
      let offset = 0;
      if (this.partialLength > 0) {
        const partial = this.partial!;
        const take = Math.min(SEALED_FRAME_BYTES - this.partialLength, chunk.length);
        partial.set(chunk.subarray(0, take), this.partialLength);
        this.partialLength += take;
        offset = take;
        if (this.partialLength < SEALED_FRAME_BYTES) return;
        this.partialLength = 0;
        filled = this.openFrame(partial, 0, out, filled, onData);
      }
      const aead = this.aead;
      while (chunk.length - offset >= SEALED_FRAME_BYTES) {
        if (out.length - filled < FRAME_DATA_MAX) {
          onData(out.subarray(0, filled));
          filled = 0;
        }
        if (aead.stage === undefined) {
          filled = this.openFrame(chunk, offset, out, filled, onData);
          offset += SEALED_FRAME_BYTES;
          continue;
        }
        // As many whole frames as the shared buffer has room for, copied out of the chunk at once.
        const wanted = Math.min(
          Math.floor((chunk.length - offset) / SEALED_FRAME_BYTES),
          Math.floor((out.length - filled) / FRAME_DATA_MAX),
        );
        const staged = aead.stage(chunk, offset, wanted);
        for (let i = 0; i < staged; i++) filled = this.openFrame(undefined, i, out, filled, onData);
        offset += staged * SEALED_FRAME_BYTES;
      }
      if (offset < chunk.length) {
        this.partial ??= Buffer.alloc(SEALED_FRAME_BYTES);
        this.partial.set(chunk.subarray(offset), 0);
        this.partialLength = chunk.length - offset;
      }
      if (filled > 0) onData(out.subarray(0, filled));
    } catch (error) {
      this.failure =
        error instanceof PeerwireError
          ? error
          : new PeerwireError(ErrorCode.Internal, 'frame open failed', { cause: error });
      this.partialLength = 0;
      throw this.failure;
    } finally {
      if (!nested) sharedInUse = false;
    }
  }

  /**
   * Opens one frame, at `offset` in `source` or, without a source, the AEAD's staged frame number
   * `offset`, appending its data to `out` at `filled`; returns the new fill. A frame refused hands the
   * data gathered before it to `onData` first.
   */
  private openFrame(
    source: Uint8Array | undefined,
    offset: number,
    out: Uint8Array,
    filled: number,
    onData: FrameDataCallback,
  ): number {
    const nonce = this.nonce.check('receive');
    const n =
      source === undefined
        ? this.aead.openStaged!(this.key, nonce, offset, out, filled)
        : this.aead.openData(this.key, nonce, source, offset, out, filled);
    if (n < 0) {
      if (filled > 0) onData(out.subarray(0, filled));
      throw secretConnectionError(
        SecretConnectionErrorCode.DecryptFailed,
        `failed to decrypt frame ${this.nonce.value}`,
        'disconnect',
      );
    }
    this.nonce.advance();
    if (n > FRAME_DATA_MAX) {
      if (filled > 0) onData(out.subarray(0, filled));
      throw secretConnectionError(
        SecretConnectionErrorCode.FrameTooLarge,
        `frame declares ${n} data bytes (max ${FRAME_DATA_MAX})`,
        'ban',
      );
    }
    return filled + n;
  }
}
