// Bitcoin transactions, legacy and BIP-144 segwit: version i32 | [marker 0x00, flag] | inputs |
// outputs | [one witness stack per input] | lock time u32. A zero input count followed by a non-zero
// byte is the segwit marker; flag bit 0 means witnesses follow, any other bit is refused, and a
// witness record whose stacks are all empty is refused ("superfluous witness record") — Bitcoin
// Core's deserialization rules. The txid is SHA-256d of the serialization without marker, flag and
// witnesses (hashed in three pieces, nothing copied); the wtxid is SHA-256d of every byte.

import type { ByteReader } from '../encoding/byte-reader.ts';
import { malformed } from '../encoding/errors.ts';
import { preallocationLimit } from './chain-format.ts';
import {
  MIN_TRANSPARENT_INPUT_LENGTH,
  MIN_TRANSPARENT_OUTPUT_LENGTH,
  type TransparentInput,
  type TransparentOutput,
  readTransparentInputs,
  readTransparentOutputs,
} from './transparent.ts';

const WITNESS_FLAG = 0x01;

/** A parsed Bitcoin transaction without its identifiers. */
export interface BitcoinTransactionBody {
  readonly chain: 'bitcoin';
  /** Signed 32-bit version. */
  readonly version: number;
  readonly inputs: readonly TransparentInput[];
  readonly outputs: readonly TransparentOutput[];
  /** One stack of items per input when the transaction is segwit, undefined otherwise. */
  readonly witnesses: readonly (readonly Uint8Array[])[] | undefined;
  readonly lockTime: number;
  /** The byte ranges hashed for the txid: [start, end) pairs relative to the transaction start. */
  readonly strippedRanges: readonly (readonly [number, number])[];
}

function readWitnessStack(r: ByteReader): Uint8Array[] {
  const n = r.count(preallocationLimit('bitcoin', 1), 1, 'witness items');
  const items: Uint8Array[] = [];
  for (let i = 0; i < n; i++) items.push(r.sub(r.compactSize('witness item length'), 'witness item'));
  return items;
}

/** Reads one Bitcoin transaction at the reader's position. */
export function readBitcoinTransaction(r: ByteReader): BitcoinTransactionBody {
  const start = r.offset;
  const version = r.u32le('transaction version') | 0;
  const maxInputs = preallocationLimit('bitcoin', MIN_TRANSPARENT_INPUT_LENGTH);
  const maxOutputs = preallocationLimit('bitcoin', MIN_TRANSPARENT_OUTPUT_LENGTH);
  let inputs = readTransparentInputs(r, 'bitcoin', maxInputs);
  let outputs: TransparentOutput[] = [];
  let flags = 0;
  let bodyStart = start + 4;
  if (inputs.length === 0) {
    // An empty input list, or the segwit marker: the next byte decides.
    flags = r.u8('segwit flag');
    if (flags !== 0) {
      bodyStart = r.offset;
      inputs = readTransparentInputs(r, 'bitcoin', maxInputs);
      outputs = readTransparentOutputs(r, 'bitcoin', maxOutputs);
    }
  } else {
    outputs = readTransparentOutputs(r, 'bitcoin', maxOutputs);
  }
  const bodyEnd = r.offset;
  let witnesses: Uint8Array[][] | undefined;
  if ((flags & WITNESS_FLAG) !== 0) {
    witnesses = inputs.map(() => readWitnessStack(r));
    if (witnesses.every((stack) => stack.length === 0)) throw malformed('superfluous witness record');
  }
  if ((flags & ~WITNESS_FLAG) !== 0) throw malformed(`unknown transaction optional data (flag 0x${flags.toString(16)})`);
  const lockStart = r.offset - start;
  const lockTime = r.u32le('lock time');
  const strippedRanges: [number, number][] =
    witnesses === undefined ? [[0, r.offset - start]] : [[0, 4], [bodyStart - start, bodyEnd - start], [lockStart, lockStart + 4]];
  return { chain: 'bitcoin', version, inputs, outputs, witnesses, lockTime, strippedRanges };
}
