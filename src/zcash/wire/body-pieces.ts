// The pieces of one frame body that arrives split across socket chunks, kept as they came instead of
// copied into one buffer: a 1 MiB block read in 64 KiB chunks is hashed piece by piece and walked in
// place (block-pieces.ts), and its contiguous bytes are built only if someone asks for them. Large pieces
// are kept as views of their chunks; small ones are copied into a growing buffer, so a peer that
// trickles a body a few bytes per read cannot make us hold one view object (about 100 bytes of heap) per
// byte it sent. What the pieces hold stays within about twice the bytes received, whatever the frame's
// header claims.

/**
 * Smallest piece kept as a view of its chunk. Below it a piece is copied (a 4 KiB copy costs about what
 * keeping and later walking across one more boundary costs), so views never outnumber one per 4 KiB
 * received plus one per run of small pieces.
 */
const MIN_VIEW_PIECE = 4096;

/** Smallest buffer small pieces are gathered into: tiny pieces do not cost an allocation each. */
const MIN_GATHER_BUFFER = 256;

/**
 * Heap held by one kept view besides its bytes: a typed-array object and its slot in the list (104 bytes
 * measured on Node 20). Counted in `retainedBytes` so that a count of views shows up as memory.
 */
export const PIECE_OVERHEAD_BYTES = 104;

export class BodyPieces {
  /** The body's length (from its frame header); pieces never exceed it. */
  readonly length: number;
  readonly #pieces: Uint8Array[] = [];
  #filled = 0;
  #retained = 0;
  /** The buffer the current run of small pieces is copied into, and how much of it is used. */
  #gather: Uint8Array | undefined;
  #gatherFill = 0;

  constructor(length: number) {
    this.length = length;
  }

  /** Body bytes received so far. */
  get filled(): number {
    return this.#filled;
  }

  /** Memory the pieces keep alive: the chunks behind the views, the gather buffers, the views themselves. */
  get retainedBytes(): number {
    return this.#retained + (this.#pieces.length + (this.#gather === undefined ? 0 : 1)) * PIECE_OVERHEAD_BYTES;
  }

  /**
   * Adds the next piece of the body. `chunkBytes` is the length of the chunk it is a view of (what
   * keeping the view keeps alive); the caller must not change the chunk afterwards.
   */
  add(piece: Uint8Array, chunkBytes: number): void {
    if (piece.length >= MIN_VIEW_PIECE) {
      this.#closeGather();
      this.#pieces.push(piece);
      this.#retained += chunkBytes;
    } else {
      this.#gatherSmall(piece);
    }
    this.#filled += piece.length;
  }

  /** The pieces, in order, once the body is complete; the instance is spent afterwards. */
  take(): Uint8Array[] {
    this.#closeGather();
    return this.#pieces;
  }

  /** Copies a small piece into the gather buffer, doubling it when full (at most twice what it holds). */
  #gatherSmall(piece: Uint8Array): void {
    const need = this.#gatherFill + piece.length;
    let gather = this.#gather;
    if (gather === undefined || gather.length < need) {
      const rest = this.length - this.#filled; // the most the gather buffer can still be asked to hold
      const size = Math.min(this.#gatherFill + rest, Math.max(need, 2 * (gather?.length ?? 0), MIN_GATHER_BUFFER));
      const grown = new Uint8Array(size);
      if (gather !== undefined) {
        grown.set(gather.subarray(0, this.#gatherFill));
        this.#retained -= gather.length;
      }
      this.#retained += size;
      gather = this.#gather = grown;
    }
    gather.set(piece, this.#gatherFill);
    this.#gatherFill = need;
  }

  #closeGather(): void {
    if (this.#gather === undefined) return;
    this.#pieces.push(this.#gather.subarray(0, this.#gatherFill));
    this.#gather = undefined;
    this.#gatherFill = 0;
  }
}
