// Blocks carried as opaque bytes with their header parsed and their hash computed (SHA-256d of the
// header bytes, hashed in place), which is what request matching and the inventory registry need.
// Transactions inside stay unparsed; the block size is capped at MAX_BLOCK_BYTES as Zebra does.

import { ByteReader } from '../encoding/byte-reader.ts';
import { type BlockHeader, readBlockHeader } from './block-header.ts';
import { MAX_BLOCK_BYTES } from '../encoding/constants.ts';
import { encodeError, malformed } from '../encoding/errors.ts';

/** Smallest possible transaction (v1: header, empty input and output lists, lock time): a count sanity bound. */
const MIN_TRANSACTION_LENGTH = 10;

export interface Block {
  /** The serialized block (a view into the received body: copy it to retain it long term). */
  readonly bytes: Uint8Array;
  readonly header: BlockHeader;
  /** Block hash (= header.hash), wire order. */
  readonly hash: Uint8Array;
  /** Number of transactions announced after the header. */
  readonly transactionCount: number;
}

export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_BYTES)
    throw malformed(`block of ${bytes.length} bytes exceeds ${MAX_BLOCK_BYTES}`);
  const r = new ByteReader(bytes);
  const header = readBlockHeader(r);
  const transactionCount = r.count(MAX_BLOCK_BYTES, MIN_TRANSACTION_LENGTH, 'block transactions');
  return { bytes, header, hash: header.hash, transactionCount };
}

/** Checks block bytes we are about to send: size and a parsable header. */
export function checkBlockBytes(bytes: Uint8Array): void {
  try {
    decodeBlock(bytes);
  } catch (err) {
    throw encodeError(`invalid block: ${(err as Error).message}`);
  }
}
