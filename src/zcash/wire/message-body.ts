// Body codecs for every known command (docs/protocols/zcash.md §2), dispatched by command name. Decoding applies
// Zebra's limits and preallocation caps (a count is checked against its cap and against the bytes
// left before any list grows) and ignores trailing bytes after a successful parse, as Zebra does.
// Encoding applies the same limits, so we never send what we would reject ourselves.

import { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { checkBlockBytes, decodeBlock, readAnyBlockHeader } from '../chain/block.ts';
import { decodeBlockPieces } from '../chain/block-pieces.ts';
import { MIN_HEADER_LENGTH, writeBlockHeader } from '../chain/block-header.ts';
import { BITCOIN_HEADER_LENGTH, writeBitcoinBlockHeader } from '../chain/bitcoin-block-header.ts';
import type { ChainFormat } from '../chain/chain-format.ts';
import {
  FILTERLOAD_FIXED_LENGTH,
  HASH_LENGTH,
  MAX_ADDRS_IN_MESSAGE,
  MAX_BLOCK_LOCATOR_LENGTH,
  MAX_FILTERADD_LENGTH,
  MAX_FILTERLOAD_FILTER_LENGTH,
  MAX_HEADERS_PER_MESSAGE,
  MAX_INV_IN_RECEIVED_MESSAGE,
  MAX_REJECT_MESSAGE_LENGTH,
  MAX_REJECT_REASON_LENGTH,
  REJECT_DATA_LENGTH,
} from '../encoding/constants.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import {
  type InventoryItem,
  MIN_INVENTORY_ENTRY_LENGTH,
  readInventoryItem,
  writeInventoryItem,
} from '../chain/inventory.ts';
import {
  type KnownCommand,
  type OutboundMessage,
  REJECT_CODES,
  type RejectCodeValue,
  type ZcashMessage,
} from './messages.ts';
import {
  ADDR_V1_ENTRY_LENGTH,
  ADDR_V2_MIN_ENTRY_LENGTH,
  type AddrEntry,
  readAddrV1Entry,
  readAddrV2Entry,
  writeAddrV1Entry,
} from './net-address.ts';
import { type Transaction, checkTransactionBytes, decodeTransaction } from '../chain/transaction.ts';
import { ZCASH_UPGRADE_TABLE } from '../params/network-upgrades.ts';
import { readVersion, writeVersion } from './version-message.ts';

/** Per-connection facts the body codec depends on. */
export interface BodyContext {
  /**
   * Protocol version written into, and required in, `getblocks`/`getheaders` (Zebra rejects a
   * mismatch). Before the handshake: our current version; after: the negotiated version.
   */
  readonly protocolVersion: number;
  /**
   * False for stateless decoding (`peerwire decode`): a locator's version is reported in the message
   * instead of being checked against `protocolVersion`. Default true (a connection's rule).
   */
  readonly checkLocatorVersion?: boolean;
  /** Block and transaction format of the network (`NetworkParams.family`). Default 'zcash'. */
  readonly chainFormat?: ChainFormat;
}

/** Bitcoin Core MAX_HEADERS_RESULTS: headers per message on Bitcoin-format networks. */
export const MAX_BITCOIN_HEADERS_PER_MESSAGE = 2000;

/** Consensus branch ids a v5 transaction may name (Zebra refuses any other while parsing). */
const KNOWN_BRANCH_IDS: ReadonlySet<number> = new Set(
  ZCASH_UPGRADE_TABLE.flatMap((row) => (row.branchId === undefined ? [] : [row.branchId])),
);

function checkBranchId(tx: Transaction, where: string): void {
  if (tx.chain === 'zcash' && tx.consensusBranchId !== undefined && !KNOWN_BRANCH_IDS.has(tx.consensusBranchId)) {
    throw malformed(`${where}: unknown consensus branch id 0x${tx.consensusBranchId.toString(16)}`);
  }
}

const ZERO_HASH = new Uint8Array(HASH_LENGTH);

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function readInventoryList(r: ByteReader): InventoryItem[] {
  const n = r.count(MAX_INV_IN_RECEIVED_MESSAGE, MIN_INVENTORY_ENTRY_LENGTH, 'inventory');
  const items: InventoryItem[] = [];
  for (let i = 0; i < n; i++) items.push(readInventoryItem(r));
  return items;
}

