// Bitcoin-family messages that Zebra does not know — a live connection surfaces them as `unknown` and
// drops them, as Zebra ignores them — decoded here for the dissector only: `sendheaders`, `sendaddrv2`
// and `wtxidrelay` (empty, BIP-130/155/339), `feefilter` (i64 fee rate in base units per 1000 bytes,
// BIP-133), `sendcmpct` (u8 announce flag, u64 version, BIP-152), `merkleblock` (block header, u32
// total transactions, hashes, flag bytes; BIP-37) and `alert` (the retired signed alert: payload and
// signature as var_bytes, the payload parsed as CAlert). Bounds as everywhere: counts and lengths are
// checked against the bytes left before anything is allocated.

import { ByteReader } from '../encoding/byte-reader.ts';
import { HASH_LENGTH } from '../encoding/constants.ts';
import { malformed } from '../encoding/errors.ts';
import { hashToDisplayHex } from '../encoding/hashes.ts';
import { readAnyBlockHeader } from '../chain/block.ts';
import { describeHeader, type Json } from '../chain/chain-json.ts';
import type { ChainFormat } from '../chain/chain-format.ts';

/** Commands this module decodes. */
export const IGNORED_COMMANDS = ['sendheaders', 'sendaddrv2', 'wtxidrelay', 'feefilter', 'sendcmpct', 'merkleblock', 'alert'] as const;

/** Longest alert string read (bytes): the whole body is at most one frame anyway. */
const MAX_ALERT_STRING = 4096;
/** Largest set inside an alert (entries): Bitcoin Core never sent more than a handful. */
const MAX_ALERT_SET = 1000;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function varBytes(r: ByteReader, what: string): Uint8Array {
  return r.sub(r.compactSize(`${what} length`), what);
}

function alertPayload(payload: Uint8Array): Json {
  const r = new ByteReader(payload);
  const version = r.u32le('alert version') | 0;
  const relayUntil = r.i64le('alert relayUntil').toString();
  const expiration = r.i64le('alert expiration').toString();
  const id = r.u32le('alert id') | 0;
  const cancel = r.u32le('alert cancel') | 0;
  const nCancel = r.count(MAX_ALERT_SET, 4, 'alert setCancel');
  const setCancel: number[] = [];
  for (let i = 0; i < nCancel; i++) setCancel.push(r.u32le('alert setCancel entry') | 0);
  const minVer = r.u32le('alert minVer') | 0;
  const maxVer = r.u32le('alert maxVer') | 0;
  const nSubVer = r.count(MAX_ALERT_SET, 1, 'alert setSubVer');
  const setSubVer: string[] = [];
  for (let i = 0; i < nSubVer; i++) setSubVer.push(r.varStr(MAX_ALERT_STRING, 'alert subVer'));
  const priority = r.u32le('alert priority') | 0;
  const comment = r.varStr(MAX_ALERT_STRING, 'alert comment');
  const statusBar = r.varStr(MAX_ALERT_STRING, 'alert statusBar');
  // Bitcoin Core: strReserved; zcashd: strRPCError. Absent in the oldest alerts.
  const reserved = r.remaining > 0 ? r.varStr(MAX_ALERT_STRING, 'alert reserved') : undefined;
  return { version, relayUntil, expiration, id, cancel, setCancel, minVer, maxVer, setSubVer, priority, comment, statusBar, ...(reserved === undefined ? {} : { reserved }) };
}

/**
 * Decodes one of IGNORED_COMMANDS; undefined for any other command. Throws a `disconnect`
 * PeerwireError with the offset on malformed bytes.
 */
export function decodeIgnoredMessage(command: string, body: Uint8Array, format: ChainFormat): Json | undefined {
  const r = new ByteReader(body);
  switch (command) {
    case 'sendheaders':
    case 'sendaddrv2':
    case 'wtxidrelay':
      return {};
    case 'feefilter':
      return { feeRate: r.i64le('feefilter fee rate').toString() };
    case 'sendcmpct': {
      const announce = r.u8('sendcmpct announce');
      if (announce > 1) throw malformed(`sendcmpct announce flag ${announce} is not 0 or 1`);
      return { announce: announce === 1, version: r.u64le('sendcmpct version').toString() };
    }
    case 'merkleblock': {
      const header = describeHeader(readAnyBlockHeader(r, format));
      const totalTransactions = r.u32le('merkleblock total transactions');
      const n = r.count(Math.max(totalTransactions, 1), HASH_LENGTH, 'merkleblock hashes');
      const hashes: string[] = [];
      for (let i = 0; i < n; i++) hashes.push(hashToDisplayHex(r.sub(HASH_LENGTH, 'merkleblock hash')));
      const flags = hex(varBytes(r, 'merkleblock flags'));
      return { header, totalTransactions, hashes, flags };
    }
    case 'alert': {
      const payload = varBytes(r, 'alert payload');
      const signature = varBytes(r, 'alert signature');
      let parsed: Json | string;
      try {
        parsed = alertPayload(payload);
      } catch (err) {
        parsed = `unparsable payload: ${(err as Error).message}`;
      }
      return { payload: parsed, signature: hex(signature) };
    }
    default:
      return undefined;
  }
}
