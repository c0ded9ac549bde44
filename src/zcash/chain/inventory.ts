// Inventory entries of `inv`, `getdata` and `notfound`: a u32le type then hash data. Zcash adds
// MSG_WTX (ZIP-239), whose entry carries 64 bytes (txid ‖ auth digest), so 36- and 68-byte entries
// mix and a list's size is only known by parsing every entry. Any type other than 0, 1, 2, 3, 5 is a
// parse error (Zebra; zcashd ≥ 4.5.0), which disconnects the peer.

import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { HASH_LENGTH } from '../encoding/constants.ts';
import { malformed } from '../encoding/errors.ts';

/** Wire type codes. */
export const InventoryType = {
  Error: 0,
  Tx: 1,
  Block: 2,
  FilteredBlock: 3,
  /** ZIP-239 witnessed transaction id: txid ‖ auth_digest. */
  Wtx: 5,
} as const;

export type InventoryItem =
  /** `InventoryHash::Error`: 32 bytes kept for round trips, ignored downstream. */
  | { readonly type: 'error'; readonly hash: Uint8Array }
  /** Legacy (v1–v4) transaction id, SHA-256d. */
  | { readonly type: 'tx'; readonly hash: Uint8Array }
  | { readonly type: 'block'; readonly hash: Uint8Array }
  /** Parsed, never served (no merkleblock support). */
  | { readonly type: 'filtered-block'; readonly hash: Uint8Array }
  /** v5+ transaction: ZIP-244 txid and authorizing-data digest. */
  | { readonly type: 'wtx'; readonly txid: Uint8Array; readonly authDigest: Uint8Array };

/** Smallest entry (type + one hash); the preallocation divisor (docs/protocols/zcash.md §2.13: (2 MiB − 1) / 36). */
export const MIN_INVENTORY_ENTRY_LENGTH = 4 + HASH_LENGTH;

export function readInventoryItem(r: ByteReader): InventoryItem {
  const code = r.u32le('inventory type');
  switch (code) {
    case InventoryType.Error:
      return { type: 'error', hash: r.copy(HASH_LENGTH, 'inventory hash') };
    case InventoryType.Tx:
      return { type: 'tx', hash: r.copy(HASH_LENGTH, 'inventory hash') };
    case InventoryType.Block:
      return { type: 'block', hash: r.copy(HASH_LENGTH, 'inventory hash') };
    case InventoryType.FilteredBlock:
      return { type: 'filtered-block', hash: r.copy(HASH_LENGTH, 'inventory hash') };
    case InventoryType.Wtx: {
      r.need(2 * HASH_LENGTH, 'wtx inventory');
      const txid = r.copy(HASH_LENGTH, 'wtx txid');
      return { type: 'wtx', txid, authDigest: r.copy(HASH_LENGTH, 'wtx auth digest') };
    }
    default:
      throw malformed(`invalid inventory type ${code}`);
  }
}

export function writeInventoryItem(w: ByteWriter, item: InventoryItem): void {
  switch (item.type) {
    case 'error':
      w.u32le(InventoryType.Error);
      w.fixed(item.hash, HASH_LENGTH, 'inventory hash');
      return;
    case 'tx':
      w.u32le(InventoryType.Tx);
      w.fixed(item.hash, HASH_LENGTH, 'inventory hash');
      return;
    case 'block':
      w.u32le(InventoryType.Block);
      w.fixed(item.hash, HASH_LENGTH, 'inventory hash');
      return;
    case 'filtered-block':
      w.u32le(InventoryType.FilteredBlock);
      w.fixed(item.hash, HASH_LENGTH, 'inventory hash');
      return;
    case 'wtx':
      w.u32le(InventoryType.Wtx);
      w.fixed(item.txid, HASH_LENGTH, 'wtx txid');
      w.fixed(item.authDigest, HASH_LENGTH, 'wtx auth digest');
      return;
  }
}
