// ZIP-244 transaction identifiers for v5 transactions: the txid and the authorizing-data digest are
// BLAKE2b-256 trees over the parsed transaction (ZIP-244, field layout from ZIP-225), not SHA-256d. A
// MSG_WTX inventory entry is txid ‖ auth digest (ZIP-239). BLAKE2b with personalization comes from
// @noble/hashes (node:crypto's blake2b512 takes no personalization). The trees are built from the
// structure zcash-transaction.ts parsed: every field is a view of the transaction bytes, nothing is
// copied, and the bytes are not parsed a second time.

import { blake2b } from '@noble/hashes/blake2.js';
import { V5_HEADER_LENGTH, type ZcashTransactionBody } from './zcash-transaction.ts';

/** Where a note ciphertext splits for ZIP-244: the compact part (ZIP-307) ends at 52, the memo at 564. */
const COMPACT_END = 52;
const MEMO_END = 564;

const ascii = new TextEncoder();

type Hasher = ReturnType<typeof blake2b.create>;

function hasher(tag: string | Uint8Array): Hasher {
  return blake2b.create({ dkLen: 32, personalization: typeof tag === 'string' ? ascii.encode(tag) : tag });
}

function hashOf(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const h = hasher(tag);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `ZcashTxHash_` / `ZTxAuthHash_` followed by the consensus branch id, u32le. */
function branchTag(prefix: string, branchId: Uint8Array): Uint8Array {
  const tag = new Uint8Array(16);
  tag.set(ascii.encode(prefix));
  tag.set(branchId, 12);
  return tag;
}

/** The CompactSize prefix of a script length (ZIP-244 hashes scripts with it). */
function compactSizeBytes(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

function i64le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v, true);
  return out;
}

export interface Zip244Digests {
  /** ZIP-244 txid, wire order. */
  readonly txid: Uint8Array;
  /** ZIP-244 authorizing data commitment, wire order. */
  readonly authDigest: Uint8Array;
}

function transparentDigests(tx: ZcashTransactionBody): { id: Uint8Array; auth: Uint8Array } {
  const scripts = hasher('ZTxAuthTransHash');
  for (const input of tx.inputs) scripts.update(compactSizeBytes(input.script.length)).update(input.script);
  if (tx.inputs.length + tx.outputs.length === 0) return { id: hashOf('ZTxIdTranspaHash'), auth: scripts.digest() };
  const prevouts = hasher('ZTxIdPrevoutHash');
  const sequences = hasher('ZTxIdSequencHash');
  const outputs = hasher('ZTxIdOutputsHash');
  const sequence = new Uint8Array(4);
  for (const input of tx.inputs) {
    prevouts.update(input.outpoint);
    new DataView(sequence.buffer).setUint32(0, input.sequence, true);
    sequences.update(sequence);
  }
  for (const output of tx.outputs) outputs.update(output.bytes);
  return { id: hashOf('ZTxIdTranspaHash', prevouts.digest(), sequences.digest(), outputs.digest()), auth: scripts.digest() };
}

function saplingDigests(tx: ZcashTransactionBody): { id: Uint8Array; auth: Uint8Array } {
  const s = tx.sapling;
  if (s === undefined) return { id: hashOf('ZTxIdSaplingHash'), auth: hashOf('ZTxAuthSapliHash') };
  let spendsDigest: Uint8Array;
  if (s.spends.length === 0) spendsDigest = hashOf('ZTxIdSSpendsHash');
  else {
    const compact = hasher('ZTxIdSSpendCHash');
    const noncompact = hasher('ZTxIdSSpendNHash');
    for (const spend of s.spends) {
      compact.update(spend.nullifier);
      noncompact.update(spend.cv).update(spend.anchor).update(spend.rk);
    }
    spendsDigest = hashOf('ZTxIdSSpendsHash', compact.digest(), noncompact.digest());
  }
  let outputsDigest: Uint8Array;
  if (s.outputs.length === 0) outputsDigest = hashOf('ZTxIdSOutputHash');
  else {
    const compact = hasher('ZTxIdSOutC__Hash');
    const memos = hasher('ZTxIdSOutM__Hash');
    const noncompact = hasher('ZTxIdSOutN__Hash');
    for (const o of s.outputs) {
      compact.update(o.cmu).update(o.ephemeralKey).update(o.encCiphertext.subarray(0, COMPACT_END));
      memos.update(o.encCiphertext.subarray(COMPACT_END, MEMO_END));
      noncompact.update(o.cv).update(o.encCiphertext.subarray(MEMO_END)).update(o.outCiphertext);
    }
    outputsDigest = hashOf('ZTxIdSOutputHash', compact.digest(), memos.digest(), noncompact.digest());
  }
  const auth = hasher('ZTxAuthSapliHash');
  for (const spend of s.spends) auth.update(spend.proof);
  for (const spend of s.spends) auth.update(spend.spendAuthSig);
  for (const o of s.outputs) auth.update(o.proof);
  auth.update(s.bindingSig!);
  return { id: hashOf('ZTxIdSaplingHash', spendsDigest, outputsDigest, i64le(s.valueBalance)), auth: auth.digest() };
}

function orchardDigests(tx: ZcashTransactionBody): { id: Uint8Array; auth: Uint8Array } {
  const o = tx.orchard;
  if (o === undefined) return { id: hashOf('ZTxIdOrchardHash'), auth: hashOf('ZTxAuthOrchaHash') };
  const compact = hasher('ZTxIdOrcActCHash');
  const memos = hasher('ZTxIdOrcActMHash');
  const noncompact = hasher('ZTxIdOrcActNHash');
  for (const a of o.actions) {
    compact.update(a.nullifier).update(a.cmx).update(a.ephemeralKey).update(a.encCiphertext.subarray(0, COMPACT_END));
    memos.update(a.encCiphertext.subarray(COMPACT_END, MEMO_END));
    noncompact.update(a.cv).update(a.rk).update(a.encCiphertext.subarray(MEMO_END)).update(a.outCiphertext);
  }
  const id = hashOf('ZTxIdOrchardHash', compact.digest(), memos.digest(), noncompact.digest(), Uint8Array.of(o.flags), i64le(o.valueBalance), o.anchor);
  const auth = hasher('ZTxAuthOrchaHash').update(o.proof);
  for (const a of o.actions) auth.update(a.spendAuthSig);
  auth.update(o.bindingSig);
  return { id, auth: auth.digest() };
}

/** The txid and auth digest of a parsed v5 transaction whose serialization starts at `bytes[0]`. */
export function zip244Digests(bytes: Uint8Array, tx: ZcashTransactionBody): Zip244Digests {
  const header = bytes.subarray(0, V5_HEADER_LENGTH);
  const branchId = header.subarray(8, 12);
  const transparent = transparentDigests(tx);
  const sapling = saplingDigests(tx);
  const orchard = orchardDigests(tx);
  const txid = hasher(branchTag('ZcashTxHash_', branchId))
    .update(hashOf('ZTxIdHeadersHash', header))
    .update(transparent.id)
    .update(sapling.id)
    .update(orchard.id)
    .digest();
  const authDigest = hasher(branchTag('ZTxAuthHash_', branchId)).update(transparent.auth).update(sapling.auth).update(orchard.auth).digest();
  return { txid, authDigest };
}
