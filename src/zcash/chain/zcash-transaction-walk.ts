// Finds where a Zcash transaction (v1-v5) ends while checking every rule the full parse
// (zcash-transaction.ts) checks, without allocating: no object per field, no bigint per amount, no view
// per byte string — only an offset moves, kept in a local that every step takes and returns. Decoding
// a block walks each of its transactions this way and leaves the fields to be parsed when someone reads
// them (transaction.ts): a 1 MiB block then costs its checksum plus one pass of integer reads, not
// thousands of small objects for the GC.
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

// The cursor: each step takes the bytes and an offset and returns the offset after what it read, so the
// optimizing compiler keeps the offset in a register (as module state it was loaded and stored on every
// byte read: the walk of a 1 MiB block took ~30 % longer, BENCHMARKS.md). A step that also reads a count
// leaves it in `value`; the walk is synchronous and never re-entered. Reads past the end yield zeros
// (`undefined | 0`) instead of failing; the offset keeps growing and the walk refuses at its end when it
// passed the last byte. Loops are bounded because every count is checked against the bytes left first.
/** The value the last compactSize or count read. */
let value = 0;

function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** A canonical CompactSize up to the protocol's count limit (the rules of ByteReader.compactSize), into `value`. */
function compactSize(b: Uint8Array, o: number): number {
  const first = b[o]! | 0;
  if (first < 0xfd) {
    value = first;
    return o + 1;
  }
  let v: number;
  if (first === 0xfd) {
    v = b[o + 1]! | (b[o + 2]! << 8);
    if (v < 0xfd) refuse();
    o += 3;
  } else if (first === 0xfe) {
    v = u32At(b, o + 1);
    if (v <= 0xffff) refuse();
    o += 5;
  } else return refuse(); // 0xff: non-canonical or beyond the limit, either way refused
  if (v > MAX_COUNT) refuse();
  value = v;
  return o;
}

/**
 * A list count into `value`: at most `max`, and that many items of at least `min` bytes must fit in what
 * is left. When they do not fit, the walk is refused without a throw: `value` becomes 0 (no item is
 * walked) and the offset moves past the end, where the walk's end check refuses it. A count too large
 * for what is left is how a transaction cut short by the end of its bytes usually shows, and a block
 * walked in the pieces it arrived in meets one at most piece boundaries (block-pieces.ts), where a
 * throw and catch would cost it about a microsecond each.
 */
function count(b: Uint8Array, o: number, max: number, min: number): number {
  o = compactSize(b, o);
  const n = value;
  if (n > max) refuse();
  if (n * min > b.length - o) {
    value = 0;
    return o > b.length ? o + 1 : b.length + 1;
  }
  return o;
}

/** An i64le amount within [-MAX_MONEY or 0, MAX_MONEY] (a u64 at or above 2^63 reads negative: refused). */
function amount(b: Uint8Array, o: number, signed: boolean): number {
  const low = u32At(b, o);
  const high = u32At(b, o + 4) | 0;
  if (high >= HIGH_WORD_LIMIT || high < -HIGH_WORD_LIMIT) refuse();
  const v = high * TWO_POW_32 + low;
  if (v > MAX_MONEY_NUMBER || v < (signed ? -MAX_MONEY_NUMBER : 0)) refuse();
  return o + 8;
}

function isNullHash(b: Uint8Array, start: number): boolean {
  for (let i = start; i < start + 32; i++) if (b[i] !== 0) return false;
  return true;
}

function walkInputs(b: Uint8Array, o: number): number {
  o = count(b, o, MAX_INPUTS, INPUT_MIN);
  const n = value;
  for (let i = 0; i < n; i++) {
    const start = o;
    o = compactSize(b, o + OUTPOINT_LENGTH);
    const scriptLength = value;
    if (isNullHash(b, start)) {
      if (u32At(b, start + 32) !== COINBASE_INDEX || scriptLength > COINBASE_DATA_MAX) refuse();
      if (o + scriptLength > b.length) refuse();
      parseCoinbaseHeight(b.subarray(o, o + scriptLength)); // throws when there is none
    }
    o += scriptLength + 4; // script, sequence
  }
  return o;
}

