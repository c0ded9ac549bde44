// The Zcash wire messages as typed values, one variant per command of Zebra's table (docs/protocols/zcash.md §2), plus
// `unknown` for well-formed commands Zebra does not know (`sendcmpct`, `feefilter`, `sendheaders`,
// ...): those are surfaced so the caller can drop and count them, never an error. Wire messages are
// kept separate from the internal request/response types of the connection layer, as Zebra does.

import type { Block } from '../chain/block.ts';
import type { AnyBlockHeader } from '../chain/block.ts';
import type { BlockHeaderFields } from '../chain/block-header.ts';
import type { BitcoinBlockHeaderFields } from '../chain/bitcoin-block-header.ts';
import type { InventoryItem } from '../chain/inventory.ts';
import type { AddrEntry, NetAddress } from './net-address.ts';
import type { Transaction } from '../chain/transaction.ts';

/** Commands Zebra encodes and decodes. */
export const ENCODABLE_COMMANDS = [
  'version',
  'verack',
  'ping',
  'pong',
  'reject',
  'addr',
  'getaddr',
  'block',
  'getblocks',
  'headers',
  'getheaders',
  'inv',
  'getdata',
  'notfound',
  'tx',
  'mempool',
  'filterload',
  'filteradd',
  'filterclear',
] as const;

/** Commands decoded but never encoded (ZIP-155: Zebra parses `addrv2`, never sends it). */
export const DECODE_ONLY_COMMANDS = ['addrv2'] as const;

export type EncodableCommand = (typeof ENCODABLE_COMMANDS)[number];
export type KnownCommand = EncodableCommand | (typeof DECODE_ONLY_COMMANDS)[number];

const KNOWN = new Set<string>([...ENCODABLE_COMMANDS, ...DECODE_ONLY_COMMANDS]);

export function isKnownCommand(name: string): name is KnownCommand {
  return KNOWN.has(name);
}

/** `reject` ccodes accepted by Zebra; any other value is a parse error. */
export const RejectCode = {
  Malformed: 0x01,
  Invalid: 0x10,
  Obsolete: 0x11,
  Duplicate: 0x12,
  Nonstandard: 0x40,
  Dust: 0x41,
  InsufficientFee: 0x42,
  Checkpoint: 0x43,
  Other: 0x50,
} as const;
export type RejectCodeValue = (typeof RejectCode)[keyof typeof RejectCode];
export const REJECT_CODES: ReadonlySet<number> = new Set(Object.values(RejectCode));

export interface VersionMessage {
  readonly command: 'version';
  /** Protocol version (u32). */
  readonly version: number;
  /** Raw service bits (u64); see `truncateServices` for Zebra's receipt rule. */
  readonly services: bigint;
  /** Seconds since the Unix epoch (i64 on the wire, within chrono's DateTime range). */
  readonly timestamp: number;
  /** What the sender thinks our address is. */
  readonly addrRecv: NetAddress;
  /** The sender's advertised listener ("canonical") address. */
  readonly addrFrom: NetAddress;
  /** Per-connection random nonce (self-connection detection). */
  readonly nonce: bigint;
  /** BIP-14 user agent, ≤ 256 bytes of UTF-8. */
  readonly userAgent: string;
  /** Sender's best tip height (u32). */
  readonly startHeight: number;
  /** BIP-37 relay flag; an omitted byte decodes as true. */
  readonly relay: boolean;
}

export interface RejectMessage {
  readonly command: 'reject';
  /** The rejected message's command, ≤ 12 bytes. */
  readonly message: string;
  readonly ccode: RejectCodeValue;
  /** ≤ 111 bytes. */
  readonly reason: string;
  /** Optional 32-byte hash of the rejected object. */
  readonly data: Uint8Array | undefined;
}

export interface FilterLoadMessage {
  readonly command: 'filterload';
  /** The bloom filter bytes (≤ 36,000), length derived from the body length (Zebra: no prefix). */
  readonly filter: Uint8Array;
  readonly hashFunctions: number;
  readonly tweak: number;
  readonly flags: number;
}

export type ZcashMessage =
  | VersionMessage
  | { readonly command: 'verack' }
  | { readonly command: 'ping'; readonly nonce: bigint }
  | { readonly command: 'pong'; readonly nonce: bigint }
  | RejectMessage
  | { readonly command: 'addr'; readonly addrs: readonly AddrEntry[] }
  /** Decode only: IPv4/IPv6 entries kept, other networks counted in `skipped`. */
  | { readonly command: 'addrv2'; readonly addrs: readonly AddrEntry[]; readonly skipped: number }
  | { readonly command: 'getaddr' }
  | { readonly command: 'block'; readonly block: Block }
  /**
   * `version` is the leading field as received (a connection requires the negotiated version; the
   * encoder always writes the codec's version). Stop: undefined = none.
   */
  | {
      readonly command: 'getblocks';
      readonly version?: number;
      readonly locator: readonly Uint8Array[];
      readonly stop: Uint8Array | undefined;
    }
  | {
      readonly command: 'getheaders';
      readonly version?: number;
      readonly locator: readonly Uint8Array[];
      readonly stop: Uint8Array | undefined;
    }
  | { readonly command: 'headers'; readonly headers: readonly AnyBlockHeader[] }
  | { readonly command: 'inv'; readonly items: readonly InventoryItem[] }
  | { readonly command: 'getdata'; readonly items: readonly InventoryItem[] }
  | { readonly command: 'notfound'; readonly items: readonly InventoryItem[] }
  | { readonly command: 'tx'; readonly tx: Transaction }
  | { readonly command: 'mempool' }
  | FilterLoadMessage
  /** The data element (≤ 520 bytes; Zebra reads at most that many). */
  | { readonly command: 'filteradd'; readonly data: Uint8Array }
  | { readonly command: 'filterclear' }
  /**
   * A well-formed command Zebra does not know: body consumed, connection kept. `name` is remote
   * input: never use it as a metric label.
   */
  | { readonly command: 'unknown'; readonly name: string; readonly body: Uint8Array };

/** Messages we can send: everything but `addrv2` and `unknown`; headers may omit their hash. */
export type OutboundMessage =
  | Exclude<ZcashMessage, { command: 'addrv2' | 'unknown' | 'headers' }>
  | { readonly command: 'headers'; readonly headers: readonly (BlockHeaderFields | BitcoinBlockHeaderFields)[] };

export type ZcashCommand = ZcashMessage['command'];
