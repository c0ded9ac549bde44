// The Bitcoin-family transaction merkle root (Zcash keeps it, protocol specification §7.6): SHA-256d over
// pairs of wire-order hashes, the last hash of an odd level paired with itself. Zcash v5 leaves are
// ZIP-244 txids. Used to check that a block's transactions are the ones its header commits to (the
// dissector reports a mismatch; verifying blocks is not the network layer's job). Each level lives in
// one buffer and every pair is hashed in place: no copy per pair, one allocation per level.

import { sha256d } from '../encoding/hashes.ts';

const HASH = 32;

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(HASH);
  if (leaves.length === 1) return leaves[0]!.slice();
  // Room for one more hash: an odd level's last hash is copied after itself to form its pair.
  let level = new Uint8Array((leaves.length + 1) * HASH);
  leaves.forEach((leaf, i) => level.set(leaf, i * HASH));
  let count = leaves.length;
  while (count > 1) {
    if (count % 2 === 1) level.copyWithin(count * HASH, (count - 1) * HASH, count * HASH);
    const pairs = (count + 1) >> 1;
    const next = new Uint8Array((pairs + 1) * HASH);
    for (let i = 0; i < pairs; i++) next.set(sha256d(level.subarray(i * 2 * HASH, (i + 1) * 2 * HASH)), i * HASH);
    level = next;
    count = pairs;
  }
  return level.slice(0, HASH);
}
