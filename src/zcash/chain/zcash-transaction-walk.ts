// Finds where a Zcash transaction (v1-v5) ends while checking every rule the full parse
// (zcash-transaction.ts) checks, without allocating: no object per field, no bigint per amount, no view
// per byte string — only an offset moves. Decoding a block walks each of its transactions this
// way and leaves the fields to be parsed when someone reads them (transaction.ts): a 1 MiB block then
// costs its checksum plus one pass of integer reads, not thousands of small objects for the GC.
// The walk must refuse at least what the full parse refuses; when it refuses, the caller runs the full
// parse over the same bytes for the precise error (so both paths report identical messages).

import { MAX_COMPACT_SIZE_COUNT } from '../encoding/constants.ts';
import { preallocationLimit } from './chain-format.ts';
import { ORCHARD_ACTION_LENGTH, ORCHARD_FLAGS_KNOWN } from './orchard.ts';
import {
  SAPLING_OUTPUT_LENGTH,
  SAPLING_OUTPUT_PROOF_LENGTH,
  SAPLING_SIGNATURE_LENGTH,
  SAPLING_SPEND_V4_LENGTH,
  SAPLING_SPEND_V5_LENGTH,
  SAPLING_SPEND_V5_PREFIX_LENGTH,
} from './sapling.ts';
import { joinSplitLength } from './sprout.ts';
import {
  MAX_COINBASE_DATA_LENGTH,
  MAX_MONEY,
  MIN_TRANSPARENT_INPUT_LENGTH,
  MIN_TRANSPARENT_OUTPUT_LENGTH,
  coinbaseHeight,
} from './transparent.ts';
import { expectedVersionGroup, OVERWINTERED_FLAG } from './zcash-transaction.ts';

// Every imported number the walk uses is copied into a constant of this module, and the sizes are
// combined here once: under the TypeScript loader the bench and tests run with, an imported binding is
// a getter call on each read, which costs as much as the walk's own work per field.

/** MAX_MONEY as a double: exact (below 2^51), so amounts are range-checked without a bigint. */
const MAX_MONEY_NUMBER = Number(MAX_MONEY);
/** A high word at or beyond ±2^19 puts an i64 beyond ±2^51 > MAX_MONEY: out of range, whatever the low word. */
const HIGH_WORD_LIMIT = 0x80000;
const TWO_POW_32 = 0x1_0000_0000;
/** The coinbase input's outpoint index (transparent.ts). */
const COINBASE_INDEX = 0xffffffff;
/** Outpoint (txid 32 ‖ index 4) of a transparent input (transparent.ts). */
const OUTPOINT_LENGTH = 36;
/** JoinSplit vpub_old and vpub_new (u64 each) precede the rest of the description (sprout.ts). */
const JOINSPLIT_VALUES_LENGTH = 16;
/** joinSplitPubKey (32) and joinSplitSig (64) after a non-empty JoinSplit list (sprout.ts). */
const JOINSPLIT_KEY_AND_SIG_LENGTH = 96;
/** One spendAuthSig per Orchard action, and the binding signature (orchard.ts). */
const ORCHARD_SIGNATURE_LENGTH = 64;
/** A Sapling or Orchard anchor (a tree root). */
const ANCHOR_LENGTH = 32;
const EMPTY = new Uint8Array(0);

const MAX_COUNT = MAX_COMPACT_SIZE_COUNT;
const OVERWINTERED = OVERWINTERED_FLAG;
const versionGroupOf = expectedVersionGroup;
const parseCoinbaseHeight = coinbaseHeight;
const COINBASE_DATA_MAX = MAX_COINBASE_DATA_LENGTH;
const INPUT_MIN = MIN_TRANSPARENT_INPUT_LENGTH;
const OUTPUT_MIN = MIN_TRANSPARENT_OUTPUT_LENGTH;
const SPEND_V4 = SAPLING_SPEND_V4_LENGTH;
const SPEND_V5 = SAPLING_SPEND_V5_LENGTH;
const SPEND_V5_PREFIX = SAPLING_SPEND_V5_PREFIX_LENGTH;
/** What a v5 spend has in the proofs-and-signatures part: its proof and signature. */
const SPEND_V5_TAIL = SAPLING_SPEND_V5_LENGTH - SAPLING_SPEND_V5_PREFIX_LENGTH;
const SAPLING_OUTPUT = SAPLING_OUTPUT_LENGTH;
const OUTPUT_PROOF = SAPLING_OUTPUT_PROOF_LENGTH;
/** A v5 output description without its proof (which comes after every description). */
const SAPLING_OUTPUT_V5_PREFIX = SAPLING_OUTPUT_LENGTH - SAPLING_OUTPUT_PROOF_LENGTH;
const SAPLING_SIG = SAPLING_SIGNATURE_LENGTH;
const ORCHARD_ACTION = ORCHARD_ACTION_LENGTH;
/** An action with its signature: Zebra's preallocation divisor (orchard.ts). */
const ORCHARD_ITEM_LENGTH = ORCHARD_ACTION_LENGTH + ORCHARD_SIGNATURE_LENGTH;
const ORCHARD_FLAGS_UNKNOWN = ~ORCHARD_FLAGS_KNOWN;
const JOINSPLIT_BCTV14 = joinSplitLength('bctv14');
const JOINSPLIT_GROTH16 = joinSplitLength('groth16');

