// A transaction as the network layer handles it: the parsed structure (zcash-transaction.ts or
// bitcoin-transaction.ts, by chain format), its bytes, and its identifiers. Zcash v1-v4 txid =
// SHA-256d of the bytes; v5 txid and auth digest = ZIP-244; Bitcoin txid = SHA-256d without witness
// data, wtxid = SHA-256d of every byte. A Zcash transaction is checked completely when decoded but
// walked, not parsed (zcash-transaction-walk.ts): its fields are parsed the first time one is read.
// Identifiers are computed on first use and remembered, so a block's transactions cost a walk, not a
// parse and a hash each, until someone asks; a `tx` message reuses the frame decoder's body digest as
// its v1-v4 txid. Truncation and trailing bytes are typed errors.

import { ByteReader } from '../encoding/byte-reader.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { sha256d, sha256dParts } from '../encoding/hashes.ts';
import { type BitcoinTransactionBody, readBitcoinTransaction } from './bitcoin-transaction.ts';
import type { ChainFormat } from './chain-format.ts';
import type { InventoryItem } from './inventory.ts';
import { OVERWINTERED_FLAG, type ZcashTransactionBody, readZcashTransaction } from './zcash-transaction.ts';
import { walkZcashTransaction } from './zcash-transaction-walk.ts';
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

/** Read once: an imported binding can cost a getter call per read under the TypeScript loader. */
const walk = walkZcashTransaction;

/** Reads a u32le at `o` (the fixed-position header fields of a walked transaction). */
function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * A Zcash transaction whose bytes were walked (zcash-transaction-walk.ts: every rule checked, nothing
 * allocated) and whose fields are parsed on first read. The header fields sit at fixed offsets and are
 * read at once; inputs, outputs, lock time and the shielded parts come from one full parse, done the
 * first time any of them is read and kept. Identifiers are computed on first use and kept too. A class
 * (accessors on the prototype) keeps one object shape for every transaction.
 */
class LazyZcashTransaction implements ZcashTransaction {
  readonly chain = 'zcash';
  readonly version: number;
  readonly overwintered: boolean;
  readonly versionGroupId: number | undefined;
  readonly consensusBranchId: number | undefined;
  readonly bytes: Uint8Array;
  #body: ZcashTransactionBody | undefined;
  #txid: Uint8Array | undefined;
  #authDigest: Uint8Array | undefined;

  /** `bytes` must hold exactly one transaction that `walkZcashTransaction` accepted. */
  constructor(bytes: Uint8Array, digest: Uint8Array | undefined) {
    const header = u32At(bytes, 0);
    this.version = header & 0x7fffffff;
    this.overwintered = (header & OVERWINTERED_FLAG) !== 0;
    this.versionGroupId = this.overwintered ? u32At(bytes, 4) : undefined;
    this.consensusBranchId = this.version === 5 ? u32At(bytes, 8) : undefined;
    this.bytes = bytes;
    this.#txid = this.version === 5 ? undefined : digest;
  }

