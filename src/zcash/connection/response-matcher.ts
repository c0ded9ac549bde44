// Which peer messages answer which request (docs/protocols/zcash.md §7, Zebra peer/connection.rs), as pure functions:
// a request becomes the messages to send plus a Handler describing the awaited answer; each message
// received while a handler waits either completes it, advances it, or is not for it (and is then
// handled as unsolicited traffic). Unrequested blocks and transactions are ignored by the handler so
// the connection can resynchronise after a cancelled request.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { Block } from '../chain/block.ts';
import { MAX_TX_INV_IN_SENT_MESSAGE } from '../encoding/constants.ts';
import type { InventoryItem } from '../chain/inventory.ts';
import type { OutboundMessage, ZcashMessage } from '../wire/messages.ts';
import type { Transaction } from '../chain/transaction.ts';
import { ZcashPeerErrorCode } from '../handshake/peer-errors.ts';
import type { AddressCache } from './address-cache.ts';
import { hashKey, txIdKey, type TxId, type ZcashRequest, type ZcashResponse } from '../wire/requests.ts';

export type Handler =
  | { readonly kind: 'peers' }
  | { readonly kind: 'ping'; readonly nonce: bigint; readonly sentAt: number }
  | { readonly kind: 'blocks'; readonly pending: Map<string, Uint8Array>; readonly blocks: Block[] }
  | {
      readonly kind: 'transactions';
      readonly pending: Map<string, TxId>;
      readonly transactions: Transaction[];
    }
  | { readonly kind: 'find-blocks' }
  | { readonly kind: 'find-headers' }
  | { readonly kind: 'mempool' };

export type Outcome = { readonly ok: ZcashResponse } | { readonly error: PeerwireError };

export interface Plan {
  /** Messages to send, in order. */
  readonly send: readonly OutboundMessage[];
  /** The awaited answer; undefined when the request completes once sent (or at once). */
  readonly handler: Handler | undefined;
  /** Set when the request is answered without waiting (Nil after sending, or from the cache). */
  readonly immediate: ZcashResponse | undefined;
}

export interface MatchResult {
  /** True when the message belonged to the pending request (not unsolicited). */
  readonly consumed: boolean;
  /** Set when the request is finished. */
  readonly outcome?: Outcome;
}

function invalid(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, message, { action: 'transient' });
}

function txItem(id: TxId): InventoryItem {
  return id.authDigest === undefined
    ? { type: 'tx', hash: id.txid }
    : { type: 'wtx', txid: id.txid, authDigest: id.authDigest };
}

/** Turns a request into messages and a handler. `cache` answers Peers when it holds addresses. */
export function planRequest(request: ZcashRequest, cache: AddressCache, now: number): Plan {
  switch (request.kind) {
    case 'peers':
      if (cache.size > 0)
        return { send: [], handler: undefined, immediate: { kind: 'peers', addrs: cache.take() } };
      return { send: [{ command: 'getaddr' }], handler: { kind: 'peers' }, immediate: undefined };
    case 'ping':
      return {
        send: [{ command: 'ping', nonce: request.nonce }],
        handler: { kind: 'ping', nonce: request.nonce, sentAt: now },
        immediate: undefined,
      };
    case 'blocks-by-hash': {
      if (request.hashes.length === 0) throw invalid('blocks-by-hash needs at least one hash');
      const pending = new Map<string, Uint8Array>();
      for (const h of request.hashes) pending.set(hashKey(h), h);
      const items: InventoryItem[] = [...pending.values()].map((hash) => ({ type: 'block', hash }));
      return {
        send: [{ command: 'getdata', items }],
        handler: { kind: 'blocks', pending, blocks: [] },
        immediate: undefined,
      };
    }
    case 'transactions-by-id': {
      if (request.ids.length === 0) throw invalid('transactions-by-id needs at least one id');
      const pending = new Map<string, TxId>();
      for (const id of request.ids) pending.set(txIdKey(id), id);
      return {
        send: [{ command: 'getdata', items: [...pending.values()].map(txItem) }],
        handler: { kind: 'transactions', pending, transactions: [] },
        immediate: undefined,
      };
    }
    case 'find-blocks':
      return {
        send: [{ command: 'getblocks', locator: request.locator, stop: request.stop }],
        handler: { kind: 'find-blocks' },
        immediate: undefined,
      };
    case 'find-headers':
      return {
        send: [{ command: 'getheaders', locator: request.locator, stop: request.stop }],
        handler: { kind: 'find-headers' },
        immediate: undefined,
      };
    case 'mempool-transaction-ids':
      return { send: [{ command: 'mempool' }], handler: { kind: 'mempool' }, immediate: undefined };
    case 'push-transaction':
      return { send: [{ command: 'tx', tx: request.tx }], handler: undefined, immediate: { kind: 'nil' } };
    case 'advertise-transaction-ids': {
      // Zebra MAX_TX_INV_IN_SENT_MESSAGE: longer lists are silently truncated.
      const items = request.ids.slice(0, MAX_TX_INV_IN_SENT_MESSAGE).map(txItem);
      return { send: [{ command: 'inv', items }], handler: undefined, immediate: { kind: 'nil' } };
    }
    case 'advertise-block':
      return {
        send: [{ command: 'inv', items: [{ type: 'block', hash: request.hash }] }],
        handler: undefined,
        immediate: { kind: 'nil' },
      };
  }
}