function walkOutputs(b: Uint8Array, o: number): number {
  o = count(b, o, MAX_OUTPUTS, OUTPUT_MIN);
  const n = value;
  for (let i = 0; i < n; i++) {
    o = compactSize(b, amount(b, o, false));
    o += value;
  }
  return o;
}

/** v2-v4 JoinSplits with their key and signature (BCTV14 proofs before v4, Groth16 in v4). */
function walkSprout(b: Uint8Array, o: number, groth16: boolean): number {
  const size = groth16 ? JOINSPLIT_GROTH16 : JOINSPLIT_BCTV14;
  o = count(b, o, groth16 ? MAX_JOINSPLITS_GROTH16 : MAX_JOINSPLITS_BCTV14, size);
  const n = value;
  // vpub_old and vpub_new, then the rest of the description
  for (let i = 0; i < n; i++) o = amount(b, amount(b, o, false), false) + size - JOINSPLIT_VALUES_LENGTH;
  return n > 0 ? o + JOINSPLIT_KEY_AND_SIG_LENGTH : o;
}

/** v4 Sapling descriptions; `value` is left non-zero when the binding signature follows the JoinSplits. */
function walkSaplingV4(b: Uint8Array, o: number): number {
  o = count(b, amount(b, o, true), MAX_SPENDS_V4, SPEND_V4);
  const spends = value;
  o = count(b, o + spends * SPEND_V4, MAX_SAPLING_OUTPUTS, SAPLING_OUTPUT);
  const outputs = value;
  value = spends + outputs;
  return o + outputs * SAPLING_OUTPUT;
}

function walkSaplingV5(b: Uint8Array, o: number): number {
  o = count(b, o, MAX_SPENDS_V5, SPEND_V5);
  const spends = value;
  o = count(b, o + spends * SPEND_V5_PREFIX, MAX_SAPLING_OUTPUTS, SAPLING_OUTPUT);
  const outputs = value;
  o += outputs * SAPLING_OUTPUT_V5_PREFIX;
  if (spends + outputs === 0) return o;
  o = amount(b, o, true);
  if (spends > 0) o += ANCHOR_LENGTH;
  return o + spends * SPEND_V5_TAIL + outputs * OUTPUT_PROOF + SAPLING_SIG;
}

function walkOrchard(b: Uint8Array, o: number): number {
  o = count(b, o, MAX_ACTIONS, ORCHARD_ITEM_LENGTH);
  const n = value;
  if (n === 0) return o;
  o += n * ORCHARD_ACTION;
  if (((b[o]! | 0) & ORCHARD_FLAGS_UNKNOWN) !== 0) refuse();
  o = compactSize(b, amount(b, o + 1, true) + ANCHOR_LENGTH); // flags, value balance, anchor, proof length
  return o + value + n * ORCHARD_SIGNATURE_LENGTH + ORCHARD_SIGNATURE_LENGTH; // the Halo 2 proof, signatures
}

function walkFrom(b: Uint8Array, o: number): number {
  const header = u32At(b, o);
  o += 4;
  const version = header & 0x7fffffff;
  if ((header & OVERWINTERED) === 0) {
    if (version !== 1 && version !== 2) refuse();
  } else {
    const group = versionGroupOf(version);
    if (group === undefined || u32At(b, o) !== group) refuse();
    o += 4;
  }
  if (version === 5) {
    o = walkOutputs(b, walkInputs(b, o + 12)); // after the consensus branch id, lock time, expiry height
    return walkOrchard(b, walkSaplingV5(b, o));
  }
  o = walkOutputs(b, walkInputs(b, o));
  o += version >= 3 ? 8 : 4; // lock time, expiry height
  let bindingSig = false;
  if (version === 4) {
    o = walkSaplingV4(b, o);
    bindingSig = value > 0;
  }
  if (version !== 1) o = walkSprout(b, o, version === 4);
  return bindingSig ? o + SAPLING_SIG : o;
}

/**
 * The offset just past the well-formed Zcash transaction that starts at `start` in `b`, or -1 when the
 * full parse would refuse it (which error is for the full parse to say: see the file comment).
 */
export function walkZcashTransaction(b: Uint8Array, start: number): number {
  try {
    const end = walkFrom(b, start);
    return end <= b.length ? end : -1;
  } catch {
    return -1; // REFUSED, or the coinbase height parse's own error
  }
}
