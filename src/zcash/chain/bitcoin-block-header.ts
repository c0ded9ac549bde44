// The Bitcoin block header: 80 bytes — version i32 | previous block hash 32 | merkle root 32 | time
// u32 | bits u32 | nonce u32. The block hash is SHA-256d of those 80 bytes, hashed in place. Used by
// networks whose chain format is 'bitcoin' (their `headers` entries and `block` bodies start with it).

import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { HASH_LENGTH } from '../encoding/constants.ts';
import { sha256d } from '../encoding/hashes.ts';

/** Serialized header size. */
export const BITCOIN_HEADER_LENGTH = 80;

export interface BitcoinBlockHeaderFields {
  readonly format: 'bitcoin';
  /** Signed 32-bit version (BIP-9 version bits included). */
  readonly version: number;
  readonly previousBlockHash: Uint8Array;
  readonly merkleRoot: Uint8Array;
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
}

export interface BitcoinBlockHeader extends BitcoinBlockHeaderFields {
  /** SHA-256d of the 80 header bytes, wire order. */
  readonly hash: Uint8Array;
}

export function readBitcoinBlockHeader(r: ByteReader): BitcoinBlockHeader {
  const start = r.offset;
  r.need(BITCOIN_HEADER_LENGTH, 'block header');
  const version = r.u32le('block version') | 0;
  const previousBlockHash = r.copy(HASH_LENGTH, 'previous block hash');
  const merkleRoot = r.copy(HASH_LENGTH, 'merkle root');
  const time = r.u32le('block time');
  const bits = r.u32le('block bits');
  const nonce = r.u32le('block nonce');
  const hash = sha256d(r.bytes.subarray(start, r.offset));
  return { format: 'bitcoin', version, previousBlockHash, merkleRoot, time, bits, nonce, hash };
}

export function writeBitcoinBlockHeader(w: ByteWriter, h: BitcoinBlockHeaderFields): void {
  w.u32le(h.version >>> 0);
  w.fixed(h.previousBlockHash, HASH_LENGTH, 'previous block hash');
  w.fixed(h.merkleRoot, HASH_LENGTH, 'merkle root');
  w.u32le(h.time);
  w.u32le(h.bits);
  w.u32le(h.nonce);
}
