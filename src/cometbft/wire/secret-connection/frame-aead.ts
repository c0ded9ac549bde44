// The ChaCha20-Poly1305 (IETF, no associated data) under every SecretConnection frame, in two
// implementations with identical bytes. Why two: node:crypto needs a new cipher object per frame
// (every frame has its own nonce and Node cannot re-key a cipher), and on a busy link those objects
// are most of the cost. Measured on the 2-core bench box (BENCHMARKS.md): a 1 KiB frame seals in
// ~4.7 us through node:crypto against ~2.7 us through libsodium's WebAssembly build, and each
// node:crypto frame leaves ~680 B of garbage plus a native handle and two ArrayBuffers for the
// garbage collector, whose scavenges then pause a saturated sender 3-7 ms (most of it freeing those).
// libsodium works in one fixed region of its own memory, reused by every frame of the process: no
// object per frame at all.
//
// libsodium (ISC, audited, constant-time) arrives as the `libsodium-wrappers` package: WebAssembly, no
// native build. It loads asynchronously, once per process, at the first SecretConnection handshake
// (loadFrameAead): ~33 ms and ~13 MB of RSS once (its WebAssembly memory and code), nothing per
// connection. Until it is ready, and wherever WebAssembly cannot load, frames use node:crypto;
// PEERWIRE_AEAD=node forces node:crypto (for A/B measurements). The tests check both against each
// other and against the derived SecretConnection vector (test/vectors/cometbft).

import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  AEAD_CIPHER,
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  FRAME_DATA_MAX,
  FRAME_LENGTH_BYTES,
  FRAME_PLAINTEXT_BYTES,
  SEALED_FRAME_BYTES,
} from './frame-format.ts';

export interface FrameAead {
  /** 'libsodium' or 'node:crypto' (diagnostics and tests). */
  readonly name: string;
  /**
   * Seals the 1028-byte `plain` under `key` and the 12-byte `nonce` into `out` at `offset`: 1028
   * bytes of ciphertext, then the 16-byte tag.
   */
  seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array, out: Uint8Array, offset: number): void;
  /**
   * Opens the 1044-byte sealed frame at `source[offset]` and copies the data it carries (the bytes
   * after its 4-byte length field, as many as that field says) into `out` at `outOffset`, which must
   * have room for 1024 bytes. Returns the data length; a declared length over 1024 is returned with
   * nothing copied (the caller refuses the frame); -1 when the tag does not authenticate. Nothing is
   * allocated on this path, so a frame's plaintext costs no memory of its own (frame-opener.ts).
   */
  openData(
    key: Uint8Array,
    nonce: Uint8Array,
    source: Uint8Array,
    offset: number,
    out: Uint8Array,
    outOffset: number,
  ): number;
  /**
   * Optional, with openStaged: copies up to `frames` whole sealed frames from `source` at `offset` into
   * the implementation's own memory in one copy, and returns how many it took (at most its capacity).
   * Why: openData must take each frame out of `source` through a view, a few hundred bytes of heap per
   * 1 KiB frame, which was most of what a busy receiver allocated (BENCHMARKS.md, "Garbage per
   * kilobyte received"). The staged frames stay valid until the next stage() call of the process.
   */
  stage?(source: Uint8Array, offset: number, frames: number): number;
  /** openData for staged frame `index` (0-based, in the order stage() took them). */
  openStaged?(key: Uint8Array, nonce: Uint8Array, index: number, out: Uint8Array, outOffset: number): number;
}

/** The length field at the head of a frame's plaintext (little-endian uint32). */
function declaredLength(plain: Uint8Array, at: number): number {
  return (plain[at]! | (plain[at + 1]! << 8) | (plain[at + 2]! << 16)) + plain[at + 3]! * 2 ** 24;
}

/** Options of every node:crypto cipher: one object, not one per frame. */
const CIPHER_OPTIONS = { authTagLength: AEAD_TAG_BYTES } as const;

