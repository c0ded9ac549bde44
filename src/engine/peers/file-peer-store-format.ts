// The on-disk format of the peer store file (`peers.dat`), as pure functions: no I/O, no clock. The
// I/O shell (file-peer-store.ts) writes what `encodePeerFile` returns and hands what it read to
// `decodePeerFile`, which never throws: a damaged file is a value (`reason` + `detail`), never a crash.
//
// Layout (all integers big-endian), in the spirit of Bitcoin Core's peers.dat:
//
//   offset  size  field
//        0     8  magic          89 50 57 50 53 0d 0a 1a  ("\x89PWPS\r\n\x1a")
//        8     4  format version 1
//       12     4  body length    bytes that follow the header, exactly
//       16    32  SHA-256 of the body
//       48     n  body           UTF-8 JSON: an array of PeerRecord objects
//
// The magic follows PNG's trick: a high-bit byte first and CR LF / ^Z inside, so a file mangled by a
// text-mode copy or truncated to 7 bits is recognised as foreign rather than parsed. The length must
// match the file size exactly, so truncation and trailing garbage are both detected before hashing.
//
// Why JSON for the body, not a compact binary encoding: `PeerRecord.policy` is free-form JSON by
// contract (each wire's policy persists its own fields), so a binary format would still embed JSON;
// the store is small (hundreds to a few thousand peers, well under a few MB) and written at most once
// per flush interval, so size and speed do not matter while a human-readable body helps operators and
// `peerwire decode` debug an address book. Integrity comes from the checksum, not from the encoding.
//
// Every record is validated and normalised the same way on `put` and on load (only known fields are
// kept), so whatever the store writes it can read back, and a file that passes the checksum but breaks
// a cap (a different program wrote it, or a bug did) is refused as a whole.

import { createHash } from 'node:crypto';
import { PeerwireError } from '../../core/errors.ts';
import { MAX_ADDRESS_TEXT, type NodeId } from '../../core/node-address.ts';
import type { PeerAddressRecord, PeerRecord } from './types.ts';

/** `\x89PWPS\r\n\x1a`: see the header comment for why these bytes. */
export const PEER_FILE_MAGIC: Uint8Array = Uint8Array.from([0x89, 0x50, 0x57, 0x50, 0x53, 0x0d, 0x0a, 0x1a]);
/** Bumped whenever the layout or the body's meaning changes; older readers then refuse the file. */
export const PEER_FILE_VERSION = 1;
/** magic (8) + version (4) + body length (4) + SHA-256 (32). */
export const PEER_FILE_HEADER_BYTES = 48;

/**
 * Largest store file accepted, in bytes (64 MiB). The biggest real address books are Bitcoin Core's
 * (at most 81,920 entries, a peers.dat of a few MB); Zebra keeps 5,000 and Tendermint 4 + 4 x
 * MaxConnected. At a few hundred bytes of JSON per record, MAX_PEER_RECORDS fits with room to spare,
 * while a hostile or runaway file can cost at most this much plus the parse (a few times as much
 * again) instead of exhausting memory at start-up.
 */
export const MAX_PEER_FILE_BYTES = 64 * 1024 * 1024;
/** Records per file: above Bitcoin Core's 81,920-entry address manager, the largest known. */
export const MAX_PEER_RECORDS = 100_000;
/**
 * Addresses per peer: a peer advertises a handful (one per interface or transport); 64 leaves room
 * for multi-homed peers while bounding one record's address text to 64 x 400 bytes.
 */
export const MAX_ADDRESSES_PER_RECORD = 64;
/** Serialised size of one record's `policy` object: Zebra's MetaAddr fields take ~200 bytes. */
export const MAX_POLICY_BYTES = 8 * 1024;
/** Peer IDs are node IDs (40 hex) or, for Zcash, address text: never longer than an address. */
export const MAX_PEER_ID_TEXT = MAX_ADDRESS_TEXT;

export const ERR_PEERS_RECORD_INVALID = 'ERR_PEERS_RECORD_INVALID';
export const ERR_PEERS_STORE_TOO_LARGE = 'ERR_PEERS_STORE_TOO_LARGE';

