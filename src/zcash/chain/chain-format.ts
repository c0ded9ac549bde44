// Which chain's block and transaction formats a network carries. The Zcash and Bitcoin wires share
// framing and most messages, but a block header is 140 bytes + Equihash solution on Zcash and 80 bytes
// on Bitcoin, and transactions differ (Zcash v1-v5 with shielded parts; Bitcoin legacy and BIP-144
// segwit). A network's parameters name the format (`NetworkParams.family`) and the codec passes it here.

export type ChainFormat = 'zcash' | 'bitcoin';

/** Largest block each chain parses (consensus): Zcash MAX_BLOCK_BYTES 2,000,000; Bitcoin 4,000,000 serialized bytes (the weight limit). */
export const MAX_BLOCK_BYTES_BY_FORMAT: Readonly<Record<ChainFormat, number>> = { zcash: 2_000_000, bitcoin: 4_000_000 };

/**
 * Zebra's preallocation bound for a list inside a block: (MAX_BLOCK_BYTES − 1) / smallest item size.
 * Counts above it are refused before anything is allocated; the reader also checks the bytes left.
 */
export function preallocationLimit(format: ChainFormat, minItemLength: number): number {
  return Math.floor((MAX_BLOCK_BYTES_BY_FORMAT[format] - 1) / minItemLength);
}