function notFound(what: string): PeerwireError {
  return new PeerwireError(ZcashPeerErrorCode.NotFound, `peer has none of the requested ${what}`, {
    action: 'transient',
  });
}

function txIdOf(tx: Transaction): TxId {
  return { txid: tx.txid, authDigest: tx.authDigest };
}

/** Offers a received message to the pending handler. */
export function matchMessage(
  handler: Handler,
  message: ZcashMessage,
  cache: AddressCache,
  now: number,
): MatchResult {
  switch (handler.kind) {
    case 'peers':
      if (message.command === 'addr' || message.command === 'addrv2') {
        return { consumed: true, outcome: { ok: { kind: 'peers', addrs: cache.split(message.addrs) } } };
      }
      return { consumed: false };
    case 'ping':
      if (message.command === 'pong' && message.nonce === handler.nonce) {
        return {
          consumed: true,
          outcome: { ok: { kind: 'pong', rttMs: Math.max(0, now - handler.sentAt) } },
        };
      }
      return { consumed: false };
    case 'blocks':
      if (message.command === 'block') {
        const key = hashKey(message.block.hash);
        if (!handler.pending.has(key)) return { consumed: false };
        handler.pending.delete(key);
        handler.blocks.push(message.block);
        if (handler.pending.size > 0) return { consumed: true };
        return { consumed: true, outcome: { ok: { kind: 'blocks', blocks: handler.blocks, missing: [] } } };
      }
      if (message.command === 'notfound') {
        // Any notfound ends the request: zcashd never sends one for blocks, Zebra lists all missing ones.
        if (handler.blocks.length === 0) return { consumed: true, outcome: { error: notFound('blocks') } };
        return {
          consumed: true,
          outcome: { ok: { kind: 'blocks', blocks: handler.blocks, missing: [...handler.pending.values()] } },
        };
      }
      return { consumed: false };
    case 'transactions':
      if (message.command === 'tx') {
        const key = txIdKey(txIdOf(message.tx));
        if (handler.pending.has(key)) {
          handler.pending.delete(key);
          handler.transactions.push(message.tx);
          if (handler.pending.size > 0) return { consumed: true };
          return {
            consumed: true,
            outcome: { ok: { kind: 'transactions', transactions: handler.transactions, missing: [] } },
          };
        }
        // An unexpected tx after some expected ones: the peer is done with our request. The tx itself
        // is still unsolicited traffic (a push), so it is not consumed.
        if (handler.transactions.length > 0) {
          return {
            consumed: false,
            outcome: {
              ok: {
                kind: 'transactions',
                transactions: handler.transactions,
                missing: [...handler.pending.values()],
              },
            },
          };
        }
        return { consumed: false };
      }
      if (message.command === 'notfound') {
        if (handler.transactions.length === 0)
          return { consumed: true, outcome: { error: notFound('transactions') } };
        return {
          consumed: true,
          outcome: {
            ok: {
              kind: 'transactions',
              transactions: handler.transactions,
              missing: [...handler.pending.values()],
            },
          },
        };
      }
      return { consumed: false };
    case 'find-blocks':
      if (message.command === 'inv' && message.items.every((i) => i.type === 'block')) {
        const hashes = message.items.map((i) => (i as { hash: Uint8Array }).hash);
        return { consumed: true, outcome: { ok: { kind: 'block-hashes', hashes } } };
      }
      return { consumed: false };
    case 'find-headers':
      if (message.command === 'headers') {
        return { consumed: true, outcome: { ok: { kind: 'block-headers', headers: message.headers } } };
      }
      return { consumed: false };
    case 'mempool':
      if (message.command === 'inv' && message.items.every((i) => i.type === 'tx' || i.type === 'wtx')) {
        const ids: TxId[] = message.items.map((i) =>
          i.type === 'wtx'
            ? { txid: i.txid, authDigest: i.authDigest }
            : { txid: (i as { hash: Uint8Array }).hash },
        );
        return { consumed: true, outcome: { ok: { kind: 'transaction-ids', ids } } };
      }
      return { consumed: false };
  }
}
