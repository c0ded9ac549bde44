// Transactions carried as opaque bytes with their identifiers computed, which is all the network
// layer needs (inventory, request matching, relay). The header is checked the way Zebra parses it
// (version and overwintered flag, version group id) and then: v1–v4 txid = SHA-256d of the bytes;
// v5 txid and auth digest = ZIP-244 (the transaction is parsed, trailing bytes are not part of it).
// For v1–v4 the frame decoder's body digest is reused as the txid, so a `tx` costs one SHA-256d.

import { encodeError, malformed } from '../encoding/errors.ts';
import { sha256d } from '../encoding/hashes.ts';
import type { InventoryItem } from './inventory.ts';
import { zip244Digests } from './zip244.ts';

/** Version group ids (`nVersionGroupId`), checked for overwintered transactions. */
export const OVERWINTER_VERSION_GROUP_ID = 0x03c48270;
export const SAPLING_VERSION_GROUP_ID = 0x892f2085;
export const TX_V5_VERSION_GROUP_ID = 0x26a7270a;

const OVERWINTERED_FLAG = 0x80000000;

export interface Transaction {
  /** The serialized transaction (a view into the received body: copy it to retain it long term). */
  readonly bytes: Uint8Array;
  /** Version number (low 31 bits of the header). */
  readonly version: number;
  readonly overwintered: boolean;
  /** Legacy txid (SHA-256d) for v1–v4, ZIP-244 txid for v5; wire order. */
  readonly txid: Uint8Array;
  /** ZIP-244 authorizing-data digest (v5 only). */
  readonly authDigest: Uint8Array | undefined;
}

interface TxHeader {
  readonly version: number;
  readonly overwintered: boolean;
}

function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function readTxHeader(bytes: Uint8Array): TxHeader {
  if (bytes.length < 4) throw malformed('unexpected end of body reading transaction header');
  const header = u32At(bytes, 0);
  const overwintered = (header & OVERWINTERED_FLAG) !== 0;
  const version = header & 0x7fffffff;
  if (!overwintered) {
    if (version === 1 || version === 2) return { version, overwintered };
    throw malformed(`unsupported transaction version ${version} without the overwintered flag`);
  }
  if (bytes.length < 8) throw malformed('unexpected end of body reading version group id');
  const group = u32At(bytes, 4);
  const expected =
    version === 3
      ? OVERWINTER_VERSION_GROUP_ID
      : version === 4
        ? SAPLING_VERSION_GROUP_ID
        : version === 5
          ? TX_V5_VERSION_GROUP_ID
          : -1;
  if (expected < 0) throw malformed(`unsupported overwintered transaction version ${version}`);
  if (group !== expected)
    throw malformed(`bad version group id 0x${group.toString(16)} for transaction v${version}`);
  return { version, overwintered };
}

/**
 * Decodes transaction bytes. `digest` may carry SHA-256d(bytes) when the caller already computed it
 * (the frame checksum digest of a `tx` body); it is only used for v1–v4.
 */
export function decodeTransaction(bytes: Uint8Array, digest?: Uint8Array): Transaction {
  const { version, overwintered } = readTxHeader(bytes);
  if (version === 5) {
    const d = zip244Digests(bytes);
    return {
      bytes: bytes.subarray(0, d.length),
      version,
      overwintered,
      txid: d.txid,
      authDigest: d.authDigest,
    };
  }
  // The frame digest is a fresh, never-mutated 32-byte array: used as the txid without a copy.
  const txid = digest !== undefined && digest.length === 32 ? digest : sha256d(bytes);
  return { bytes, version, overwintered, txid, authDigest: undefined };
}

/** Checks the header of transaction bytes we are about to send (cheap; the body is not re-hashed). */
export function checkTransactionHeader(bytes: Uint8Array): void {
  try {
    readTxHeader(bytes);
  } catch (err) {
    throw encodeError(`invalid transaction: ${(err as Error).message}`);
  }
}

/** The inventory entry advertising this transaction: MSG_WTX for v5, MSG_TX otherwise. */
export function transactionInventory(tx: Transaction): InventoryItem {
  if (tx.authDigest !== undefined) return { type: 'wtx', txid: tx.txid, authDigest: tx.authDigest };
  return { type: 'tx', hash: tx.txid };
}
