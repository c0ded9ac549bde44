// Blocks, parsed completely: the header (Zcash: 140 bytes + Equihash solution; Bitcoin: 80 bytes),
// the transaction count, and every transaction (transaction.ts), as Zebra deserializes a block before
// anything else looks at it — a malformed transaction anywhere fails the block, and so the message.
// The size is capped at the chain's MAX_BLOCK_BYTES; bytes after the last transaction are an error.
// Parsing is linear and allocates one small object per transaction part with views into the bytes;
// transaction ids are computed only when asked for (see transaction.ts).

import { ByteReader } from '../encoding/byte-reader.ts';
import { type BitcoinBlockHeader, readBitcoinBlockHeader } from './bitcoin-block-header.ts';
import { type BlockHeader, readBlockHeader } from './block-header.ts';
import { type ChainFormat, MAX_BLOCK_BYTES_BY_FORMAT } from './chain-format.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { type Transaction, readTransaction } from './transaction.ts';

/**
 * Smallest possible transaction (version, empty input and output lists, lock time: 10 bytes), the
 * divisor that bounds a block's transaction count before the list is allocated.
 */
const MIN_TRANSACTION_LENGTH = 10;

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

export function decodeBlock(bytes: Uint8Array, format: ChainFormat = 'zcash'): Block {
  const max = MAX_BLOCK_BYTES_BY_FORMAT[format];
  if (bytes.length > max) throw malformed(`block of ${bytes.length} bytes exceeds ${max}`);
  const r = new ByteReader(bytes);
  const header = readAnyBlockHeader(r, format);
  const transactionCount = r.count(Math.floor(max / MIN_TRANSACTION_LENGTH), MIN_TRANSACTION_LENGTH, 'block transactions');
  const transactions: Transaction[] = [];
  for (let i = 0; i < transactionCount; i++) {
    const start = r.offset;
    try {
      transactions.push(readTransaction(r, format));
    } catch (err) {
      throw malformed(`block transaction ${i} at offset ${start}: ${(err as Error).message}`, err);
    }
  }
  if (r.remaining > 0) throw malformed(`${r.remaining} trailing bytes after the last transaction at offset ${r.offset}`);
  return { bytes, header, hash: header.hash, transactionCount, transactions };
}

/** Checks block bytes we are about to send: they must parse completely. */
export function checkBlockBytes(bytes: Uint8Array, format: ChainFormat = 'zcash'): void {
  try {
    decodeBlock(bytes, format);
  } catch (err) {
    throw encodeError(`invalid block: ${(err as Error).message}`);
  }
}
