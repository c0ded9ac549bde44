// Internal requests and responses of a Zcash peer connection, kept apart from wire messages as Zebra
// does (zebra-network protocol/internal): the ZcashClient turns an outbound request into messages
// and matches the peer's messages back into one response (docs/protocols/zcash.md §7); the connection turns unsolicited
// peer messages into the same requests for the InboundService and its responses into messages.

import type { Block } from '../chain/block.ts';
import type { AnyBlockHeader } from '../chain/block.ts';
import type { BlockHeaderFields } from '../chain/block-header.ts';
import type { BitcoinBlockHeaderFields } from '../chain/bitcoin-block-header.ts';
import type { AddrEntry } from './net-address.ts';
import type { Transaction } from '../chain/transaction.ts';

/** A transaction identifier: legacy (v1–v4) txid, or a v5 txid with its auth digest (MSG_WTX). */
export interface TxId {
  readonly txid: Uint8Array;
  readonly authDigest?: Uint8Array | undefined;
}

export type ZcashRequest =
  /** `getaddr` unless the connection's address cache can answer at once; ≤ 37 addresses back. */
  | { readonly kind: 'peers' }
  /** `ping`; answered by the `pong` with the same nonce. A timeout fails the connection. */
  | { readonly kind: 'ping'; readonly nonce: bigint }
  /** `getdata` of blocks; done when all arrived, or early on `notfound`. */
  | { readonly kind: 'blocks-by-hash'; readonly hashes: readonly Uint8Array[] }
  /** `getdata` of transactions; done when all arrived, or early on `notfound` / an unexpected `tx`. */
  | { readonly kind: 'transactions-by-id'; readonly ids: readonly TxId[] }
  /** `getblocks`; answered by an `inv` of blocks only. */
  | {
      readonly kind: 'find-blocks';
      readonly locator: readonly Uint8Array[];
      readonly stop?: Uint8Array | undefined;
    }
  /** `getheaders`; answered by `headers`. */
  | {
      readonly kind: 'find-headers';
      readonly locator: readonly Uint8Array[];
      readonly stop?: Uint8Array | undefined;
    }
  /** `mempool`; answered by an `inv` of transactions only. */
  | { readonly kind: 'mempool-transaction-ids' }
  /** `tx`; done once sent. */
  | { readonly kind: 'push-transaction'; readonly tx: Transaction }
  /** `inv` of transactions (≤ 25,000, longer lists truncated); done once sent. */
  | { readonly kind: 'advertise-transaction-ids'; readonly ids: readonly TxId[] }
  /** `inv` of one block; done once sent. */
  | { readonly kind: 'advertise-block'; readonly hash: Uint8Array };

export type ZcashRequestKind = ZcashRequest['kind'];

export type ZcashResponse =
  | { readonly kind: 'nil' }
  | { readonly kind: 'peers'; readonly addrs: readonly AddrEntry[] }
  /** Round-trip time of a ping, in milliseconds. */
  | { readonly kind: 'pong'; readonly rttMs: number }
  /** Blocks in arrival order; `missing` lists requested hashes that did not arrive. */
  | { readonly kind: 'blocks'; readonly blocks: readonly Block[]; readonly missing: readonly Uint8Array[] }
  | {
      readonly kind: 'transactions';
      readonly transactions: readonly Transaction[];
      readonly missing: readonly TxId[];
    }
  | { readonly kind: 'block-hashes'; readonly hashes: readonly Uint8Array[] }
  | { readonly kind: 'block-headers'; readonly headers: readonly (AnyBlockHeader | BlockHeaderFields | BitcoinBlockHeaderFields)[] }
  | { readonly kind: 'transaction-ids'; readonly ids: readonly TxId[] };

/** Who sent an inbound request (for the inbound service's bookkeeping and logs). */
export interface InboundPeer {
  /** The connection's transient id (`ip:port`), undefined for Isolated connections. */
  readonly id: string | undefined;
  readonly negotiatedVersion: number;
}

/**
 * Zebra's inbound service: answers the requests peers make of us (`getaddr` → peers, `getdata` →
 * blocks or transactions, `getblocks`/`getheaders`, `mempool`) and takes their pushes and
 * advertisements (`tx`, `inv`). The connection sends the response back: `peers` → `addr`,
 * `blocks`/`transactions` → one `block`/`tx` per item then one `notfound` for the missing ones,
 * `block-hashes` → `inv`, `block-headers` → `headers`, `transaction-ids` → `inv`, `nil` → nothing.
 * Calls on one connection are serialised and bounded by the connection's request timeout; an error
 * is logged and counted, never fatal to the connection.
 */
export interface InboundService {
  handle(request: ZcashRequest, peer: InboundPeer, signal: AbortSignal): Promise<ZcashResponse>;
}

/** Hex key of a transaction id (txid, then the auth digest for v5). */
export function txIdKey(id: TxId): string {
  const txid = Buffer.from(id.txid.buffer, id.txid.byteOffset, id.txid.byteLength).toString('hex');
  if (id.authDigest === undefined) return txid;
  return (
    txid +
    Buffer.from(id.authDigest.buffer, id.authDigest.byteOffset, id.authDigest.byteLength).toString('hex')
  );
}

/** Hex of a hash (wire byte order). */
export function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}