/** Zebra's preallocation bounds for a Zcash block (chain-format.ts), computed once. */
const MAX_INPUTS = preallocationLimit('zcash', INPUT_MIN);
const MAX_OUTPUTS = preallocationLimit('zcash', OUTPUT_MIN);
const MAX_SPENDS_V4 = preallocationLimit('zcash', SPEND_V4);
const MAX_SPENDS_V5 = preallocationLimit('zcash', SPEND_V5);
const MAX_SAPLING_OUTPUTS = preallocationLimit('zcash', SAPLING_OUTPUT);
const MAX_ACTIONS = preallocationLimit('zcash', ORCHARD_ITEM_LENGTH);
const MAX_JOINSPLITS_BCTV14 = preallocationLimit('zcash', JOINSPLIT_BCTV14);
const MAX_JOINSPLITS_GROTH16 = preallocationLimit('zcash', JOINSPLIT_GROTH16);

/** Thrown when the walk refuses; never escapes walkZcashTransaction. */
const REFUSED = new Error('refused');

function refuse(): never {
  throw REFUSED;
}

// The cursor: the bytes being walked and the offset. Module state, not an object: the walk is
// synchronous and never re-entered. Reads past the end yield zeros instead of failing; the offset keeps
// growing, and the walk refuses at its end when the offset passed the last byte (a read past the end
// implies that). Loops are bounded because every count is checked against the bytes left first.
let bytes: Uint8Array = EMPTY;
let at = 0;

function u8(): number {
  return bytes[at++] ?? 0;
}

function u32(): number {
  const b = bytes;
  const o = at;
  at = o + 4;
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}

/** A canonical CompactSize up to the protocol's count limit (the rules of ByteReader.compactSize). */
function compactSize(): number {
  const first = u8();
  if (first < 0xfd) return first;
  let v: number;
  if (first === 0xfd) {
    v = u8() | (u8() << 8);
    if (v < 0xfd) refuse();
  } else if (first === 0xfe) {
    v = u32();
    if (v <= 0xffff) refuse();
  } else return refuse(); // 0xff: non-canonical or beyond the limit, either way refused
  if (v > MAX_COUNT) refuse();
  return v;
}

/** A list count: at most `max`, and `n` items of at least `min` bytes must fit in what is left. */
function count(max: number, min: number): number {
  const n = compactSize();
  if (n > max || n * min > bytes.length - at) refuse();
  return n;
}

/** An i64le amount within [-MAX_MONEY or 0, MAX_MONEY] (a u64 at or above 2^63 reads negative: refused). */
function amount(signed: boolean): void {
  const low = u32();
  const high = u32() | 0;
  if (high >= HIGH_WORD_LIMIT || high < -HIGH_WORD_LIMIT) refuse();
  const v = high * TWO_POW_32 + low;
  if (v > MAX_MONEY_NUMBER || v < (signed ? -MAX_MONEY_NUMBER : 0)) refuse();
}

function isNullHash(b: Uint8Array, start: number): boolean {
  for (let i = start; i < start + 32; i++) if (b[i] !== 0) return false;
  return true;
}

