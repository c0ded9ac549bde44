// The shared set of our handshake nonces (docs/protocols/zcash.md §3.2). Every handshake inserts a fresh random u64 and
// checks the remote's nonce against the whole set: a match means the remote is ourselves (one of
// our own connections, possibly a concurrent one, echoed our version). One set is shared by every
// connection of a node.
//
// Bounded and insertion-ordered: trimmed from the oldest end to the total connection limit. Nonces are
// never removed when a handshake ends: if they were, a passive observer who saw our traffic could
// get a nonce removed and then make us complete a connection to ourselves. Memory: 200 nonces ≈ a
// few KiB; collision odds for 200 random 64-bit values are negligible (birthday bound ~2^-49).
// JavaScript runs one handshake step at a time, so the check needs no lock: the insert and the
// check are each atomic, and a concurrent handshake to ourselves sees the other nonce.

import { randomBytes } from 'node:crypto';
import { bytesFrom, type Random } from '../../core/random.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { duplicateNonce } from './peer-errors.ts';

/** Zebra's default peerset_total_connection_limit: 25 × (3 outbound + 5 inbound) = 200. */
export const DEFAULT_TOTAL_CONNECTION_LIMIT = 200;

/** A fresh random 64-bit nonce. */
export function randomNonce(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

/** A 64-bit nonce drawn from an injected source (simulations replaying a seed). */
export function randomNonceFrom(random: Random): bigint {
  const bytes = bytesFrom(random)(8);
  return new DataView(bytes.buffer).getBigUint64(0, true);
}

export class NonceSet {
  readonly limit: number;
  /** A Set iterates in insertion order: the first entries are the oldest. */
  private readonly nonces = new Set<bigint>();

  constructor(limit = DEFAULT_TOTAL_CONNECTION_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `nonce set limit must be a positive integer, not ${limit}`,
        {
          action: 'transient',
        },
      );
    }
    this.limit = limit;
  }

  get size(): number {
    return this.nonces.size;
  }

  /** Inserts a local nonce; throws ERR_ZCASH_DUPLICATE_NONCE if it is already there. Trims the oldest. */
  insert(nonce: bigint): void {
    if (this.nonces.has(nonce)) throw duplicateNonce();
    this.nonces.add(nonce);
    while (this.nonces.size > this.limit) {
      const oldest = this.nonces.values().next();
      if (oldest.done === true) break;
      this.nonces.delete(oldest.value);
    }
  }

  /** True when `nonce` is one of ours (a self-connection). */
  has(nonce: bigint): boolean {
    return this.nonces.has(nonce);
  }
}
