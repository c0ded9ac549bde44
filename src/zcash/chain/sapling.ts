// Sapling spends and outputs (Zcash protocol specification §4.4, §4.5, §7.3, §7.4), in the two layouts that
// carry them. v4: valueBalanceSapling i64 first, then spends of 384 bytes (cv, anchor, nullifier, rk,
// Groth16 proof 192, spendAuthSig 64) and outputs of 948 bytes (cv, cmu, ephemeral key, enc ciphertext
// 580, out ciphertext 80, proof 192); the binding signature comes after the JoinSplits. v5 (ZIP-225):
// spend prefixes of 96 bytes (cv, nullifier, rk) and output prefixes of 756 bytes, then — only when
// the bundle is not empty — the value balance, one shared anchor (only with spends), the spend proofs,
// spend signatures, output proofs and the binding signature. Every field is a view (no copy).

import type { ByteReader } from '../encoding/byte-reader.ts';
import { type ChainFormat, preallocationLimit } from './chain-format.ts';
import { checkSignedAmount } from './transparent.ts';

const GROTH16_PROOF = 192;
const SIGNATURE = 64;
/** Groth16 proof of an output (v5 carries them after every description) and the signature size. */
export const SAPLING_OUTPUT_PROOF_LENGTH = GROTH16_PROOF;
export const SAPLING_SIGNATURE_LENGTH = SIGNATURE;
/** A v5 spend description without its proof and signature: cv, nullifier, rk. */
export const SAPLING_SPEND_V5_PREFIX_LENGTH = 96;
const ENC_CIPHERTEXT = 580;
const OUT_CIPHERTEXT = 80;
/** v4 spend and output description sizes (Zcash protocol specification §7.3, §7.4). */
export const SAPLING_SPEND_V4_LENGTH = 384;
export const SAPLING_OUTPUT_LENGTH = 948;
/** A v5 spend with its proof and signature, the v5 preallocation divisor (Zebra: 352). */
export const SAPLING_SPEND_V5_LENGTH = SAPLING_SPEND_V5_PREFIX_LENGTH + GROTH16_PROOF + SIGNATURE;

export interface SaplingSpend {
  readonly cv: Uint8Array;
  /** The Sapling tree root the spend proves against (per spend in v4, the bundle's shared anchor in v5). */
  readonly anchor: Uint8Array;
  readonly nullifier: Uint8Array;
  readonly rk: Uint8Array;
  readonly proof: Uint8Array;
  readonly spendAuthSig: Uint8Array;
}

export interface SaplingOutput {
  readonly cv: Uint8Array;
  /** Note commitment u-coordinate. */
  readonly cmu: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly encCiphertext: Uint8Array;
  readonly outCiphertext: Uint8Array;
  readonly proof: Uint8Array;
}

export interface SaplingBundle {
  /** Net value leaving the Sapling pool, zatoshi (signed). */
  readonly valueBalance: bigint;
  readonly spends: readonly SaplingSpend[];
  readonly outputs: readonly SaplingOutput[];
  /** The v5 shared anchor (undefined in v4 and without spends). */
  readonly sharedAnchor: Uint8Array | undefined;
  /** Undefined until read (v4 reads it after the JoinSplits). */
  bindingSig: Uint8Array | undefined;
}

/** Filled in once the proofs and signatures that follow the descriptions are read (v5). */
const PENDING = new Uint8Array(0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An output description; its proof follows at once in v4 and after every description in v5. */
function readOutput(r: ByteReader, withProof: boolean): Mutable<SaplingOutput> {
  // One object literal with every field (no spread): the same shape for every output.
  return {
    cv: r.sub(32, 'sapling output cv'),
    cmu: r.sub(32, 'sapling output cmu'),
    ephemeralKey: r.sub(32, 'sapling output ephemeral key'),
    encCiphertext: r.sub(ENC_CIPHERTEXT, 'sapling enc ciphertext'),
    outCiphertext: r.sub(OUT_CIPHERTEXT, 'sapling out ciphertext'),
    proof: withProof ? r.sub(GROTH16_PROOF, 'sapling output proof') : PENDING,
  };
}

/** v4: value balance, spends and outputs. The caller reads the binding signature after the JoinSplits. */
export function readSaplingV4(r: ByteReader, format: ChainFormat): SaplingBundle {
  const valueBalance = checkSignedAmount(r.i64le('valueBalanceSapling'), 'valueBalanceSapling');
  const nSpends = r.count(preallocationLimit(format, SAPLING_SPEND_V4_LENGTH), SAPLING_SPEND_V4_LENGTH, 'sapling spends');
  const spends: SaplingSpend[] = [];
  for (let i = 0; i < nSpends; i++) {
    spends.push({
      cv: r.sub(32, 'sapling spend cv'),
      anchor: r.sub(32, 'sapling spend anchor'),
      nullifier: r.sub(32, 'sapling spend nullifier'),
      rk: r.sub(32, 'sapling spend rk'),
      proof: r.sub(GROTH16_PROOF, 'sapling spend proof'),
      spendAuthSig: r.sub(SIGNATURE, 'sapling spend auth sig'),
    });
  }
  const nOutputs = r.count(preallocationLimit(format, SAPLING_OUTPUT_LENGTH), SAPLING_OUTPUT_LENGTH, 'sapling outputs');
  const outputs: SaplingOutput[] = [];
  for (let i = 0; i < nOutputs; i++) outputs.push(readOutput(r, true));
  return { valueBalance, spends, outputs, sharedAnchor: undefined, bindingSig: undefined };
}

/** v5 (ZIP-225): the whole Sapling part; undefined when it has neither spends nor outputs. */
export function readSaplingV5(r: ByteReader, format: ChainFormat): SaplingBundle | undefined {
  const nSpends = r.count(preallocationLimit(format, SAPLING_SPEND_V5_LENGTH), SAPLING_SPEND_V5_LENGTH, 'sapling spends');
  const spends: Mutable<SaplingSpend>[] = [];
  for (let i = 0; i < nSpends; i++) {
    const cv = r.sub(32, 'sapling spend cv');
    const nullifier = r.sub(32, 'sapling spend nullifier');
    spends.push({ cv, anchor: PENDING, nullifier, rk: r.sub(32, 'sapling spend rk'), proof: PENDING, spendAuthSig: PENDING });
  }
  const nOutputs = r.count(preallocationLimit(format, SAPLING_OUTPUT_LENGTH), SAPLING_OUTPUT_LENGTH, 'sapling outputs');
  const outputs: Mutable<SaplingOutput>[] = [];
  for (let i = 0; i < nOutputs; i++) outputs.push(readOutput(r, false));
  if (nSpends + nOutputs === 0) return undefined;
  const valueBalance = checkSignedAmount(r.i64le('valueBalanceSapling'), 'valueBalanceSapling');
  const sharedAnchor = nSpends > 0 ? r.sub(32, 'sapling anchor') : undefined;
  r.need(nSpends * (GROTH16_PROOF + SIGNATURE) + nOutputs * GROTH16_PROOF + SIGNATURE, 'sapling proofs and signatures');
  for (const spend of spends) {
    spend.anchor = sharedAnchor!;
    spend.proof = r.sub(GROTH16_PROOF, 'sapling spend proof');
  }
  for (const spend of spends) spend.spendAuthSig = r.sub(SIGNATURE, 'sapling spend auth sig');
  for (const output of outputs) output.proof = r.sub(GROTH16_PROOF, 'sapling output proof');
  return { valueBalance, spends, outputs, sharedAnchor, bindingSig: r.sub(SIGNATURE, 'sapling binding sig') };
}
