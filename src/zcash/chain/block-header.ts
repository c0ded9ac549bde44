// The Zcash block header, as carried by `headers` and at the front of every `block`. It is not
// Bitcoin's 80 bytes: version u32le | previous block hash 32 | merkle root 32 | block commitments
// (final Sapling root before NU5) 32 | time u32le | bits u32le | nonce 32 | Equihash solution
// (CompactSize + 1344 bytes on Mainnet/Testnet, 36 on Regtest) = 1487 bytes on Mainnet (docs/protocols/zcash.md §2.9).
// The block hash is SHA-256d over the whole header, solution included, hashed in place.

import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { HASH_LENGTH } from '../encoding/constants.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { sha256d } from '../encoding/hashes.ts';

/** Bytes before the solution: 4 + 32 + 32 + 32 + 4 + 4 + 32. */
export const HEADER_FIXED_LENGTH = 140;
/** Equihash (200, 9) solution size (Mainnet, Testnet). */
export const EQUIHASH_SOLUTION_LENGTH = 1344;
/** Equihash (48, 5) solution size (Regtest). */
export const REGTEST_EQUIHASH_SOLUTION_LENGTH = 36;
/** Full Mainnet/Testnet header: 140 + CompactSize `fd 40 05` + 1344. */
export const MAINNET_HEADER_LENGTH = HEADER_FIXED_LENGTH + 3 + EQUIHASH_SOLUTION_LENGTH;
/** Smallest header (Regtest solution with a one-byte CompactSize). */
export const MIN_HEADER_LENGTH = HEADER_FIXED_LENGTH + 1 + REGTEST_EQUIHASH_SOLUTION_LENGTH;
/** Consensus: nVersion is a signed 32-bit value and must be ≥ 4 (Zcash protocol specification §7.6). */
export const MIN_BLOCK_VERSION = 4;
const MAX_BLOCK_VERSION = 0x7fffffff;

export interface BlockHeaderFields {
  /** Optional discriminant against Bitcoin headers (bitcoin-block-header.ts). */
  readonly format?: 'zcash';
  readonly version: number;
  readonly previousBlockHash: Uint8Array;
  readonly merkleRoot: Uint8Array;
  /** Block commitments (NU5+: hashBlockCommitments; earlier: final Sapling root / reserved). */
  readonly commitments: Uint8Array;
  /** Seconds since the Unix epoch, u32. */
  readonly time: number;
  /** Compact difficulty target. */
  readonly bits: number;
  readonly nonce: Uint8Array;
  /** Equihash solution without its CompactSize prefix (1344 or 36 bytes). */
  readonly solution: Uint8Array;
}

export interface BlockHeader extends BlockHeaderFields {
  /** SHA-256d of the serialized header, wire order. */
  readonly hash: Uint8Array;
}

/** Reads one header and hashes its bytes in place. Hash fields are copied (headers outlive bodies). */
export function readBlockHeader(r: ByteReader): BlockHeader {
  const start = r.offset;
  r.need(HEADER_FIXED_LENGTH, 'block header');
  const version = r.u32le('block version');
  if (version < MIN_BLOCK_VERSION || version > MAX_BLOCK_VERSION)
    throw malformed(`block version ${version} out of range`);
  const previousBlockHash = r.copy(HASH_LENGTH, 'previous block hash');
  const merkleRoot = r.copy(HASH_LENGTH, 'merkle root');
  const commitments = r.copy(HASH_LENGTH, 'block commitments');
  const time = r.u32le('block time');
  const bits = r.u32le('block bits');
  const nonce = r.copy(HASH_LENGTH, 'block nonce');
  const len = r.compactSize('equihash solution length');
  if (len !== EQUIHASH_SOLUTION_LENGTH && len !== REGTEST_EQUIHASH_SOLUTION_LENGTH) {
    throw malformed(
      `equihash solution of ${len} bytes (must be ${EQUIHASH_SOLUTION_LENGTH} or ${REGTEST_EQUIHASH_SOLUTION_LENGTH})`,
    );
  }
  const solution = r.copy(len, 'equihash solution');
  const hash = sha256d(r.bytes.subarray(start, r.offset));
  return { format: 'zcash', version, previousBlockHash, merkleRoot, commitments, time, bits, nonce, solution, hash };
}

export function writeBlockHeader(w: ByteWriter, h: BlockHeaderFields): void {
  if (!Number.isInteger(h.version) || h.version < MIN_BLOCK_VERSION || h.version > MAX_BLOCK_VERSION) {
    throw encodeError(`block version ${h.version} out of range`);
  }
  if (
    h.solution.length !== EQUIHASH_SOLUTION_LENGTH &&
    h.solution.length !== REGTEST_EQUIHASH_SOLUTION_LENGTH
  ) {
    throw encodeError(
      `equihash solution must be ${EQUIHASH_SOLUTION_LENGTH} or ${REGTEST_EQUIHASH_SOLUTION_LENGTH} bytes`,
    );
  }
  w.u32le(h.version);
  w.fixed(h.previousBlockHash, HASH_LENGTH, 'previous block hash');
  w.fixed(h.merkleRoot, HASH_LENGTH, 'merkle root');
  w.fixed(h.commitments, HASH_LENGTH, 'block commitments');
  w.u32le(h.time);
  w.u32le(h.bits);
  w.fixed(h.nonce, HASH_LENGTH, 'block nonce');
  w.compactSize(h.solution.length);
  w.bytes(h.solution);
}