function readLocator(
  r: ByteReader,
  ctx: BodyContext,
  command: string,
): { version: number; locator: Uint8Array[]; stop: Uint8Array | undefined } {
  const version = r.u32le(`${command} version`);
  if (ctx.checkLocatorVersion !== false && version !== ctx.protocolVersion) {
    throw malformed(`${command} version ${version} did not match negotiation (${ctx.protocolVersion})`);
  }
  const n = r.count(MAX_BLOCK_LOCATOR_LENGTH, HASH_LENGTH, `${command} locator`);
  r.need((n + 1) * HASH_LENGTH, `${command} locator`);
  const locator: Uint8Array[] = [];
  for (let i = 0; i < n; i++) locator.push(r.copy(HASH_LENGTH, 'locator hash'));
  const stop = r.copy(HASH_LENGTH, 'stop hash');
  return { version, locator, stop: isZero(stop) ? undefined : stop };
}

/**
 * Decodes a `block` body of the Zcash format that arrived in pieces (Frame.pieces) without joining them
 * (block-pieces.ts); `joined` returns the contiguous body, built once by the frame.
 */
export function decodeBlockPiecesBody(pieces: readonly Uint8Array[], length: number, joined: () => Uint8Array): ZcashMessage {
  return { command: 'block', block: decodeBlockPieces(pieces, length, joined, { knownBranchIds: KNOWN_BRANCH_IDS }) };
}

/**
 * Decodes the body of a known command. `digest` is SHA-256d(body) when the frame decoder already has
 * it (reused as the v1–v4 txid of a `tx`). Throws only `disconnect` PeerwireErrors.
 */
export function decodeMessageBody(
  command: KnownCommand,
  body: Uint8Array,
  ctx: BodyContext,
  digest?: Uint8Array,
): ZcashMessage {
  const format = ctx.chainFormat ?? 'zcash';
  if (command === 'tx') {
    const tx = decodeTransaction(body, format, digest);
    checkBranchId(tx, 'tx');
    return { command, tx };
  }
  if (command === 'block') {
    const block = decodeBlock(body, format, { knownBranchIds: KNOWN_BRANCH_IDS });
    return { command, block };
  }
  const r = new ByteReader(body);
  switch (command) {
    case 'version':
      return readVersion(r);
    case 'verack':
    case 'getaddr':
    case 'mempool':
    case 'filterclear':
      return { command };
    case 'ping':
    case 'pong':
      return { command, nonce: r.u64le(`${command} nonce`) };
    case 'reject': {
      const message = r.varStr(MAX_REJECT_MESSAGE_LENGTH, 'reject message');
      const ccode = r.u8('reject ccode');
      if (!REJECT_CODES.has(ccode))
        throw malformed(`invalid RejectReason value 0x${ccode.toString(16)} in ccode field`);
      const reason = r.varStr(MAX_REJECT_REASON_LENGTH, 'reject reason');
      const data = r.remaining >= REJECT_DATA_LENGTH ? r.copy(REJECT_DATA_LENGTH, 'reject data') : undefined;
      return { command, message, ccode: ccode as RejectCodeValue, reason, data };
    }
    case 'addr': {
      const n = r.count(MAX_ADDRS_IN_MESSAGE, ADDR_V1_ENTRY_LENGTH, 'addr');
      const addrs: AddrEntry[] = [];
      for (let i = 0; i < n; i++) addrs.push(readAddrV1Entry(r));
      return { command, addrs };
    }
    case 'addrv2': {
      const n = r.count(MAX_ADDRS_IN_MESSAGE, ADDR_V2_MIN_ENTRY_LENGTH, 'addrv2');
      const addrs: AddrEntry[] = [];
      let skipped = 0;
      for (let i = 0; i < n; i++) {
        const e = readAddrV2Entry(r);
        if (e === undefined) skipped++;
        else addrs.push(e);
      }
      return { command, addrs, skipped };
    }
    case 'inv':
    case 'getdata':
    case 'notfound':
      return { command, items: readInventoryList(r) };
    case 'getblocks':
    case 'getheaders': {
      const { version, locator, stop } = readLocator(r, ctx, command);
      return { command, version, locator, stop };
    }
    case 'headers': {
      const n =
        format === 'bitcoin'
          ? r.count(MAX_BITCOIN_HEADERS_PER_MESSAGE, BITCOIN_HEADER_LENGTH + 1, 'headers')
          : r.count(MAX_HEADERS_PER_MESSAGE, MIN_HEADER_LENGTH + 1, 'headers');
      const headers = [];
      for (let i = 0; i < n; i++) {
        headers.push(readAnyBlockHeader(r, format));
        r.compactSize('header transaction count'); // always 0 on the wire, ignored on receipt
      }
      return { command, headers };
    }
    case 'filterload': {
      const len = body.length;
      if (len < FILTERLOAD_FIXED_LENGTH || len > MAX_FILTERLOAD_FILTER_LENGTH + FILTERLOAD_FIXED_LENGTH) {
        throw malformed(`Invalid filterload message body length ${len}`);
      }
      const filter = r.copy(len - FILTERLOAD_FIXED_LENGTH, 'filter');
      const hashFunctions = r.u32le('filterload nHashFuncs');
      const tweak = r.u32le('filterload nTweak');
      return { command, filter, hashFunctions, tweak, flags: r.u8('filterload nFlags') };
    }
    case 'filteradd':
      return { command, data: r.copy(Math.min(body.length, MAX_FILTERADD_LENGTH), 'filteradd data') };
  }
}

