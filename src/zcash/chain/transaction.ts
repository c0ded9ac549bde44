// A transaction as the network layer handles it: the parsed structure (zcash-transaction.ts or
// bitcoin-transaction.ts, by chain format), its bytes, and its identifiers. Zcash v1-v4 txid =
// SHA-256d of the bytes; v5 txid and auth digest = ZIP-244; Bitcoin txid = SHA-256d without witness
// data, wtxid = SHA-256d of every byte. Identifiers are computed on first use and remembered, so a
// block's transactions cost a parse, not a hash each, until someone asks; a `tx` message reuses the
// frame decoder's body digest as its v1-v4 txid. Truncation and trailing bytes are typed errors.

import { ByteReader } from '../encoding/byte-reader.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { sha256d, sha256dParts } from '../encoding/hashes.ts';
import { type BitcoinTransactionBody, readBitcoinTransaction } from './bitcoin-transaction.ts';
import type { ChainFormat } from './chain-format.ts';
import type { InventoryItem } from './inventory.ts';
import { type ZcashTransactionBody, readZcashTransaction } from './zcash-transaction.ts';
import { zip244Digests } from './zip244.ts';

export {
  OVERWINTER_VERSION_GROUP_ID,
  SAPLING_VERSION_GROUP_ID,
  TX_V5_VERSION_GROUP_ID,
} from './zcash-transaction.ts';

interface Identified {
  /** The serialized transaction (a view into the received body: copy it to retain it long term). */
  readonly bytes: Uint8Array;
  /** Legacy txid (SHA-256d) for Zcash v1-v4 and Bitcoin, ZIP-244 txid for Zcash v5; wire order. */
  readonly txid: Uint8Array;
}

export interface ZcashTransaction extends ZcashTransactionBody, Identified {
  /** ZIP-244 authorizing-data digest (v5 only). */
  readonly authDigest: Uint8Array | undefined;
}

export interface BitcoinTransaction extends BitcoinTransactionBody, Identified {
  readonly authDigest: undefined;
  /** SHA-256d of the full serialization (= txid without witnesses). */
  readonly wtxid: Uint8Array;
}

export type Transaction = ZcashTransaction | BitcoinTransaction;

function identifyZcash(bytes: Uint8Array, body: ZcashTransactionBody, digest: Uint8Array | undefined): ZcashTransaction {
  if (body.version === 5) {
    let ids: { txid: Uint8Array; authDigest: Uint8Array } | undefined;
    const computed = () => (ids ??= zip244Digests(bytes, body));
    return {
      ...body,
      bytes,
      get txid() {
        return computed().txid;
      },
      get authDigest() {
        return computed().authDigest;
      },
    };
  }
  let txid = digest;
  return {
    ...body,
    bytes,
    authDigest: undefined,
    get txid() {
      return (txid ??= sha256d(bytes));
    },
  };
}

function identifyBitcoin(bytes: Uint8Array, body: BitcoinTransactionBody, digest: Uint8Array | undefined): BitcoinTransaction {
  let wtxid = digest;
  let txid: Uint8Array | undefined;
  const full = (): Uint8Array => (wtxid ??= sha256d(bytes));
  return {
    ...body,
    bytes,
    authDigest: undefined,
    get wtxid() {
      return full();
    },
    get txid() {
      if (txid !== undefined) return txid;
      txid = body.witnesses === undefined ? full() : sha256dParts(body.strippedRanges.map(([a, b]) => bytes.subarray(a, b)));
      return txid;
    },
  };
}

/** Reads one transaction at the reader's position; its bytes are a view of the reader's buffer. */
export function readTransaction(r: ByteReader, format: ChainFormat): Transaction {
  const start = r.offset;
  if (format === 'bitcoin') {
    const body = readBitcoinTransaction(r);
    return identifyBitcoin(r.bytes.subarray(start, r.offset), body, undefined);
  }
  const body = readZcashTransaction(r);
  return identifyZcash(r.bytes.subarray(start, r.offset), body, undefined);
}

/**
 * Decodes a whole transaction: every byte must belong to it. `digest` may carry SHA-256d(bytes) when
 * the caller already computed it (the frame checksum digest of a `tx` body): it becomes the Zcash
 * v1-v4 txid or the Bitcoin wtxid without hashing again.
 */
export function decodeTransaction(bytes: Uint8Array, format: ChainFormat = 'zcash', digest?: Uint8Array): Transaction {
  const r = new ByteReader(bytes);
  const d = digest !== undefined && digest.length === 32 ? digest : undefined;
  const tx =
    format === 'bitcoin' ? identifyBitcoin(bytes, readBitcoinTransaction(r), d) : identifyZcash(bytes, readZcashTransaction(r), d);
  if (r.remaining > 0) throw malformed(`${r.remaining} trailing bytes after the transaction at offset ${r.offset}`);
  return tx;
}

/** Checks transaction bytes we are about to send: they must parse exactly as we would parse them. */
export function checkTransactionBytes(bytes: Uint8Array, format: ChainFormat = 'zcash'): void {
  try {
    const r = new ByteReader(bytes);
    if (format === 'bitcoin') readBitcoinTransaction(r);
    else readZcashTransaction(r);
    if (r.remaining > 0) throw malformed(`${r.remaining} trailing bytes`);
  } catch (err) {
    throw encodeError(`invalid transaction: ${(err as Error).message}`);
  }
}

/** The inventory entry advertising this transaction: MSG_WTX for Zcash v5, MSG_TX otherwise. */
export function transactionInventory(tx: Transaction): InventoryItem {
  if (tx.authDigest !== undefined) return { type: 'wtx', txid: tx.txid, authDigest: tx.authDigest };
  return { type: 'tx', hash: tx.txid };
}
