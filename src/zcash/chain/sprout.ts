// Sprout JoinSplit descriptions (Zcash protocol specification §7.2), carried by v2-v4 transactions:
// vpub_old u64 | vpub_new u64 | anchor 32 | 2 nullifiers 32 each | 2 note commitments 32 each |
// ephemeral key 32 | random seed 32 | 2 MACs 32 each | proof (BCTV14 296 bytes in v2-v3, Groth16 192
// in v4) | 2 note ciphertexts 601 each. When the list is not empty, joinSplitPubKey (32) and
// joinSplitSig (64) follow. Every field is a view into the transaction bytes.

import type { ByteReader } from '../encoding/byte-reader.ts';
import { type ChainFormat, preallocationLimit } from './chain-format.ts';
import { checkAmount } from './transparent.ts';

export type SproutProofSystem = 'bctv14' | 'groth16';

/** Proof sizes: BCTV14 (PHGR13) 296 bytes, Groth16 192 bytes (Zcash protocol specification §5.4.10). */
export const BCTV14_PROOF_LENGTH = 296;
export const GROTH16_PROOF_LENGTH = 192;
/** A Sprout note ciphertext (Zcash protocol specification §5.5): 601 bytes. */
const SPROUT_CIPHERTEXT_LENGTH = 601;
/** Everything but the proof: 8 + 8 + 32 + 64 + 64 + 32 + 32 + 64 + 2 × 601 = 1506 bytes. */
const JOINSPLIT_FIXED_LENGTH = 1506;

export interface JoinSplit {
  readonly vpubOld: bigint;
  readonly vpubNew: bigint;
  readonly anchor: Uint8Array;
  readonly nullifiers: readonly [Uint8Array, Uint8Array];
  readonly commitments: readonly [Uint8Array, Uint8Array];
  readonly ephemeralKey: Uint8Array;
  readonly randomSeed: Uint8Array;
  readonly macs: readonly [Uint8Array, Uint8Array];
  readonly proof: Uint8Array;
  readonly ciphertexts: readonly [Uint8Array, Uint8Array];
}

export interface SproutBundle {
  readonly proofSystem: SproutProofSystem;
  readonly joinSplits: readonly JoinSplit[];
  /** Ed25519 key and signature over the transaction (absent when there are no JoinSplits). */
  readonly pubKey: Uint8Array;
  readonly signature: Uint8Array;
}

export function joinSplitLength(proofSystem: SproutProofSystem): number {
  return JOINSPLIT_FIXED_LENGTH + (proofSystem === 'bctv14' ? BCTV14_PROOF_LENGTH : GROTH16_PROOF_LENGTH);
}

function readJoinSplit(r: ByteReader, proofLength: number): JoinSplit {
  const vpubOld = checkAmount(r.u64le('vpub_old'), 'vpub_old');
  const vpubNew = checkAmount(r.u64le('vpub_new'), 'vpub_new');
  return {
    vpubOld,
    vpubNew,
    anchor: r.sub(32, 'joinsplit anchor'),
    nullifiers: [r.sub(32, 'joinsplit nullifier'), r.sub(32, 'joinsplit nullifier')],
    commitments: [r.sub(32, 'joinsplit commitment'), r.sub(32, 'joinsplit commitment')],
    ephemeralKey: r.sub(32, 'joinsplit ephemeral key'),
    randomSeed: r.sub(32, 'joinsplit random seed'),
    macs: [r.sub(32, 'joinsplit mac'), r.sub(32, 'joinsplit mac')],
    proof: r.sub(proofLength, 'joinsplit proof'),
    ciphertexts: [r.sub(SPROUT_CIPHERTEXT_LENGTH, 'joinsplit ciphertext'), r.sub(SPROUT_CIPHERTEXT_LENGTH, 'joinsplit ciphertext')],
  };
}

/** Reads nJoinSplit, the descriptions and (when any) the key and signature; undefined when empty. */
export function readSproutBundle(r: ByteReader, proofSystem: SproutProofSystem, format: ChainFormat): SproutBundle | undefined {
  const size = joinSplitLength(proofSystem);
  const n = r.count(preallocationLimit(format, size), size, 'joinsplits');
  if (n === 0) return undefined;
  const proofLength = proofSystem === 'bctv14' ? BCTV14_PROOF_LENGTH : GROTH16_PROOF_LENGTH;
  const joinSplits: JoinSplit[] = [];
  for (let i = 0; i < n; i++) joinSplits.push(readJoinSplit(r, proofLength));
  return { proofSystem, joinSplits, pubKey: r.sub(32, 'joinSplitPubKey'), signature: r.sub(64, 'joinSplitSig') };
}
