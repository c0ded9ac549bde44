// Which received messages tell the inventory registry what a peer has or lacks (Zebra
// register_inventory_status, docs/protocols/zcash.md §2.7, §6). Applied to every message received after the handshake,
// whether or not it answers one of our requests:
//   - an `inv` with exactly one block: the peer advertises that block (several blocks are most likely
//     an answer to getblocks, which the whole network has, so they are not registered);
//   - the transaction ids (tx/wtx) of any other `inv`: available, at most 1000 per message (the
//     registry's per-map bound; the rest would be dropped there anyway);
//   - a `notfound`: its transaction ids and block hashes are missing from that peer.
// Isolated connections have no transient id and register nothing.

import type { InventoryItem } from '../chain/inventory.ts';
import type { ZcashMessage } from '../wire/messages.ts';
import type { InventoryChange, InventoryHash } from '../wire/peer-events.ts';

/** Zebra MAX_INV_PER_MAP: inventory entries registered from one message. */
export const MAX_INVENTORY_PER_CHANGE = 1000;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The registry's key for an item: 32-byte hash hex, or txid ‖ auth digest hex for MSG_WTX. */
export function inventoryHash(item: InventoryItem): InventoryHash | undefined {
  switch (item.type) {
    case 'tx':
    case 'block':
      return hex(item.hash);
    case 'wtx':
      return hex(item.txid) + hex(item.authDigest);
    default:
      return undefined;
  }
}

function txHashes(items: readonly InventoryItem[], limit: number): InventoryHash[] {
  const out: InventoryHash[] = [];
  for (const item of items) {
    if (out.length >= limit) break;
    if (item.type === 'tx' || item.type === 'wtx') out.push(inventoryHash(item)!);
  }
  return out;
}

/** The change a message implies for `peer`, if any. */
export function inventoryChangeFor(
  message: ZcashMessage,
  peer: string | undefined,
): InventoryChange | undefined {
  if (peer === undefined) return undefined;
  if (message.command === 'inv') {
    const items = message.items;
    if (items.length === 1 && items[0]!.type === 'block') {
      return { kind: 'available', peer, hashes: [inventoryHash(items[0]!)!] };
    }
    const hashes = txHashes(items, MAX_INVENTORY_PER_CHANGE);
    return hashes.length === 0 ? undefined : { kind: 'available', peer, hashes };
  }
  if (message.command === 'notfound') {
    const hashes: InventoryHash[] = [];
    for (const item of message.items) {
      if (hashes.length >= MAX_INVENTORY_PER_CHANGE) break;
      if (item.type === 'tx' || item.type === 'wtx' || item.type === 'block')
        hashes.push(inventoryHash(item)!);
    }
    return hashes.length === 0 ? undefined : { kind: 'missing', peer, hashes };
  }
  return undefined;
}