function walkInputs(): void {
  const n = count(MAX_INPUTS, INPUT_MIN);
  for (let i = 0; i < n; i++) {
    const start = at;
    at += OUTPOINT_LENGTH;
    const scriptLength = compactSize();
    if (isNullHash(bytes, start)) {
      if (u32At(start + 32) !== COINBASE_INDEX || scriptLength > COINBASE_DATA_MAX) refuse();
      if (at + scriptLength > bytes.length) refuse();
      parseCoinbaseHeight(bytes.subarray(at, at + scriptLength)); // throws when there is none
    }
    at += scriptLength + 4; // script, sequence
  }
}

function u32At(o: number): number {
  const b = bytes;
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}

function walkOutputs(): void {
  const n = count(MAX_OUTPUTS, OUTPUT_MIN);
  for (let i = 0; i < n; i++) {
    amount(false);
    const scriptLength = compactSize(); // read before `at +=` reads `at`
    at += scriptLength;
  }
}

/** v2-v4 JoinSplits with their key and signature (BCTV14 proofs before v4, Groth16 in v4). */
function walkSprout(groth16: boolean): void {
  const size = groth16 ? JOINSPLIT_GROTH16 : JOINSPLIT_BCTV14;
  const n = count(groth16 ? MAX_JOINSPLITS_GROTH16 : MAX_JOINSPLITS_BCTV14, size);
  for (let i = 0; i < n; i++) {
    amount(false); // vpub_old
    amount(false); // vpub_new
    at += size - JOINSPLIT_VALUES_LENGTH;
  }
  if (n > 0) at += JOINSPLIT_KEY_AND_SIG_LENGTH;
}

/** v4 Sapling descriptions; returns whether the binding signature follows the JoinSplits. */
function walkSaplingV4(): boolean {
  amount(true);
  const spends = count(MAX_SPENDS_V4, SPEND_V4);
  at += spends * SPEND_V4;
  const outputs = count(MAX_SAPLING_OUTPUTS, SAPLING_OUTPUT);
  at += outputs * SAPLING_OUTPUT;
  return spends + outputs > 0;
}

function walkSaplingV5(): void {
  const spends = count(MAX_SPENDS_V5, SPEND_V5);
  at += spends * SPEND_V5_PREFIX;
  const outputs = count(MAX_SAPLING_OUTPUTS, SAPLING_OUTPUT);
  at += outputs * SAPLING_OUTPUT_V5_PREFIX;
  if (spends + outputs === 0) return;
  amount(true);
  if (spends > 0) at += ANCHOR_LENGTH;
  at += spends * SPEND_V5_TAIL + outputs * OUTPUT_PROOF + SAPLING_SIG;
}

function walkOrchard(): void {
  const n = count(MAX_ACTIONS, ORCHARD_ITEM_LENGTH);
  if (n === 0) return;
  at += n * ORCHARD_ACTION;
  if ((u8() & ORCHARD_FLAGS_UNKNOWN) !== 0) refuse();
  amount(true);
  at += ANCHOR_LENGTH;
  const proofLength = compactSize(); // the Halo 2 proof
  at += proofLength;
  at += n * ORCHARD_SIGNATURE_LENGTH + ORCHARD_SIGNATURE_LENGTH;
}

function walkFrom(): void {
  const header = u32();
  const version = header & 0x7fffffff;
  if ((header & OVERWINTERED) === 0) {
    if (version !== 1 && version !== 2) refuse();
  } else {
    const group = versionGroupOf(version);
    if (group === undefined || u32() !== group) refuse();
  }
  if (version === 5) {
    at += 12; // consensus branch id, lock time, expiry height
    walkInputs();
    walkOutputs();
    walkSaplingV5();
    walkOrchard();
    return;
  }
  walkInputs();
  walkOutputs();
  at += version >= 3 ? 8 : 4; // lock time, expiry height
  const bindingSig = version === 4 && walkSaplingV4();
  if (version !== 1) walkSprout(version === 4);
  if (bindingSig) at += SAPLING_SIG;
}

/**
 * The offset just past the well-formed Zcash transaction that starts at `start` in `b`, or -1 when the
 * full parse would refuse it (which error is for the full parse to say: see the file comment).
 */
export function walkZcashTransaction(b: Uint8Array, start: number): number {
  bytes = b;
  at = start;
  let end: number;
  try {
    walkFrom();
    end = at <= b.length ? at : -1;
  } catch {
    end = -1; // REFUSED, or the coinbase height parse's own error
  }
  bytes = EMPTY;
  return end;
}
