// ZIP-244 transaction identifiers for v5 transactions: the txid and the authorizing-data digest are
// BLAKE2b-256 trees over the parsed transaction (ZIP-244, layout from ZIP-225), not SHA-256d. A
// MSG_WTX inventory entry is txid ‖ auth digest (ZIP-239). BLAKE2b with personalization comes from
// @noble/hashes (node:crypto's blake2b512 takes no personalization). Fields are hashed as views of
// the transaction bytes; nothing is copied.

import { blake2b } from '@noble/hashes/blake2.js';
import { ByteReader } from '../encoding/byte-reader.ts';
import { MAX_PROTOCOL_MESSAGE_LENGTH } from '../encoding/constants.ts';

/** Sizes of v5 transaction parts (ZIP-225), in bytes. */
const OUTPOINT = 36;
const SAPLING_SPEND = 96; // cv, nullifier, rk
const SAPLING_OUTPUT = 756; // cv, cmu, ephemeral key, enc ciphertext 580, out ciphertext 80
const ORCHARD_ACTION = 820; // cv, nullifier, rk, cmx, ephemeral key, enc 580, out 80
const GROTH_PROOF = 192;
const SIGNATURE = 64;
const ENC_CIPHERTEXT = 580;
/** Compact part of a note ciphertext (ZIP-307 compact block) and the memo part end. */
const COMPACT_END = 52;
const MEMO_END = 564;

const ascii = new TextEncoder();

function personal(tag: string): Uint8Array {
  return ascii.encode(tag);
}

type Hasher = ReturnType<typeof blake2b.create>;

