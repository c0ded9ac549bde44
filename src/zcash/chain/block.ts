// Blocks, parsed completely: the header (Zcash: 140 bytes + Equihash solution; Bitcoin: 80 bytes),
// the transaction count, and every transaction (transaction.ts), as Zebra deserializes a block before
// anything else looks at it — a malformed transaction anywhere fails the block, and so the message.
// The size is capped at the chain's MAX_BLOCK_BYTES; bytes after the last transaction are an error.
// Zcash blocks are walked, not parsed: each transaction is checked completely without allocating and
// only its end offset is kept (zcash-transaction-walk.ts); transaction objects, their fields and ids are
// built when first read (transaction.ts). Bitcoin blocks are parsed at once.

import { ByteReader } from '../encoding/byte-reader.ts';
import { type BitcoinBlockHeader, readBitcoinBlockHeader } from './bitcoin-block-header.ts';
import { type BlockHeader, readBlockHeader } from './block-header.ts';
import { type ChainFormat, MAX_BLOCK_BYTES_BY_FORMAT } from './chain-format.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { type Transaction, readTransaction, walkZcashTransactionAt, walkedZcashTransaction } from './transaction.ts';

/**
 * Smallest possible transaction (version, empty input and output lists, lock time: 10 bytes), the
 * divisor that bounds a block's transaction count before the list is allocated.
 */
export const MIN_TRANSACTION_LENGTH = 10;

/** Most transactions a block of the format can announce (its size limit over the smallest transaction). */
export function maxBlockTransactions(format: ChainFormat): number {
  return Math.floor(MAX_BLOCK_BYTES_BY_FORMAT[format] / MIN_TRANSACTION_LENGTH);
}

export type AnyBlockHeader = BlockHeader | BitcoinBlockHeader;

export interface Block {
  /** The serialized block (a view into the received body: copy it to retain it long term). */
  readonly bytes: Uint8Array;
  readonly header: AnyBlockHeader;
  /** Block hash (= header.hash), wire order. */
  readonly hash: Uint8Array;
  /** Number of transactions announced after the header (= transactions.length). */
  readonly transactionCount: number;
  readonly transactions: readonly Transaction[];
}

/** Reads the header of the chain's format. */
export function readAnyBlockHeader(r: ByteReader, format: ChainFormat): AnyBlockHeader {
  return format === 'bitcoin' ? readBitcoinBlockHeader(r) : readBlockHeader(r);
}

export interface DecodeBlockOptions {
  /**
   * Consensus branch ids a v5 transaction may name (Zebra refuses any other while parsing); checked
   * during the walk, from the bytes. Omitted: not checked (the chain layer does not know the upgrades).
   */
  readonly knownBranchIds?: ReadonlySet<number>;
}

/** Read once: an imported binding can cost a getter call per read under the TypeScript loader. */
const walkAt = walkZcashTransactionAt;

/** Offset of the consensus branch id in a v5 transaction (after the header and the group id). */
const V5_BRANCH_ID_OFFSET = 8;

/**
 * The consensus branch id of the walked transaction at `start` in `bytes` when it is a v5 one that
 * `known` does not list (Zebra refuses it while parsing), else undefined. `version` is what the walk
 * returned (the header's low byte).
 */
export function unknownBranchId(bytes: Uint8Array, start: number, version: number, known: ReadonlySet<number> | undefined): number | undefined {
  if (version !== 5 || known === undefined) return undefined;
  const o = start + V5_BRANCH_ID_OFFSET;
  const id = (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
  return known.has(id) ? undefined : id;
}

/**
 * A decoded block. Zcash: every transaction was walked (checked completely without allocating) and
 * only its end offset kept; `transactions` builds the lazy transaction objects on first read. Bitcoin:
 * the transactions are parsed at once.
 */
class DecodedBlock implements Block {
  readonly bytes: Uint8Array;
  readonly header: AnyBlockHeader;
  readonly hash: Uint8Array;
  readonly transactionCount: number;
  #transactions: readonly Transaction[] | undefined;
  /** Zcash: where the first transaction starts, and where each one ends. */
  readonly #firstOffset: number;
  readonly #ends: Uint32Array | undefined;

  constructor(bytes: Uint8Array, header: AnyBlockHeader, firstOffset: number, ends: Uint32Array | undefined, parsed: readonly Transaction[] | undefined) {
    this.bytes = bytes;
    this.header = header;
    this.hash = header.hash;
    this.transactionCount = ends?.length ?? parsed!.length;
    this.#firstOffset = firstOffset;
    this.#ends = ends;
    this.#transactions = parsed;
  }

  get transactions(): readonly Transaction[] {
    if (this.#transactions === undefined) {
      const ends = this.#ends!;
      const list: Transaction[] = [];
      let start = this.#firstOffset;
      for (const end of ends) {
        list.push(walkedZcashTransaction(this.bytes.subarray(start, end)));
        start = end;
      }
      this.#transactions = list;
    }
    return this.#transactions;
  }
}

export function decodeBlock(bytes: Uint8Array, format: ChainFormat = 'zcash', options: DecodeBlockOptions = {}): Block {
  const max = MAX_BLOCK_BYTES_BY_FORMAT[format];
  if (bytes.length > max) throw malformed(`block of ${bytes.length} bytes exceeds ${max}`);
  const r = new ByteReader(bytes);
  const header = readAnyBlockHeader(r, format);
  const transactionCount = r.count(maxBlockTransactions(format), MIN_TRANSACTION_LENGTH, 'block transactions');
  const firstOffset = r.offset;
  const ends = format === 'zcash' ? new Uint32Array(transactionCount) : undefined;
  const parsed: Transaction[] | undefined = ends === undefined ? [] : undefined;
  const known = options.knownBranchIds;
  for (let i = 0; i < transactionCount; i++) {
    const start = r.offset;
    let version = 0;
    try {
      if (ends === undefined) parsed!.push(readTransaction(r, format));
      else {
        version = walkAt(r);
        ends[i] = r.offset;
      }
    } catch (err) {
      throw malformed(`block transaction ${i} at offset ${start}: ${(err as Error).message}`, err);
    }
    const unknown = unknownBranchId(bytes, start, version, known);
    if (unknown !== undefined) throw malformed(`block transaction ${i}: unknown consensus branch id 0x${unknown.toString(16)}`);
  }
  if (r.remaining > 0) throw malformed(`${r.remaining} trailing bytes after the last transaction at offset ${r.offset}`);
  return new DecodedBlock(bytes, header, firstOffset, ends, parsed);
}

/** Checks block bytes we are about to send: they must parse completely. */
export function checkBlockBytes(bytes: Uint8Array, format: ChainFormat = 'zcash'): void {
  try {
    decodeBlock(bytes, format);
  } catch (err) {
    throw encodeError(`invalid block: ${(err as Error).message}`);
  }
}