  private body(): ZcashTransactionBody {
    // The walk accepted these bytes, so the parse does not throw.
    return (this.#body ??= readZcashTransaction(new ByteReader(this.bytes)));
  }

  get inputs(): ZcashTransactionBody['inputs'] {
    return this.body().inputs;
  }

  get outputs(): ZcashTransactionBody['outputs'] {
    return this.body().outputs;
  }

  get lockTime(): number {
    return this.body().lockTime;
  }

  get expiryHeight(): number | undefined {
    return this.body().expiryHeight;
  }

  get sprout(): ZcashTransactionBody['sprout'] {
    return this.body().sprout;
  }

  get sapling(): ZcashTransactionBody['sapling'] {
    return this.body().sapling;
  }

  get orchard(): ZcashTransactionBody['orchard'] {
    return this.body().orchard;
  }

  private computeV5(): void {
    const ids = zip244Digests(this.bytes, this);
    this.#txid = ids.txid;
    this.#authDigest = ids.authDigest;
  }

  get txid(): Uint8Array {
    if (this.#txid === undefined) {
      if (this.version === 5) this.computeV5();
      else this.#txid = sha256d(this.bytes);
    }
    return this.#txid!;
  }

  get authDigest(): Uint8Array | undefined {
    if (this.version !== 5) return undefined;
    if (this.#authDigest === undefined) this.computeV5();
    return this.#authDigest;
  }
}

/**
 * Moves `r` past one Zcash transaction, checking it completely without allocating, and returns its
 * version. When the walk
 * refuses, the full parse runs over the same bytes so the error names the field and offset.
 */
export function walkZcashTransactionAt(r: ByteReader): number {
  const start = r.offset;
  const end = walk(r.bytes, start);
  if (end < 0) {
    readZcashTransaction(r); // throws the precise error
    // The walk refused what the parse accepts: a bug in the walk, but the bytes are still refused.
    throw malformed(`transaction at offset ${start} refused by the block walk`);
  }
  r.offset = end;
  return r.bytes[start]!; // the header's low byte: the walk accepts versions 1-5 only
}

/** A walked Zcash transaction (see LazyZcashTransaction); `bytes` must be exactly what the walk covered. */
export function walkedZcashTransaction(bytes: Uint8Array, digest?: Uint8Array): ZcashTransaction {
  return new LazyZcashTransaction(bytes, digest);
}

/** A parsed Bitcoin transaction with its txid and wtxid computed on first use. */
class IdentifiedBitcoinTransaction implements BitcoinTransaction {
  readonly chain = 'bitcoin';
  readonly version: number;
  readonly inputs: BitcoinTransactionBody['inputs'];
  readonly outputs: BitcoinTransactionBody['outputs'];
  readonly witnesses: BitcoinTransactionBody['witnesses'];
  readonly lockTime: number;
  readonly strippedRanges: BitcoinTransactionBody['strippedRanges'];
  readonly bytes: Uint8Array;
  readonly authDigest = undefined;
  #wtxid: Uint8Array | undefined;
  #txid: Uint8Array | undefined;

  constructor(bytes: Uint8Array, body: BitcoinTransactionBody, digest: Uint8Array | undefined) {
    this.version = body.version;
    this.inputs = body.inputs;
    this.outputs = body.outputs;
    this.witnesses = body.witnesses;
    this.lockTime = body.lockTime;
    this.strippedRanges = body.strippedRanges;
    this.bytes = bytes;
    this.#wtxid = digest;
  }

  get wtxid(): Uint8Array {
    return (this.#wtxid ??= sha256d(this.bytes));
  }

  get txid(): Uint8Array {
    if (this.#txid === undefined) {
      const bytes = this.bytes;
      this.#txid = this.witnesses === undefined ? this.wtxid : sha256dParts(this.strippedRanges.map(([a, b]) => bytes.subarray(a, b)));
    }
    return this.#txid;
  }
}

function identifyBitcoin(bytes: Uint8Array, body: BitcoinTransactionBody, digest: Uint8Array | undefined): BitcoinTransaction {
  return new IdentifiedBitcoinTransaction(bytes, body, digest);
}

/** Reads one transaction at the reader's position; its bytes are a view of the reader's buffer. */
export function readTransaction(r: ByteReader, format: ChainFormat): Transaction {
  const start = r.offset;
  if (format === 'bitcoin') {
    const body = readBitcoinTransaction(r);
    return identifyBitcoin(r.bytes.subarray(start, r.offset), body, undefined);
  }
  walkZcashTransactionAt(r);
  return new LazyZcashTransaction(r.bytes.subarray(start, r.offset), undefined);
}

/**
 * Decodes a whole transaction: every byte must belong to it. `digest` may carry SHA-256d(bytes) when
 * the caller already computed it (the frame checksum digest of a `tx` body): it becomes the Zcash
 * v1-v4 txid or the Bitcoin wtxid without hashing again.
 */
export function decodeTransaction(bytes: Uint8Array, format: ChainFormat = 'zcash', digest?: Uint8Array): Transaction {
  const r = new ByteReader(bytes);
  const d = digest !== undefined && digest.length === 32 ? digest : undefined;
  let tx: Transaction;
  if (format === 'bitcoin') tx = identifyBitcoin(bytes, readBitcoinTransaction(r), d);
  else {
    walkZcashTransactionAt(r);
    tx = new LazyZcashTransaction(bytes, d);
  }
  if (r.remaining > 0) throw malformed(`${r.remaining} trailing bytes after the transaction at offset ${r.offset}`);
  return tx;
}

/** Checks transaction bytes we are about to send: they must parse exactly as we would parse them. */
export function checkTransactionBytes(bytes: Uint8Array, format: ChainFormat = 'zcash'): void {
  try {
    const r = new ByteReader(bytes);
    if (format === 'bitcoin') readBitcoinTransaction(r);
    else walkZcashTransactionAt(r);
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
