// The requests the Zcash peer set routes (Zebra's zebra-network Request/Response, docs/protocols/zcash.md §6 and §7).
// They are the connection's own internal requests (src/zcash/connection/requests.ts: what a
// peer's ZcashClient sends and answers), plus the one request that only exists at the peer-set level:
// AdvertiseBlockToAll, which the peer set sends to every ready peer as AdvertiseBlock. Also here: the
// inventory-registry key of a single-item download (lower-case hex in wire byte order; txid ‖ auth
// digest for a v5 transaction), the same key the connection reports inventory changes under.

import type { TxId, ZcashRequest as ConnectionRequest, ZcashResponse } from '../wire/requests.ts';
import type { InventoryHash } from '../wire/peer-events.ts';

export type { ConnectionRequest, TxId, ZcashResponse };

export type ZcashRequest =
  | ConnectionRequest
  /** `inv` with one block, to every ready peer (AdvertiseBlock goes to a third of them). */
  | { readonly kind: 'advertise-block-to-all'; readonly hash: Uint8Array };

export type ZcashRequestKind = ZcashRequest['kind'];

/** One peer's request/response client (the connection's ZcashClient satisfies it). */
export interface PeerClient {
  /** Sends one request and resolves with its response; rejects with a typed error (timeout, closed, not found). */
  request(request: ConnectionRequest, signal: AbortSignal): Promise<ZcashResponse>;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The registry key of a transaction id: its txid, followed by its auth digest for MSG_WTX. */
export function txIdKey(id: TxId): InventoryHash {
  return id.authDigest === undefined ? hex(id.txid) : hex(id.txid) + hex(id.authDigest);
}

/** The registry key of the single item of a one-item download request, which the registry can route. */
export function singleInventoryItem(request: ZcashRequest): InventoryHash | undefined {
  if (request.kind === 'blocks-by-hash' && request.hashes.length === 1) return hex(request.hashes[0]!);
  if (request.kind === 'transactions-by-id' && request.ids.length === 1) return txIdKey(request.ids[0]!);
  return undefined;
}

/** What each peer is sent for a routed request (AdvertiseBlockToAll becomes AdvertiseBlock). */
export function connectionRequest(request: ZcashRequest): ConnectionRequest {
  return request.kind === 'advertise-block-to-all'
    ? { kind: 'advertise-block', hash: request.hash }
    : request;
}
