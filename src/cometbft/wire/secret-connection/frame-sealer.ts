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
// Garbage per frame (BENCHMARKS.md, "Garbage per kilobyte sent"): copying one frame's 1024 bytes out
// of a batch needs a view of them, and a view is a few hundred bytes of young-generation heap. With the
// view per packet in MConnection's fragmenting (channel-state.ts), that was ~240 bytes of heap per
// kilobyte a bulk sender sent, a scavenge every ~28 MiB. So the views of a batch buffer that is sealed
// again and again (the pump's one scratch buffer) are made once per frame slot and kept (FrameSlots).
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

/**
 * Views of one source buffer at every frame slot (byte offsets 0, 1024, 2048, ... from where the
 * source starts in its ArrayBuffer), each as long as a frame's data or what is left of the ArrayBuffer:
 * made once and reused while seal() keeps being given that same source, and replaced when another
 * one comes. One set per process (sealing is synchronous), at most MAX_CACHED_SLOTS views.
 */
class FrameSlots {
  private memory: ArrayBufferLike | undefined;
  private start = 0;
  private readonly views: Uint8Array[] = [];

  /** The view at slot `index` of `source`, which must be the one source of the seal() call. */
  at(source: Uint8Array, index: number): Uint8Array {
    if (source.buffer !== this.memory || source.byteOffset !== this.start) {
      this.memory = source.buffer;
      this.start = source.byteOffset;
      this.views.length = 0;
    }
    let view = this.views[index];
    if (view === undefined) {
      const from = this.start + index * FRAME_DATA_MAX;
      view = new Uint8Array(this.memory, from, Math.min(FRAME_DATA_MAX, this.memory.byteLength - from));
      if (index < MAX_CACHED_SLOTS) this.views[index] = view;
    }
    return view;
  }
}

/** Slots kept: a 64 KiB batch (the pump's) has 64; a larger source's further slots are made per use. */
const MAX_CACHED_SLOTS = 256;

const SLOTS = new FrameSlots();

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
   * input gives an empty buffer and uses no nonce): a new one, or `into` itself (its first bytes when
   * longer) when given and large enough (sealedLength(total)). Throws NonceExhausted when the counter runs out; after any
   * failure the sealer refuses further use (the nonce state can no longer be trusted).
   */
  seal(chunks: readonly Uint8Array[], into?: Buffer): Buffer {
    if (this.failure !== undefined) throw this.failure;
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i]!.length;
    const length = FrameSealer.sealedLength(total);
    const out =
      into === undefined || into.length < length
        ? Buffer.allocUnsafe(length)
        : into.length === length
          ? into
          : into.subarray(0, length);
    const plain = STAGING;
    let chunkIndex = 0;
    let chunkOffset = 0;
    let outOffset = 0;
    let remaining = total;
    try {
      if (chunks.length === 1) {
        // One source (every flush of the pump): frame k is slot k of it, copied whole. A last frame's
        // slot may reach past the source's end; the zero padding overwrites those bytes before sealing.
        const source = chunks[0]!;
        for (let k = 0; remaining > 0; k++) {
          const n = remaining < FRAME_DATA_MAX ? remaining : FRAME_DATA_MAX;
          plain.writeUInt32LE(n, 0);
          plain.set(SLOTS.at(source, k), FRAME_LENGTH_BYTES);
          if (n < FRAME_DATA_MAX) plain.fill(0, FRAME_LENGTH_BYTES + n);
          this.sealFrame(out, outOffset);
          outOffset += SEALED_FRAME_BYTES;
          remaining -= n;
        }
        return out;
      }
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
