// The fixed geometry of a SecretConnection data frame (cometbft-wire docs/protocols/cometbft.md §2.1-2.2) and its nonce
// counter. Every frame on the wire is exactly 1044 bytes: ChaCha20-Poly1305 (no associated data) over a
// 1028-byte plaintext `LE32(n) || data[n] || padding`, followed by the 16-byte tag. Each direction has
// its own 96-bit nonce `00 00 00 00 || LE64(counter)`, counter starting at 0 and advanced per frame.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';

/** Length prefix inside the plaintext: uint32 little-endian (`dataLenSize`). */
export const FRAME_LENGTH_BYTES = 4;
/** Data bytes per frame (`dataMaxSize`); identical in Go v0.34…CometBFT main and tendermint-rs. */
export const FRAME_DATA_MAX = 1024;
/** Plaintext frame (`totalFrameSize`) = length prefix + data area. */
export const FRAME_PLAINTEXT_BYTES = FRAME_LENGTH_BYTES + FRAME_DATA_MAX;
/** Poly1305 tag length. */
export const AEAD_TAG_BYTES = 16;
/** A sealed frame on the wire, always this size whatever the payload. */
export const SEALED_FRAME_BYTES = FRAME_PLAINTEXT_BYTES + AEAD_TAG_BYTES;
/** ChaCha20-Poly1305 key and IETF nonce sizes. */
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
/** The node:crypto cipher name of the IETF ChaCha20-Poly1305 AEAD. */
export const AEAD_CIPHER = 'chacha20-poly1305';

const U32_MAX = 0xffff_ffff;

/**
 * The 12-byte nonce buffer of every FrameNonce in the process; bytes 0..3 stay zero. A nonce is written
 * into it by `check()` and read at once by the synchronous AEAD call that follows (frame-aead.ts;
 * both implementations copy the nonce), so no two connections ever interleave on it. One shared buffer
 * instead of one per direction saves two Buffers and their ArrayBuffers (about 0.4 KiB) per idle
 * connection (BENCHMARKS.md, memory per idle connection).
 */
const NONCE_SCRATCH: Buffer = Buffer.alloc(AEAD_NONCE_BYTES);

/** `00 00 00 00 || LE64(hi:lo)` into a 12-byte buffer. */
function writeNonce(out: Buffer, lo: number, hi: number): void {
  out.writeUInt32LE(lo, 4);
  out.writeUInt32LE(hi, 8);
}

/**
 * A copy of a key in memory of its own. Buffer.from(key) would take a slice of Node's shared 8 KiB
 * pool, and a slice kept for a connection's lifetime keeps the whole 8 KiB alive.
 */
export function ownedKeyCopy(key: Uint8Array): Buffer {
  const copy = Buffer.alloc(key.length);
  copy.set(key);
  return copy;
}

/**
 * One direction's nonce counter, kept as two uint32 halves (no BigInt on the hot path). The value
 * 2^64-1 is never used: Go panics when it would have to advance past it, so no Go peer ever sends or
 * accepts that nonce, and a wrap-around would reuse a nonce under the same key. `check()` therefore
 * fails with NonceExhausted there.
 */
export class FrameNonce {
  private lo: number;
  private hi: number;

  /**
   * Every session starts its counters at 0 (CometBFT's SecretConnection does). `first` lets a test of
   * exhaustion start near 2^64 instead of sealing 2^64 frames; it is injected, never set afterwards.
   */
  constructor(first = 0n) {
    if (first < 0n || first > 0xffff_ffff_ffff_ffffn) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'nonce counter out of range');
    }
    this.lo = Number(first & 0xffff_ffffn);
    this.hi = Number(first >> 32n);
  }

  /** The counter value the next frame will use. */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The current 12-byte nonce in a new buffer (tests and diagnostics; `check()` is the hot path). */
  get bytes(): Buffer {
    const out = Buffer.alloc(AEAD_NONCE_BYTES);
    writeNonce(out, this.lo, this.hi);
    return out;
  }

  /**
   * Makes sure the current nonce may be used (throws NonceExhausted at 2^64-1) and returns it as the
   * 12-byte IETF nonce, in a buffer shared by every counter of the process: pass it straight to the
   * AEAD, never keep it (the next `check()` of any counter overwrites it).
   */
  check(direction: 'send' | 'receive'): Buffer {
    if (this.lo === U32_MAX && this.hi === U32_MAX) {
      throw secretConnectionError(
        SecretConnectionErrorCode.NonceExhausted,
        `${direction} nonce counter exhausted (2^64-1 frames); the connection must be closed`,
        'disconnect',
      );
    }
    writeNonce(NONCE_SCRATCH, this.lo, this.hi);
    return NONCE_SCRATCH;
  }

  /** Moves to the next counter value (after `check()` allowed the current one). */
  advance(): void {
    if (this.lo === U32_MAX) {
      this.lo = 0;
      this.hi = (this.hi + 1) >>> 0;
    } else {
      this.lo++;
    }
  }
}