/** node:crypto: a cipher object per frame. Always available; the fallback. */
export const NODE_CRYPTO_AEAD: FrameAead = {
  name: 'node:crypto',
  seal(key, nonce, plain, out, offset) {
    const cipher = createCipheriv(AEAD_CIPHER, key, nonce, CIPHER_OPTIONS);
    const ciphertext = cipher.update(plain);
    const tail = cipher.final();
    out.set(ciphertext, offset);
    let o = offset + ciphertext.length;
    if (tail.length > 0) {
      out.set(tail, o);
      o += tail.length;
    }
    out.set(cipher.getAuthTag(), o);
  },
  openData(key, nonce, source, offset, out, outOffset) {
    const tagStart = offset + FRAME_PLAINTEXT_BYTES;
    let plain: Buffer;
    try {
      const decipher = createDecipheriv(AEAD_CIPHER, key, nonce, CIPHER_OPTIONS);
      decipher.setAuthTag(source.subarray(tagStart, tagStart + AEAD_TAG_BYTES));
      plain = decipher.update(source.subarray(offset, tagStart));
      decipher.final(); // throws when the tag does not authenticate
    } catch {
      return -1;
    }
    const n = declaredLength(plain, 0);
    if (n > 0 && n <= FRAME_DATA_MAX)
      out.set(plain.subarray(FRAME_LENGTH_BYTES, FRAME_LENGTH_BYTES + n), outOffset);
    return n;
  },
};

/**
 * The slice of libsodium's Emscripten module used here. A 64-bit length is passed as two 32-bit halves
 * (low, high): the build's calling convention for `unsigned long long`.
 */
export interface RawSodium {
  readonly HEAPU8: Uint8Array;
  readonly _malloc: (size: number) => number;
  /** (c, mac, maclen_p, m, mlen lo, hi, ad, adlen lo, hi, nsec, npub, k) -> 0 */
  readonly _crypto_aead_chacha20poly1305_ietf_encrypt_detached: (...args: number[]) => number;
  /** (m, nsec, c, clen lo, hi, mac, ad, adlen lo, hi, npub, k) -> 0, or -1 when the tag fails */
  readonly _crypto_aead_chacha20poly1305_ietf_decrypt_detached: (...args: number[]) => number;
}

/**
 * libsodium through its raw exports on one working region of its heap, allocated once: key, nonce, the
 * sealed frame coming in (1028 bytes and its tag, contiguous), the one going out (the same layout), and
 * STAGED_FRAMES sealed frames copied in by stage().
 * So a frame crosses into and out of the heap in one copy each way, through views of the two frame
 * slots made once (again only if the WebAssembly memory grew). Every call is synchronous from the first
 * copy in to the last copy out, so connections never interleave on the region; the one state kept
 * between calls is what stage() copied, which its caller (frame-opener.ts) opens before running any
 * other code, and stages again after any callback.
 */
export function libsodiumAead(raw: RawSodium): FrameAead {
  const key = raw._malloc(AEAD_KEY_BYTES + AEAD_NONCE_BYTES + (2 + STAGED_FRAMES) * SEALED_FRAME_BYTES);
  const nonce = key + AEAD_KEY_BYTES;
  const input = nonce + AEAD_NONCE_BYTES;
  const output = input + SEALED_FRAME_BYTES;
  const outputTag = output + FRAME_PLAINTEXT_BYTES;
  const staged = output + SEALED_FRAME_BYTES;
  const encrypt = raw._crypto_aead_chacha20poly1305_ietf_encrypt_detached;
  const decrypt = raw._crypto_aead_chacha20poly1305_ietf_decrypt_detached;
  let heap = raw.HEAPU8;
  const dataOut = output + FRAME_LENGTH_BYTES;
  let sealedOut = heap.subarray(output, output + SEALED_FRAME_BYTES);
  /** A full frame's data (1024 bytes, what a busy link carries): no view to make per frame. */
  let fullDataOut = heap.subarray(dataOut, outputTag);
  /** The heap, with the slot views renewed when a grown memory replaced it. */
  const currentHeap = (): Uint8Array => {
    if (raw.HEAPU8 !== heap) {
      heap = raw.HEAPU8;
      sealedOut = heap.subarray(output, output + SEALED_FRAME_BYTES);
      fullDataOut = heap.subarray(dataOut, outputTag);
    }
    return heap;
  };
  return {
    name: 'libsodium',
    seal(k, n, plain, out, offset) {
      const h = currentHeap();
      h.set(k, key);
      h.set(n, nonce);
      h.set(plain, input);
      encrypt(output, outputTag, 0, input, FRAME_PLAINTEXT_BYTES, 0, 0, 0, 0, 0, nonce, key);
      out.set(sealedOut, offset);
    },
    openData(k, n, source, offset, out, outOffset) {
      const h = currentHeap();
      h.set(source.subarray(offset, offset + SEALED_FRAME_BYTES), input);
      return openAt(h, k, n, input, out, outOffset);
    },
    stage(source, offset, frames) {
      const count = Math.min(frames, STAGED_FRAMES);
      const end = offset + count * SEALED_FRAME_BYTES;
      currentHeap().set(
        offset === 0 && end === source.length ? source : source.subarray(offset, end),
        staged,
      );
      return count;
    },
    openStaged(k, n, index, out, outOffset) {
      return openAt(currentHeap(), k, n, staged + index * SEALED_FRAME_BYTES, out, outOffset);
    },
  };

  /** Opens the sealed frame at heap address `at` into `out` (openData's contract). */
  function openAt(
    h: Uint8Array,
    k: Uint8Array,
    n: Uint8Array,
    at: number,
    out: Uint8Array,
    outOffset: number,
  ): number {
    h.set(k, key);
    h.set(n, nonce);
    const tag = at + FRAME_PLAINTEXT_BYTES;
    if (decrypt(output, 0, at, FRAME_PLAINTEXT_BYTES, 0, tag, 0, 0, 0, nonce, key) !== 0) return -1;
    const length = declaredLength(h, output);
    if (length === FRAME_DATA_MAX) out.set(fullDataOut, outOffset);
    else if (length > 0 && length < FRAME_DATA_MAX) out.set(h.subarray(dataOut, dataOut + length), outOffset);
    return length;
  }
}

