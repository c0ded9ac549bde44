// The Orchard bundle of a v5 transaction (ZIP-225, protocol specification §7.5): nActionsOrchard, actions of
// 820 bytes (cv, nullifier, rk, cmx, ephemeral key, enc ciphertext 580, out ciphertext 80), then —
// only when there are actions — flags (1 byte: bit 0 spends enabled, bit 1 outputs enabled, other bits
// reserved and refused as Zebra does), valueBalanceOrchard i64, anchor, the aggregated Halo 2 proof
// (CompactSize length + bytes), one spendAuthSig per action and the binding signature.

import type { ByteReader } from '../encoding/byte-reader.ts';
import { malformed } from '../encoding/errors.ts';
import { type ChainFormat, preallocationLimit } from './chain-format.ts';
import { checkSignedAmount } from './transparent.ts';

/** An action description in the transaction (820 bytes). */
export const ORCHARD_ACTION_LENGTH = 820;
const SIGNATURE = 64;
/** Placeholder until the signatures after the proof are read. */
const PENDING = new Uint8Array(0);
/** Flags bits defined by ZIP-225; any other bit set is a parse error. */
const ORCHARD_FLAG_SPENDS = 0x01;
const ORCHARD_FLAG_OUTPUTS = 0x02;
/** Every defined flag bit. */
export const ORCHARD_FLAGS_KNOWN = ORCHARD_FLAG_SPENDS | ORCHARD_FLAG_OUTPUTS;

export interface OrchardAction {
  readonly cv: Uint8Array;
  readonly nullifier: Uint8Array;
  readonly rk: Uint8Array;
  /** Note commitment x-coordinate. */
  readonly cmx: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly encCiphertext: Uint8Array;
  readonly outCiphertext: Uint8Array;
  readonly spendAuthSig: Uint8Array;
}

export interface OrchardBundle {
  readonly actions: readonly OrchardAction[];
  readonly flags: number;
  readonly spendsEnabled: boolean;
  readonly outputsEnabled: boolean;
  readonly valueBalance: bigint;
  readonly anchor: Uint8Array;
  readonly proof: Uint8Array;
  readonly bindingSig: Uint8Array;
}

/** Reads the Orchard part of a v5 transaction; undefined when it has no actions. */
export function readOrchardBundle(r: ByteReader, format: ChainFormat): OrchardBundle | undefined {
  const itemLength = ORCHARD_ACTION_LENGTH + SIGNATURE;
  const n = r.count(preallocationLimit(format, itemLength), itemLength, 'orchard actions');
  if (n === 0) return undefined;
  const actions: { -readonly [K in keyof OrchardAction]: OrchardAction[K] }[] = [];
  for (let i = 0; i < n; i++) {
    actions.push({
      cv: r.sub(32, 'orchard action cv'),
      nullifier: r.sub(32, 'orchard action nullifier'),
      rk: r.sub(32, 'orchard action rk'),
      cmx: r.sub(32, 'orchard action cmx'),
      ephemeralKey: r.sub(32, 'orchard action ephemeral key'),
      encCiphertext: r.sub(580, 'orchard enc ciphertext'),
      outCiphertext: r.sub(80, 'orchard out ciphertext'),
      spendAuthSig: PENDING, // the signatures follow the proof
    });
  }
  const flags = r.u8('orchard flags');
  if ((flags & ~ORCHARD_FLAGS_KNOWN) !== 0)
    throw malformed(`orchard flags 0x${flags.toString(16)} set reserved bits`);
  const valueBalance = checkSignedAmount(r.i64le('valueBalanceOrchard'), 'valueBalanceOrchard');
  const anchor = r.sub(32, 'orchard anchor');
  const proofLength = r.compactSize('orchard proof length');
  const proof = r.sub(proofLength, 'orchard proof');
  r.need(n * SIGNATURE + SIGNATURE, 'orchard signatures');
  for (const action of actions) action.spendAuthSig = r.sub(SIGNATURE, 'orchard spend auth sig');
  return {
    actions,
    flags,
    spendsEnabled: (flags & ORCHARD_FLAG_SPENDS) !== 0,
    outputsEnabled: (flags & ORCHARD_FLAG_OUTPUTS) !== 0,
    valueBalance,
    anchor,
    proof,
    bindingSig: r.sub(SIGNATURE, 'orchard binding sig'),
  };
}