function hasher(tag: string | Uint8Array): Hasher {
  return blake2b.create({ dkLen: 32, personalization: typeof tag === 'string' ? personal(tag) : tag });
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

export interface Zip244Digests {
  /** ZIP-244 txid, wire order. */
  readonly txid: Uint8Array;
  /** ZIP-244 authorizing data commitment, wire order. */
  readonly authDigest: Uint8Array;
  /** Bytes the transaction occupies from the start of `bytes` (trailing bytes are not part of it). */
  readonly length: number;
}

/** Largest list count considered while parsing (the body limit; real caps come from the remaining bytes). */
const MAX_COUNT = MAX_PROTOCOL_MESSAGE_LENGTH;

/**
 * Parses a v5 transaction starting at `bytes[0]` and computes its txid and auth digest. Throws a
 * `disconnect` PeerwireError on truncated or malformed input. The header (version, version group id)
 * must already have been checked by the caller.
 */
export function zip244Digests(bytes: Uint8Array): Zip244Digests {
  const r = new ByteReader(bytes);
  const header = r.sub(20, 'v5 transaction header');
  const branchId = header.subarray(8, 12);

  // Transparent bundle.
  const prevouts = hasher('ZTxIdPrevoutHash');
  const sequences = hasher('ZTxIdSequencHash');
  const outputs = hasher('ZTxIdOutputsHash');
  const scripts = hasher('ZTxAuthTransHash');
  const nIn = r.count(MAX_COUNT, OUTPOINT + 1 + 4, 'transparent inputs');
  for (let i = 0; i < nIn; i++) {
    prevouts.update(r.sub(OUTPOINT, 'outpoint'));
    const start = r.offset;
    const len = r.compactSize('scriptSig length');
    r.skip(len, 'scriptSig');
    scripts.update(bytes.subarray(start, r.offset));
    sequences.update(r.sub(4, 'sequence'));
  }
  const nOut = r.count(MAX_COUNT, 8 + 1, 'transparent outputs');
  for (let i = 0; i < nOut; i++) {
    const start = r.offset;
    r.skip(8, 'output value');
    const len = r.compactSize('scriptPubKey length');
    r.skip(len, 'scriptPubKey');
    outputs.update(bytes.subarray(start, r.offset));
  }
  const transparentDigest =
    nIn + nOut === 0
      ? hashOf('ZTxIdTranspaHash')
      : hashOf('ZTxIdTranspaHash', prevouts.digest(), sequences.digest(), outputs.digest());
  const transparentAuth = scripts.digest();

  // Sapling bundle.
  const nSpends = r.count(MAX_COUNT, SAPLING_SPEND + GROTH_PROOF + SIGNATURE, 'sapling spends');
  const spendsStart = r.offset;
  r.skip(nSpends * SAPLING_SPEND, 'sapling spends');
  const nOutputs = r.count(MAX_COUNT, SAPLING_OUTPUT + GROTH_PROOF, 'sapling outputs');
  const outputsStart = r.offset;
  r.skip(nOutputs * SAPLING_OUTPUT, 'sapling outputs');
  let saplingDigest: Uint8Array;
  let saplingAuth: Uint8Array;
  if (nSpends + nOutputs === 0) {
    saplingDigest = hashOf('ZTxIdSaplingHash');
    saplingAuth = hashOf('ZTxAuthSapliHash');
  } else {
    const valueBalance = r.sub(8, 'sapling value balance');
    const anchor = nSpends > 0 ? r.sub(32, 'sapling anchor') : new Uint8Array(0);
    let spendsDigest: Uint8Array;
    if (nSpends === 0) spendsDigest = hashOf('ZTxIdSSpendsHash');
    else {
      const compact = hasher('ZTxIdSSpendCHash');
      const noncompact = hasher('ZTxIdSSpendNHash');
      for (let i = 0; i < nSpends; i++) {
        const s = spendsStart + i * SAPLING_SPEND;
        noncompact.update(bytes.subarray(s, s + 32)); // cv
        compact.update(bytes.subarray(s + 32, s + 64)); // nullifier
        noncompact.update(anchor);
        noncompact.update(bytes.subarray(s + 64, s + 96)); // rk
      }
      spendsDigest = hashOf('ZTxIdSSpendsHash', compact.digest(), noncompact.digest());
    }
    let outputsDigest: Uint8Array;
    if (nOutputs === 0) outputsDigest = hashOf('ZTxIdSOutputHash');
    else {
      const compact = hasher('ZTxIdSOutC__Hash');
      const memos = hasher('ZTxIdSOutM__Hash');
      const noncompact = hasher('ZTxIdSOutN__Hash');
      for (let i = 0; i < nOutputs; i++) {
        const o = outputsStart + i * SAPLING_OUTPUT;
        const enc = o + 96;
        noncompact.update(bytes.subarray(o, o + 32)); // cv
        compact.update(bytes.subarray(o + 32, enc + COMPACT_END)); // cmu, ephemeral key, compact ciphertext
        memos.update(bytes.subarray(enc + COMPACT_END, enc + MEMO_END));
        noncompact.update(bytes.subarray(enc + MEMO_END, enc + ENC_CIPHERTEXT + 80)); // tag, out ciphertext
      }
      outputsDigest = hashOf('ZTxIdSOutputHash', compact.digest(), memos.digest(), noncompact.digest());
    }
    saplingDigest = hashOf('ZTxIdSaplingHash', spendsDigest, outputsDigest, valueBalance);
    const authLen = nSpends * (GROTH_PROOF + SIGNATURE) + nOutputs * GROTH_PROOF + SIGNATURE;
    saplingAuth = hashOf('ZTxAuthSapliHash', r.sub(authLen, 'sapling proofs and signatures'));
  }

  // Orchard bundle.
  const nActions = r.count(MAX_COUNT, ORCHARD_ACTION + SIGNATURE, 'orchard actions');
  let orchardDigest: Uint8Array;
  let orchardAuth: Uint8Array;
  if (nActions === 0) {
    orchardDigest = hashOf('ZTxIdOrchardHash');
    orchardAuth = hashOf('ZTxAuthOrchaHash');
  } else {
    const actionsStart = r.offset;
    r.skip(nActions * ORCHARD_ACTION, 'orchard actions');
    const compact = hasher('ZTxIdOrcActCHash');
    const memos = hasher('ZTxIdOrcActMHash');
    const noncompact = hasher('ZTxIdOrcActNHash');
    for (let i = 0; i < nActions; i++) {
      const a = actionsStart + i * ORCHARD_ACTION;
      const enc = a + 160;
      noncompact.update(bytes.subarray(a, a + 32)); // cv
      compact.update(bytes.subarray(a + 32, a + 64)); // nullifier
      noncompact.update(bytes.subarray(a + 64, a + 96)); // rk
      compact.update(bytes.subarray(a + 96, enc + COMPACT_END)); // cmx, ephemeral key, compact ciphertext
      memos.update(bytes.subarray(enc + COMPACT_END, enc + MEMO_END));
      noncompact.update(bytes.subarray(enc + MEMO_END, enc + ENC_CIPHERTEXT + 80));
    }
    const tail = r.sub(1 + 8 + 32, 'orchard flags, value balance and anchor');
    orchardDigest = hashOf('ZTxIdOrchardHash', compact.digest(), memos.digest(), noncompact.digest(), tail);
    const proofLen = r.compactSize('orchard proofs length');
    const proofs = r.sub(proofLen, 'orchard proofs');
    const sigs = r.sub(nActions * SIGNATURE + SIGNATURE, 'orchard signatures');
    orchardAuth = hashOf('ZTxAuthOrchaHash', proofs, sigs);
  }

  const headerDigest = hashOf('ZTxIdHeadersHash', header);
  const txidHasher = hasher(branchTag('ZcashTxHash_', branchId));
  txidHasher.update(headerDigest).update(transparentDigest).update(saplingDigest).update(orchardDigest);
  const authHasher = hasher(branchTag('ZTxAuthHash_', branchId));
  authHasher.update(transparentAuth).update(saplingAuth).update(orchardAuth);
  return { txid: txidHasher.digest(), authDigest: authHasher.digest(), length: r.offset };
}