/** Why a file was refused; a bounded set, used as a metrics label. */
export type PeerFileDefect =
  | 'too_large'
  | 'truncated'
  | 'bad_magic'
  | 'bad_version'
  | 'bad_length'
  | 'bad_checksum'
  | 'bad_body'
  | 'bad_record'
  | 'io_error';

export type DecodedPeerFile =
  | { readonly ok: true; readonly records: PeerRecord[] }
  | { readonly ok: false; readonly reason: PeerFileDefect; readonly detail: string };

function invalidRecord(why: string): PeerwireError {
  return new PeerwireError(ERR_PEERS_RECORD_INVALID, `invalid peer record: ${why}`, { action: 'transient' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw invalidRecord(`${field} must be a string of 1-${max} characters`);
  }
  return value;
}

/** An epoch-milliseconds timestamp: finite and not negative. */
function optionalTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidRecord(`${field} must be a non-negative finite number`);
  }
  return value;
}

function normaliseAddress(value: unknown, index: number): PeerAddressRecord {
  if (!isObject(value)) throw invalidRecord(`addresses[${index}] must be an object`);
  const address = text(value.address, `addresses[${index}].address`, MAX_ADDRESS_TEXT);
  const dialFailures = value.dialFailures;
  if (typeof dialFailures !== 'number' || !Number.isSafeInteger(dialFailures) || dialFailures < 0) {
    throw invalidRecord(`addresses[${index}].dialFailures must be a non-negative integer`);
  }
  const out: PeerAddressRecord = { address, dialFailures };
  const success = optionalTime(value.lastDialSuccess, `addresses[${index}].lastDialSuccess`);
  if (success !== undefined) out.lastDialSuccess = success;
  const failure = optionalTime(value.lastDialFailure, `addresses[${index}].lastDialFailure`);
  if (failure !== undefined) out.lastDialFailure = failure;
  return out;
}

function normalisePolicy(value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw invalidRecord('policy must be a plain object');
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new PeerwireError(
      ERR_PEERS_RECORD_INVALID,
      'invalid peer record: policy is not JSON-serialisable',
      {
        cause: error,
        action: 'transient',
      },
    );
  }
  if (json.length > MAX_POLICY_BYTES) throw invalidRecord(`policy exceeds ${MAX_POLICY_BYTES} bytes`);
  // A fresh copy: the stored record shares nothing with the caller's (and drops what JSON drops).
  return JSON.parse(json) as Record<string, unknown>;
}

/**
 * Checks a record against the caps and returns a normalised copy holding only the known fields.
 * Throws ERR_PEERS_RECORD_INVALID with the first problem found.
 */
export function normalisePeerRecord(value: unknown): PeerRecord {
  if (!isObject(value)) throw invalidRecord('record must be an object');
  const id: NodeId = text(value.id, 'id', MAX_PEER_ID_TEXT);
  const addresses = value.addresses;
  if (!Array.isArray(addresses)) throw invalidRecord('addresses must be an array');
  if (addresses.length > MAX_ADDRESSES_PER_RECORD) {
    throw invalidRecord(`more than ${MAX_ADDRESSES_PER_RECORD} addresses`);
  }
  if (typeof value.inactive !== 'boolean') throw invalidRecord('inactive must be a boolean');
  const mutableScore = value.mutableScore;
  if (typeof mutableScore !== 'number' || !Number.isFinite(mutableScore)) {
    throw invalidRecord('mutableScore must be a finite number');
  }
  const out: PeerRecord = {
    id,
    addresses: addresses.map((a: unknown, i) => normaliseAddress(a, i)),
    inactive: value.inactive,
    mutableScore,
  };
  const lastConnected = optionalTime(value.lastConnected, 'lastConnected');
  if (lastConnected !== undefined) out.lastConnected = lastConnected;
  const bannedUntil = optionalTime(value.bannedUntil, 'bannedUntil');
  if (bannedUntil !== undefined) out.bannedUntil = bannedUntil;
  if (value.policy !== undefined) out.policy = normalisePolicy(value.policy);
  return out;
}

