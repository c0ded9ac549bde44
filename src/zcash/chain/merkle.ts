// The Bitcoin-family transaction merkle root (Zcash keeps it, protocol specification §7.6): SHA-256d over
// pairs of wire-order hashes, the last hash of an odd level paired with itself. Zcash v5 leaves are
// ZIP-244 txids. Used to check that a block's transactions are the ones its header commits to (the
// dissector reports a mismatch; verifying blocks is not the network layer's job).

import { sha256d } from '../encoding/hashes.ts';

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves.slice();
  const pair = new Uint8Array(64);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      pair.set(level[i]!, 0);
      pair.set(level[i + 1] ?? level[i]!, 32);
      next.push(sha256d(pair).slice());
    }
    level = next;
  }
  return level[0]!;
}
