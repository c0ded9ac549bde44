// Structural parsing of Zcash transactions v1-v5 (protocol specification §7.1, ZIP-225), field by field, as
// Zebra deserializes them: the header (version, overwintered flag, version group id) selects the
// layout; transparent inputs and outputs, Sprout JoinSplits (BCTV14 proofs in v2-v3, Groth16 in v4),
// Sapling (v4 and v5 layouts) and Orchard (v5) are read by their own modules; every list count is
// checked against Zebra's preallocation bound and the bytes left before anything is allocated. The
// parse allocates one small object per item and views into the bytes; identifiers are computed by the
// caller (transaction.ts), lazily.

import type { ByteReader } from '../encoding/byte-reader.ts';
import { malformed } from '../encoding/errors.ts';
import { preallocationLimit } from './chain-format.ts';
import { type OrchardBundle, readOrchardBundle } from './orchard.ts';
import { type SaplingBundle, readSaplingV4, readSaplingV5 } from './sapling.ts';
import { type SproutBundle, readSproutBundle } from './sprout.ts';
import {
  MIN_TRANSPARENT_INPUT_LENGTH,
  MIN_TRANSPARENT_OUTPUT_LENGTH,
  type TransparentInput,
  type TransparentOutput,
  readTransparentInputs,
  readTransparentOutputs,
} from './transparent.ts';

/** Version group ids (`nVersionGroupId`), checked for overwintered transactions (Zcash protocol specification §7.1). */
export const OVERWINTER_VERSION_GROUP_ID = 0x03c48270;
export const SAPLING_VERSION_GROUP_ID = 0x892f2085;
export const TX_V5_VERSION_GROUP_ID = 0x26a7270a;

/** The header's top bit: set on v3 and later (Overwinter onwards), clear on v1-v2. */
export const OVERWINTERED_FLAG = 0x80000000;
/** The v5 fields hashed as ZIP-244's header digest: header, group id, branch id, lock time, expiry. */
export const V5_HEADER_LENGTH = 20;

/** A parsed Zcash transaction without its identifiers. */
export interface ZcashTransactionBody {
  readonly chain: 'zcash';
  /** Version number (low 31 bits of the header). */
  readonly version: number;
  readonly overwintered: boolean;
  readonly versionGroupId: number | undefined;
  /** v5 only: the consensus branch id the transaction commits to. */
  readonly consensusBranchId: number | undefined;
  readonly inputs: readonly TransparentInput[];
  readonly outputs: readonly TransparentOutput[];
  readonly lockTime: number;
  /** v3+ only. */
  readonly expiryHeight: number | undefined;
  readonly sprout: SproutBundle | undefined;
  /** v4: always present (it carries valueBalanceSapling even when empty); v5: only when not empty. */
  readonly sapling: SaplingBundle | undefined;
  readonly orchard: OrchardBundle | undefined;
}

interface TxHeader {
  readonly version: number;
  readonly overwintered: boolean;
  readonly versionGroupId: number | undefined;
}

const EXPECTED_GROUP: Readonly<Record<number, number>> = {
  3: OVERWINTER_VERSION_GROUP_ID,
  4: SAPLING_VERSION_GROUP_ID,
  5: TX_V5_VERSION_GROUP_ID,
};

/** The version group id an overwintered transaction of `version` must carry; undefined when none is allowed. */
export function expectedVersionGroup(version: number): number | undefined {
  return EXPECTED_GROUP[version];
}

/** Version and version group id, with Zebra's rules: v1-v2 without the flag, v3-v5 with it. */
export function readZcashTxHeader(r: ByteReader): TxHeader {
  const header = r.u32le('transaction header');
  const overwintered = (header & OVERWINTERED_FLAG) !== 0;
  const version = header & 0x7fffffff;
  if (!overwintered) {
    if (version === 1 || version === 2) return { version, overwintered, versionGroupId: undefined };
    throw malformed(`unsupported transaction version ${version} without the overwintered flag`);
  }
  const expected = expectedVersionGroup(version);
  if (expected === undefined) throw malformed(`unsupported overwintered transaction version ${version}`);
  const group = r.u32le('version group id');
  if (group !== expected) throw malformed(`bad version group id 0x${group.toString(16)} for transaction v${version}`);
  return { version, overwintered, versionGroupId: group };
}

/** Reads one Zcash transaction at the reader's position (the caller checks what follows). */
export function readZcashTransaction(r: ByteReader): ZcashTransactionBody {
  const { version, overwintered, versionGroupId } = readZcashTxHeader(r);
  const maxInputs = preallocationLimit('zcash', MIN_TRANSPARENT_INPUT_LENGTH);
  const maxOutputs = preallocationLimit('zcash', MIN_TRANSPARENT_OUTPUT_LENGTH);
  if (version === 5) {
    const consensusBranchId = r.u32le('consensus branch id');
    const lockTime = r.u32le('lock time');
    const expiryHeight = r.u32le('expiry height');
    const inputs = readTransparentInputs(r, 'zcash', maxInputs);
    const outputs = readTransparentOutputs(r, 'zcash', maxOutputs);
    const sapling = readSaplingV5(r, 'zcash');
    const orchard = readOrchardBundle(r, 'zcash');
    return { chain: 'zcash', version, overwintered, versionGroupId, consensusBranchId, inputs, outputs, lockTime, expiryHeight, sprout: undefined, sapling, orchard };
  }
  const inputs = readTransparentInputs(r, 'zcash', maxInputs);
  const outputs = readTransparentOutputs(r, 'zcash', maxOutputs);
  const lockTime = r.u32le('lock time');
  const expiryHeight = version >= 3 ? r.u32le('expiry height') : undefined;
  const sapling = version === 4 ? readSaplingV4(r, 'zcash') : undefined;
  const sprout = version === 1 ? undefined : readSproutBundle(r, version === 4 ? 'groth16' : 'bctv14', 'zcash');
  if (sapling !== undefined && sapling.spends.length + sapling.outputs.length > 0) sapling.bindingSig = r.sub(64, 'sapling binding sig');
  return { chain: 'zcash', version, overwintered, versionGroupId, consensusBranchId: undefined, inputs, outputs, lockTime, expiryHeight, sprout, sapling, orchard: undefined };
}