/**
 * Frames libsodium's staging area holds: 64, one 64 KiB socket read's worth (the opener opens at most
 * that many into its shared buffer per round). 67 KB of its heap, once per process.
 */
const STAGED_FRAMES = 64;

/** One frame sealed and opened by `candidate` and by node:crypto must give the same bytes. */
function agreesWithNodeCrypto(candidate: FrameAead): boolean {
  const key = new Uint8Array(AEAD_KEY_BYTES).map((_, i) => i + 1);
  const nonce = new Uint8Array(AEAD_NONCE_BYTES).map((_, i) => 255 - i);
  const plain = new Uint8Array(FRAME_PLAINTEXT_BYTES).map((_, i) => i * 7);
  plain.set([0, 4, 0, 0]); // a full frame: 1024 data bytes
  const theirs = new Uint8Array(SEALED_FRAME_BYTES);
  const ours = new Uint8Array(SEALED_FRAME_BYTES);
  NODE_CRYPTO_AEAD.seal(key, nonce, plain, theirs, 0);
  candidate.seal(key, nonce, plain, ours, 0);
  const opened = new Uint8Array(FRAME_DATA_MAX);
  return (
    Buffer.compare(ours, theirs) === 0 &&
    candidate.openData(key, nonce, theirs, 0, opened, 0) === FRAME_DATA_MAX &&
    Buffer.compare(opened, plain.subarray(FRAME_LENGTH_BYTES)) === 0
  );
}

let current: FrameAead = NODE_CRYPTO_AEAD;
let loading: Promise<FrameAead> | undefined;
let settled = false;

/** True once loadFrameAead has finished (either way): a handshake need not wait for it. */
export function frameAeadSettled(): boolean {
  return settled;
}

/** The implementation new frame sealers and openers use: libsodium once loaded, else node:crypto. */
export function frameAead(): FrameAead {
  return current;
}

/**
 * Loads libsodium once per process (later calls share the first promise) and makes it the current
 * implementation; resolves with whichever is current afterwards. Never rejects: a module that cannot
 * load (no WebAssembly, a stripped install) leaves node:crypto in place.
 */
export function loadFrameAead(): Promise<FrameAead> {
  loading ??= (async () => {
    if (process.env.PEERWIRE_AEAD === 'node') {
      settled = true;
      return current;
    }
    try {
      const sodium = await import('libsodium-wrappers');
      await sodium.ready;
      const candidate = libsodiumAead((sodium as unknown as { libsodium: RawSodium }).libsodium);
      if (agreesWithNodeCrypto(candidate)) current = candidate;
    } catch {
      // node:crypto stays: same bytes, more cost per frame.
    }
    settled = true;
    return current;
  })();
  return loading;
}
