// A Zcash block decoded from the pieces its body arrived in (a frame split across socket chunks:
// frame-decoder.ts, body-pieces.ts) without joining them first. Joining a 1 MiB body means writing 1 MiB
// of fresh memory and reading every byte a second time, which cost the decode of a block read in 64 KiB
// chunks about a fifth of its time on top of the checksum (BENCHMARKS.md). Here the header and every
// transaction are walked where they lie; only a transaction (or header) that runs across the end of
// its piece is copied, alone, into a small buffer. The result is the same Block as `decodeBlock` of the
// joined bytes: the same checks in the same order (the header, the count against the bytes left, each
// transaction walked completely, the v5 branch ids, no trailing bytes), its transactions views of the
// pieces, and its `bytes` joined only when someone reads them.
// Refusals are decided by the joined decode: when anything here refuses, the body is joined and given to
// `decodeBlock`, which throws the precise error (the error path is a peer's disconnect; its copy is free).

import { ByteReader } from '../encoding/byte-reader.ts';
import { type Block, type DecodeBlockOptions, MIN_TRANSACTION_LENGTH, decodeBlock, maxBlockTransactions, unknownBranchId } from './block.ts';
import { type BlockHeader, MAINNET_HEADER_LENGTH, readBlockHeader } from './block-header.ts';
import { MAX_BLOCK_BYTES_BY_FORMAT } from './chain-format.ts';
import { type Transaction, walkedZcashTransaction } from './transaction.ts';
import { walkZcashTransaction } from './zcash-transaction-walk.ts';

const MAX_BLOCK_BYTES = MAX_BLOCK_BYTES_BY_FORMAT.zcash;

/** The largest header (mainnet's Equihash solution) and the longest CompactSize of the transaction count. */
const HEADER_WINDOW = MAINNET_HEADER_LENGTH + 9;

/**
 * How far past its piece's end the copy of a transaction that runs across it first reaches. Most Zcash
 * transactions are 0.2-10 KiB; when the copy is still too short it is doubled, so a transaction of any
 * size costs at most about four times its length in copies, and a block at most one such transaction per
 * piece boundary.
 */
const SPILL_BEYOND_PIECE = 4096;

/**
 * Size of the buffers those copies are made in, one after the other (a larger copy gets a buffer of its
 * own). An allocation costs 1-6 µs here whatever its size up to 64 KiB, as much as copying a few KiB: a
 * 1 MiB block in 64 KiB reads has about 16 straddling transactions, which then share one or two buffers.
 */
const SPILL_BUFFER_BYTES = 32 * 1024;

/** Read once: an imported binding can cost a getter call per read under the TypeScript loader. */
const walk = walkZcashTransaction;

/**
 * Decodes a Zcash block whose body (`length` bytes) is `pieces` in order. `joined` returns the body's
 * contiguous bytes (built once by its owner): the block's `bytes`, and the input of the joined decode
 * when anything here refuses.
 */
export function decodeBlockPieces(
  pieces: readonly Uint8Array[],
  length: number,
  joined: () => Uint8Array,
  options: DecodeBlockOptions = {},
): Block {
  return walkPieces(pieces, length, joined, options.knownBranchIds) ?? decodeBlock(joined(), 'zcash', options);
}

/** Where the walk stands: piece `p`, offset `o` in it, body offset `at`. */
class PieceCursor {
  p = 0;
  o = 0;
  at = 0;

  constructor(
    private readonly pieces: readonly Uint8Array[],
    readonly length: number,
  ) {}

  advance(n: number): void {
    this.o += n;
    this.at += n;
    const pieces = this.pieces;
    while (this.p < pieces.length && this.o >= pieces[this.p]!.length && this.at < this.length) {
      this.o -= pieces[this.p]!.length;
      this.p++;
    }
  }

  /** The current piece. */
  get piece(): Uint8Array {
    return this.pieces[this.p]!;
  }

  /** A copy of the next `size` body bytes (the caller keeps `size` within the body). */
  copy(size: number): Uint8Array {
    return this.copyInto(new Uint8Array(size), 0, size);
  }

  /** Copies the next `size` body bytes into `out` at `at`; returns that part of `out`. */
  copyInto(out: Uint8Array, at: number, size: number): Uint8Array {
    let p = this.p;
    let o = this.o;
    for (let filled = 0; filled < size; p++, o = 0) {
      const piece = this.pieces[p]!;
      const n = Math.min(size - filled, piece.length - o);
      out.set(piece.subarray(o, o + n), at + filled);
      filled += n;
    }
    return out.subarray(at, at + size);
  }
}

/**
 * Where the copies of straddling transactions go: consecutive parts of shared buffers. A copy is tried
 * at the free end of the current buffer; only what the walk accepted stays taken (`commit`).
 */
