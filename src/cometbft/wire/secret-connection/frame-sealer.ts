// The sending half of SecretConnection framing (cometbft-wire docs/protocols/cometbft.md §2.1): turns a byte stream into
// sealed 1044-byte frames, all written into ONE contiguous buffer so the caller can hand many frames to
// a single socket write. The input chunks are treated as one stream and packed 1024 bytes per frame
// (message boundaries mean nothing at this layer; fewer frames = fewer AEAD calls, the dominant cost:
// node:crypto costs ~5 us per call whatever the size, BENCHMARKS.md, design figures).
//
// Per frame nothing is allocated with libsodium (frame-aead.ts); node:crypto, the fallback, forces a
// cipher object and its ciphertext and tag buffers. The plaintext staging buffer is reused, and the
// output is one allocation per call.
//
// Memory per idle connection (BENCHMARKS.md, issue 10): sealing is synchronous from staging to cipher,
// so one staging buffer serves every connection of the process (it was 1 KiB per connection), and the
// key is copied into a buffer of its own, not a slice of Node's shared 8 KiB pool, which a long-lived
// 32-byte slice would keep whole for the connection's lifetime.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { frameAead, type FrameAead } from './frame-aead.ts';
import {
  AEAD_KEY_BYTES,
  FRAME_DATA_MAX,
  FRAME_LENGTH_BYTES,
  FRAME_PLAINTEXT_BYTES,
  FrameNonce,
  ownedKeyCopy,
  SEALED_FRAME_BYTES,
} from './frame-format.ts';

/**
 * The plaintext staging area of every sealer in the process: LE32 length, data, zero padding. Filled and
 * encrypted within one synchronous sealFrame sequence, so no two sealers ever interleave on it.
 */
const STAGING: Buffer = Buffer.alloc(FRAME_PLAINTEXT_BYTES);

export class FrameSealer {
  private readonly key: Buffer;
  private readonly nonce: FrameNonce;
  private readonly aead: FrameAead;
  private failure: PeerwireError | undefined;

  /**
   * `nonce` is the counter of the first frame: a new FrameNonce (0) in every real session. `aead`: the
   * process's current implementation (frame-aead.ts) unless a test picks one.
   */
  constructor(sendKey: Uint8Array, nonce = new FrameNonce(), aead: FrameAead = frameAead()) {
    if (sendKey.length !== AEAD_KEY_BYTES) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `send key must be ${AEAD_KEY_BYTES} bytes`);
    }
    this.key = ownedKeyCopy(sendKey);
    this.nonce = nonce;
    this.aead = aead;
  }

  /** The nonce counter of the next frame (diagnostics and tests). */
  get counter(): bigint {
    return this.nonce.value;
  }

  /** Number of bytes `seal()` produces for `dataBytes` bytes of input: 1044 per started 1024. */
  static sealedLength(dataBytes: number): number {
    return Math.ceil(dataBytes / FRAME_DATA_MAX) * SEALED_FRAME_BYTES;
  }

  /**
   * Seals the concatenation of `chunks` into ceil(total / 1024) frames, returned as one buffer (empty
   * input gives an empty buffer and uses no nonce): a new one, or the first bytes of `into` when given
   * and large enough (sealedLength(total)). Throws NonceExhausted when the counter runs out; after any
   * failure the sealer refuses further use (the nonce state can no longer be trusted).
   */
  seal(chunks: readonly Uint8Array[], into?: Buffer): Buffer {
    if (this.failure !== undefined) throw this.failure;
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i]!.length;
    const length = FrameSealer.sealedLength(total);
    const out = into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    const plain = STAGING;
    let chunkIndex = 0;
    let chunkOffset = 0;
    let outOffset = 0;
    let remaining = total;
    try {
      while (remaining > 0) {
        const n = remaining < FRAME_DATA_MAX ? remaining : FRAME_DATA_MAX;
        plain.writeUInt32LE(n, 0);
        // Gather n bytes from the chunk list into the staging area.
        let filled = 0;
        while (filled < n) {
          const chunk = chunks[chunkIndex]!;
          const take = Math.min(chunk.length - chunkOffset, n - filled);
          plain.set(
            take === chunk.length ? chunk : chunk.subarray(chunkOffset, chunkOffset + take),
            FRAME_LENGTH_BYTES + filled,
          );
          filled += take;
          chunkOffset += take;
          if (chunkOffset === chunk.length) {
            chunkIndex++;
            chunkOffset = 0;
          }
        }
        // Zero padding, so no stale plaintext of an earlier frame is ever encrypted again.
        if (n < FRAME_DATA_MAX) plain.fill(0, FRAME_LENGTH_BYTES + n);
        this.sealFrame(out, outOffset);
        outOffset += SEALED_FRAME_BYTES;
        remaining -= n;
      }
    } catch (error) {
      this.failure =
        error instanceof PeerwireError
          ? error
          : new PeerwireError(ErrorCode.Internal, 'seal failed', { cause: error });
      throw this.failure;
    }
    return out;
  }

  private sealFrame(out: Buffer, offset: number): void {
    this.aead.seal(this.key, this.nonce.check('send'), STAGING, out, offset);
    this.nonce.advance();
  }
}
