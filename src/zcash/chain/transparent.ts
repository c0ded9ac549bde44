// Transparent inputs and outputs, the Bitcoin-inherited part of every Zcash and Bitcoin transaction:
// input = outpoint (txid 32 ‖ index u32le) | CompactSize script length | script | sequence u32le;
// output = value i64le | CompactSize script length | script. Zcash adds parse-time rules that Zebra
// applies while deserializing (a coinbase input's data is at most 100 bytes and starts with its BIP-34
// height; amounts lie in 0 ..= MAX_MONEY); Bitcoin nodes apply none of them at parse time, so they
// depend on the chain format. Scripts are views into the transaction bytes (no copy).

import type { ByteReader } from '../encoding/byte-reader.ts';
import { malformed } from '../encoding/errors.ts';
import type { ChainFormat } from './chain-format.ts';

/** Outpoint (32) + script length (1) + sequence (4): the smallest input, Zebra's preallocation divisor. */
export const MIN_TRANSPARENT_INPUT_LENGTH = 41;
/** Value (8) + script length (1): the smallest output. */
export const MIN_TRANSPARENT_OUTPUT_LENGTH = 9;
/** 21 million coins of 10^8 base units (Zcash MAX_MONEY, protocol specification §5.3). */
export const MAX_MONEY = 21_000_000n * 100_000_000n;
/** Zebra: coinbase data longer than this is a parse error ("coinbase has too much data"). */
export const MAX_COINBASE_DATA_LENGTH = 100;
/** Zebra's block::Height::MAX: a coinbase height above it is a parse error. */
const MAX_BLOCK_HEIGHT = 499_999_999;
/** The coinbase index of the null outpoint. */
const COINBASE_INDEX = 0xffffffff;
/**
 * The Zcash genesis coinbase data (identical on Mainnet, Testnet and Regtest): it pushes 0x1f07ffff
 * where a BIP-34 height belongs, so Zebra recognises it byte for byte and gives it height 0.
 */
const GENESIS_COINBASE_DATA = Buffer.from(
  '04ffff071f0104455a6361736830623963346565663862376363343137656535303031653335303039383462366665613335363833613763616331343161303433633432303634383335643334',
  'hex',
);

export interface TransparentInput {
  /** Previous output: txid (wire order) ‖ index u32le, a 36-byte view. */
  readonly outpoint: Uint8Array;
  readonly prevoutIndex: number;
  /** scriptSig (coinbase data for a coinbase input), without its length prefix. */
  readonly script: Uint8Array;
  readonly sequence: number;
  /** BIP-34 height a Zcash coinbase input carries (undefined for other inputs and on Bitcoin). */
  readonly coinbaseHeight: number | undefined;
}

export interface TransparentOutput {
  /** The whole serialized output (value ‖ script length ‖ script), as ZIP-244 hashes it. */
  readonly bytes: Uint8Array;
  /** Amount in zatoshi / satoshi. */
  readonly value: bigint;
  /** scriptPubKey without its length prefix. */
  readonly script: Uint8Array;
}

function isNullHash(b: Uint8Array, start: number): boolean {
  for (let i = start; i < start + 32; i++) if (b[i] !== 0) return false;
  return true;
}

/** Zebra's BIP-34 height parse of Zcash coinbase data (the rules of zebra-chain transparent serialize). */
export function coinbaseHeight(data: Uint8Array): number {
  const op = data[0];
  if (op !== undefined && op >= 0x51 && op <= 0x60) return op - 0x50;
  if (op !== undefined && op >= 0x01 && op <= 0x04 && data.length > op) {
    let height = 0;
    for (let i = op; i >= 1; i--) height = height * 256 + data[i]!;
    if (height <= MAX_BLOCK_HEIGHT) return height;
    if (op === 0x04 && Buffer.from(data.buffer, data.byteOffset, data.length).equals(GENESIS_COINBASE_DATA)) return 0;
    throw malformed(`coinbase height ${height} is above the largest block height`);
  }
  throw malformed('could not parse the BIP-34 height in coinbase data');
}

function readInput(r: ByteReader, format: ChainFormat): TransparentInput {
  const start = r.offset;
  const outpoint = r.sub(36, 'transparent input outpoint');
  const prevoutIndex = (outpoint[32]! | (outpoint[33]! << 8) | (outpoint[34]! << 16) | (outpoint[35]! << 24)) >>> 0;
  const scriptLength = r.compactSize('scriptSig length');
  const coinbase = format === 'zcash' && isNullHash(r.bytes, start);
  if (coinbase) {
    if (prevoutIndex !== COINBASE_INDEX) throw malformed('wrong index in coinbase input');
    if (scriptLength > MAX_COINBASE_DATA_LENGTH)
      throw malformed(`coinbase data of ${scriptLength} bytes exceeds ${MAX_COINBASE_DATA_LENGTH}`);
  }
  const script = r.sub(scriptLength, 'scriptSig');
  const height = coinbase ? coinbaseHeight(script) : undefined;
  const sequence = r.u32le('input sequence');
  return { outpoint, prevoutIndex, script, sequence, coinbaseHeight: height };
}

function readOutput(r: ByteReader, format: ChainFormat): TransparentOutput {
  const start = r.offset;
  const value = r.i64le('output value');
  if (format === 'zcash' && (value < 0n || value > MAX_MONEY))
    throw malformed(`output value ${value} outside 0 ..= MAX_MONEY`);
  const scriptLength = r.compactSize('scriptPubKey length');
  const script = r.sub(scriptLength, 'scriptPubKey');
  return { bytes: r.bytes.subarray(start, r.offset), value, script };
}

/** Reads a CompactSize count of inputs and the inputs (the count is bounded by the bytes left). */
export function readTransparentInputs(r: ByteReader, format: ChainFormat, maxCount: number): TransparentInput[] {
  const n = r.count(maxCount, MIN_TRANSPARENT_INPUT_LENGTH, 'transparent inputs');
  const inputs: TransparentInput[] = [];
  for (let i = 0; i < n; i++) inputs.push(readInput(r, format));
  return inputs;
}

export function readTransparentOutputs(r: ByteReader, format: ChainFormat, maxCount: number): TransparentOutput[] {
  const n = r.count(maxCount, MIN_TRANSPARENT_OUTPUT_LENGTH, 'transparent outputs');
  const outputs: TransparentOutput[] = [];
  for (let i = 0; i < n; i++) outputs.push(readOutput(r, format));
  return outputs;
}

/** True for the input of a coinbase transaction (null outpoint). */
export function isCoinbaseInput(input: TransparentInput): boolean {
  return input.prevoutIndex === COINBASE_INDEX && isNullHash(input.outpoint, 0);
}

/** Checks a signed amount (value balances) against ±MAX_MONEY (Zebra Amount<NegativeAllowed>). */
export function checkSignedAmount(value: bigint, what: string): bigint {
  if (value < -MAX_MONEY || value > MAX_MONEY) throw malformed(`${what} ${value} outside ±MAX_MONEY`);
  return value;
}

/** Checks a non-negative amount (JoinSplit vpub values) against 0 ..= MAX_MONEY. */
export function checkAmount(value: bigint, what: string): bigint {
  if (value < 0n || value > MAX_MONEY) throw malformed(`${what} ${value} outside 0 ..= MAX_MONEY`);
  return value;
}