function writeLocator(
  w: ByteWriter,
  ctx: BodyContext,
  locator: readonly Uint8Array[],
  stop: Uint8Array | undefined,
): void {
  if (locator.length > MAX_BLOCK_LOCATOR_LENGTH)
    throw encodeError(`locator of ${locator.length} hashes exceeds ${MAX_BLOCK_LOCATOR_LENGTH}`);
  w.u32le(ctx.protocolVersion);
  w.compactSize(locator.length);
  for (const h of locator) w.fixed(h, HASH_LENGTH, 'locator hash');
  w.fixed(stop ?? ZERO_HASH, HASH_LENGTH, 'stop hash');
}

function writeInventoryList(w: ByteWriter, items: readonly InventoryItem[]): void {
  if (items.length > MAX_INV_IN_RECEIVED_MESSAGE)
    throw encodeError(`inventory of ${items.length} entries exceeds ${MAX_INV_IN_RECEIVED_MESSAGE}`);
  w.compactSize(items.length);
  for (const item of items) writeInventoryItem(w, item);
}

/** Appends the body of `m` to `w`. Throws `ERR_ZCASH_ENCODE` (action transient) on a limit violation. */
export function encodeMessageBody(w: ByteWriter, m: OutboundMessage, ctx: BodyContext): void {
  const format = ctx.chainFormat ?? 'zcash';
  switch (m.command) {
    case 'version':
      writeVersion(w, m);
      return;
    case 'verack':
    case 'getaddr':
    case 'mempool':
    case 'filterclear':
      return;
    case 'ping':
    case 'pong':
      w.u64le(m.nonce);
      return;
    case 'reject':
      w.varStr(m.message, MAX_REJECT_MESSAGE_LENGTH, 'reject message');
      if (!REJECT_CODES.has(m.ccode)) throw encodeError(`invalid reject ccode ${m.ccode}`);
      w.u8(m.ccode);
      w.varStr(m.reason, MAX_REJECT_REASON_LENGTH, 'reject reason');
      if (m.data !== undefined) w.fixed(m.data, REJECT_DATA_LENGTH, 'reject data');
      return;
    case 'addr':
      if (m.addrs.length > MAX_ADDRS_IN_MESSAGE)
        throw encodeError(`addr of ${m.addrs.length} entries exceeds ${MAX_ADDRS_IN_MESSAGE}`);
      w.compactSize(m.addrs.length);
      for (const a of m.addrs) writeAddrV1Entry(w, a);
      return;
    case 'inv':
    case 'getdata':
    case 'notfound':
      writeInventoryList(w, m.items);
      return;
    case 'getblocks':
    case 'getheaders':
      writeLocator(w, ctx, m.locator, m.stop);
      return;
    case 'headers': {
      const max = format === 'bitcoin' ? MAX_BITCOIN_HEADERS_PER_MESSAGE : MAX_HEADERS_PER_MESSAGE;
      if (m.headers.length > max) throw encodeError(`headers of ${m.headers.length} entries exceeds ${max}`);
      w.compactSize(m.headers.length);
      for (const h of m.headers) {
        if ((h.format === 'bitcoin') !== (format === 'bitcoin'))
          throw encodeError(`a ${h.format ?? 'zcash'} header on a ${format} network`);
        if (h.format === 'bitcoin') writeBitcoinBlockHeader(w, h);
        else writeBlockHeader(w, h);
        w.compactSize(0);
      }
      return;
    }
    case 'block':
      checkBlockBytes(m.block.bytes, format);
      w.bytes(m.block.bytes);
      return;
    case 'tx':
      checkTransactionBytes(m.tx.bytes, format);
      w.bytes(m.tx.bytes);
      return;
    case 'filterload':
      if (m.filter.length > MAX_FILTERLOAD_FILTER_LENGTH)
        throw encodeError(`filter of ${m.filter.length} bytes exceeds ${MAX_FILTERLOAD_FILTER_LENGTH}`);
      w.bytes(m.filter);
      w.u32le(m.hashFunctions);
      w.u32le(m.tweak);
      w.u8(m.flags);
      return;
    case 'filteradd':
      if (m.data.length > MAX_FILTERADD_LENGTH)
        throw encodeError(`filteradd data of ${m.data.length} bytes exceeds ${MAX_FILTERADD_LENGTH}`);
      w.bytes(m.data);
      return;
  }
}