class SpillBuffers {
  #buffer: Uint8Array | undefined;
  #used = 0;

  /** A copy of the cursor's next `size` bytes, in the current buffer or in a new one. */
  copy(cursor: PieceCursor, size: number): Uint8Array {
    if (this.#buffer === undefined || this.#buffer.length - this.#used < size) {
      this.#buffer = new Uint8Array(Math.max(SPILL_BUFFER_BYTES, size));
      this.#used = 0;
    }
    return cursor.copyInto(this.#buffer, this.#used, size);
  }

  /** Keeps the first `length` bytes of the last copy; the rest is free for the next one. */
  commit(length: number): void {
    this.#used += length;
  }
}

/** The walk over the pieces; undefined when anything refuses (the joined decode then says why). */
function walkPieces(pieces: readonly Uint8Array[], length: number, joined: () => Uint8Array, known: ReadonlySet<number> | undefined): Block | undefined {
  if (length > MAX_BLOCK_BYTES || pieces.length === 0) return undefined;
  const cursor = new PieceCursor(pieces, length);
  let header: BlockHeader;
  let count: number;
  {
    const size = Math.min(HEADER_WINDOW, length);
    const first = cursor.piece;
    const window = first.length >= size ? first : cursor.copy(size);
    const r = new ByteReader(window);
    try {
      header = readBlockHeader(r);
      count = r.compactSize('block transactions');
    } catch {
      return undefined;
    }
    // The joined decode's count rule (ByteReader.count): within the limit, and room for that many.
    if (count > maxBlockTransactions('zcash') || count * MIN_TRANSACTION_LENGTH > length - r.offset) return undefined;
    cursor.advance(r.offset);
  }
  const sources: Uint8Array[] = [];
  const sourceOf = new Uint32Array(count);
  const starts = new Uint32Array(count);
  const ends = new Uint32Array(count);
  let source: Uint8Array | undefined;
  const spills = new SpillBuffers();
  for (let i = 0; i < count; i++) {
    let bytes = cursor.piece;
    let start = cursor.o;
    let end = walk(bytes, start);
    if (end < 0) {
      // Runs past its piece, or refused: walk a copy reaching further, doubled until the walk accepts it
      // or the copy reaches the body's end (then the refusal is real).
      const rest = length - cursor.at;
      let size = Math.min(rest, bytes.length - start + SPILL_BEYOND_PIECE);
      for (;;) {
        bytes = spills.copy(cursor, size);
        start = 0;
        end = walk(bytes, 0);
        if (end >= 0) break;
        if (size === rest) return undefined;
        size = Math.min(rest, 2 * size);
      }
      spills.commit(end);
    }
    if (unknownBranchId(bytes, start, bytes[start]!, known) !== undefined) return undefined;
    if (bytes !== source) {
      source = bytes;
      sources.push(bytes);
    }
    sourceOf[i] = sources.length - 1;
    starts[i] = start;
    ends[i] = end;
    cursor.advance(end - start);
  }
  if (cursor.at !== length) return undefined; // trailing bytes
  return new PiecewiseBlock(header, joined, sources, sourceOf, starts, ends);
}

/** A Zcash block walked in its pieces: transactions built on first read as views of them. */
class PiecewiseBlock implements Block {
  readonly header: BlockHeader;
  readonly hash: Uint8Array;
  readonly transactionCount: number;
  readonly #joined: () => Uint8Array;
  readonly #sources: readonly Uint8Array[];
  readonly #sourceOf: Uint32Array;
  readonly #starts: Uint32Array;
  readonly #ends: Uint32Array;
  #transactions: readonly Transaction[] | undefined;

  constructor(header: BlockHeader, joined: () => Uint8Array, sources: readonly Uint8Array[], sourceOf: Uint32Array, starts: Uint32Array, ends: Uint32Array) {
    this.header = header;
    this.hash = header.hash;
    this.transactionCount = ends.length;
    this.#joined = joined;
    this.#sources = sources;
    this.#sourceOf = sourceOf;
    this.#starts = starts;
    this.#ends = ends;
  }

  /** The serialized block, joined from the pieces on first read (by the frame that owns them). */
  get bytes(): Uint8Array {
    return this.#joined();
  }

  get transactions(): readonly Transaction[] {
    if (this.#transactions === undefined) {
      const list: Transaction[] = [];
      for (let i = 0; i < this.#ends.length; i++) {
        list.push(walkedZcashTransaction(this.#sources[this.#sourceOf[i]!]!.subarray(this.#starts[i], this.#ends[i])));
      }
      this.#transactions = list;
    }
    return this.#transactions;
  }
}
