// The receiving half of SecretConnection framing (cometbft-wire docs/protocols/cometbft.md §2.1): takes socket bytes in
// whatever chunks they arrive, opens every complete 1044-byte frame and returns the data it carries.
// A frame that lies inside one input chunk is decrypted straight from that chunk (no copy); only a
// frame split across chunks is gathered into one reused 1044-byte buffer, so at most one partial frame
// is ever held; that buffer is allocated on the first split frame (an idle connection never needs it).
// Returned data are views into the plaintext buffer the AEAD returns, one per frame (frame-aead.ts):
// no further copy is made on this path.
//
// Frame boundaries mean nothing above this layer: callers must treat the returned pieces as a stream.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';
import { frameAead, type FrameAead } from './frame-aead.ts';
import {
  AEAD_KEY_BYTES,
  FRAME_DATA_MAX,
  FRAME_LENGTH_BYTES,
  FrameNonce,
  ownedKeyCopy,
  SEALED_FRAME_BYTES,
} from './frame-format.ts';

export type FrameDataCallback = (data: Uint8Array) => void;

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

  /** Opens every frame completed by `chunk` and returns their non-empty data, in order. */
  open(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.openEach(chunk, (data) => out.push(data));
    return out;
  }

  /**
   * Like `open`, but calls `onData` per frame instead of collecting (no array per call). Throws
   * DecryptFailed or FrameTooLarge; after any failure the opener refuses further input, since the
   * stream position is lost. Data delivered before the failing frame stays valid.
   */
  openEach(chunk: Uint8Array, onData: FrameDataCallback): void {
    if (this.failure !== undefined) throw this.failure;
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
        this.openFrame(partial, 0, onData);
      }
      while (chunk.length - offset >= SEALED_FRAME_BYTES) {
        this.openFrame(chunk, offset, onData);
        offset += SEALED_FRAME_BYTES;
      }
      if (offset < chunk.length) {
        this.partial ??= Buffer.alloc(SEALED_FRAME_BYTES);
        this.partial.set(chunk.subarray(offset), 0);
        this.partialLength = chunk.length - offset;
      }
    } catch (error) {
      this.failure =
        error instanceof PeerwireError
          ? error
          : new PeerwireError(ErrorCode.Internal, 'frame open failed', { cause: error });
      this.partialLength = 0;
      throw this.failure;
    }
  }

  private openFrame(source: Uint8Array, offset: number, onData: FrameDataCallback): void {
    const plain = this.aead.open(this.key, this.nonce.check('receive'), source, offset);
    if (plain === undefined) {
      throw secretConnectionError(
        SecretConnectionErrorCode.DecryptFailed,
        `failed to decrypt frame ${this.nonce.value}`,
        'disconnect',
      );
    }
    this.nonce.advance();
    const n = plain.readUInt32LE(0);
    if (n > FRAME_DATA_MAX) {
      throw secretConnectionError(
        SecretConnectionErrorCode.FrameTooLarge,
        `frame declares ${n} data bytes (max ${FRAME_DATA_MAX})`,
        'ban',
      );
    }
    if (n > 0) onData(plain.subarray(FRAME_LENGTH_BYTES, FRAME_LENGTH_BYTES + n));
  }
}