/** The JSON text of a record as the body stores it (after normalisePeerRecord). */
export function serialisePeerRecord(record: PeerRecord): string {
  return JSON.stringify(record);
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * The complete file for records already serialised with serialisePeerRecord, built in one buffer
 * (the body is encoded in place, never copied). Throws ERR_PEERS_STORE_TOO_LARGE past the file cap,
 * rather than writing a file that load would refuse.
 */
export function encodePeerFile(serialisedRecords: readonly string[]): Buffer {
  const bodyText = `[${serialisedRecords.join(',')}]`;
  const bodyLength = Buffer.byteLength(bodyText, 'utf8');
  if (PEER_FILE_HEADER_BYTES + bodyLength > MAX_PEER_FILE_BYTES) {
    throw new PeerwireError(
      ERR_PEERS_STORE_TOO_LARGE,
      `peer store would be ${bodyLength} bytes, over the cap`,
      {
        action: 'transient',
        details: { bodyLength, cap: MAX_PEER_FILE_BYTES },
      },
    );
  }
  const file = Buffer.allocUnsafe(PEER_FILE_HEADER_BYTES + bodyLength);
  file.set(PEER_FILE_MAGIC, 0);
  file.writeUInt32BE(PEER_FILE_VERSION, 8);
  file.writeUInt32BE(bodyLength, 12);
  const body = file.subarray(PEER_FILE_HEADER_BYTES);
  body.write(bodyText, 'utf8');
  sha256(body).copy(file, 16);
  return file;
}

function defect(reason: PeerFileDefect, detail: string): DecodedPeerFile {
  return { ok: false, reason, detail };
}

/** Checks and decodes a whole store file. Never throws: a damaged file yields its defect. */
export function decodePeerFile(file: Uint8Array): DecodedPeerFile {
  if (file.length > MAX_PEER_FILE_BYTES) return defect('too_large', `${file.length} bytes is over the cap`);
  if (file.length < PEER_FILE_HEADER_BYTES) {
    return defect(
      'truncated',
      file.length === 0 ? 'empty file' : `${file.length} bytes is shorter than the header`,
    );
  }
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.length);
  if (!bytes.subarray(0, PEER_FILE_MAGIC.length).equals(PEER_FILE_MAGIC))
    return defect('bad_magic', 'not a peer store file');
  const version = bytes.readUInt32BE(8);
  if (version !== PEER_FILE_VERSION) {
    return defect(
      'bad_version',
      `format version ${version} is not supported (this build reads ${PEER_FILE_VERSION})`,
    );
  }
  const bodyLength = bytes.readUInt32BE(12);
  if (bodyLength !== bytes.length - PEER_FILE_HEADER_BYTES) {
    return defect(
      'bad_length',
      `header says ${bodyLength} body bytes, file has ${bytes.length - PEER_FILE_HEADER_BYTES}`,
    );
  }
  const body = bytes.subarray(PEER_FILE_HEADER_BYTES);
  if (!sha256(body).equals(bytes.subarray(16, PEER_FILE_HEADER_BYTES)))
    return defect('bad_checksum', 'checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return defect(
      'bad_body',
      `body is not JSON: ${error instanceof Error ? error.message.slice(0, 200) : 'parse error'}`,
    );
  }
  if (!Array.isArray(parsed)) return defect('bad_body', 'body is not an array');
  if (parsed.length > MAX_PEER_RECORDS) return defect('bad_record', `more than ${MAX_PEER_RECORDS} records`);
  const records: PeerRecord[] = [];
  const seen = new Set<NodeId>();
  for (let i = 0; i < parsed.length; i++) {
    let record: PeerRecord;
    try {
      record = normalisePeerRecord(parsed[i]);
    } catch (error) {
      return defect('bad_record', `record ${i}: ${error instanceof Error ? error.message : 'invalid'}`);
    }
    if (seen.has(record.id)) return defect('bad_record', `record ${i}: duplicate id`);
    seen.add(record.id);
    records.push(record);
  }
  return { ok: true, records };
}
