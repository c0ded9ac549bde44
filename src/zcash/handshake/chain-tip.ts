// What the handshake needs to know about our chain (Zebra's ChainTip): the best tip height, which
// picks the network upgrade whose minimum peer version applies (docs/protocols/zcash.md §3.3) and fills `start_height`
// in our version message, and optionally an estimate of the network's tip, which tells whether we
// are still syncing (then outbound peers must serve blocks, §3.1 step 5).

export interface ChainTip {
  /** Height of our best chain tip, or undefined before we have one (then height 0 rules apply). */
  bestTipHeight(): number | undefined;
  /**
   * Estimated height of the network's tip (Zebra estimates it from the tip's time and the target
   * spacing). Undefined when unknown: we are then not considered to be syncing.
   */
  estimatedNetworkTipHeight?(): number | undefined;
}

/** No chain: start height 0, minimum versions of height 0, never syncing. (Zebra NoChainTip.) */
export const noChainTip: ChainTip = { bestTipHeight: () => undefined };

/** A fixed tip, for tests and tools. */
export function fixedChainTip(height: number | undefined, estimatedNetworkTip?: number): ChainTip {
  return {
    bestTipHeight: () => height,
    estimatedNetworkTipHeight: () => estimatedNetworkTip,
  };
}

/**
 * Zebra AT_OR_NEAR_TIP_THRESHOLD (zebra-chain chain_tip.rs): within 1000 blocks of the estimated
 * network tip we count as synced. Below that, a peer that cannot serve blocks is useless to us.
 */
export const AT_OR_NEAR_TIP_THRESHOLD = 1000;

/** True when the tip is known, an estimate is known, and we are more than the threshold behind. */
export function isSyncing(tip: ChainTip): boolean {
  const best = tip.bestTipHeight();
  const network = tip.estimatedNetworkTipHeight?.();
  if (network === undefined) return false;
  return network - (best ?? 0) > AT_OR_NEAR_TIP_THRESHOLD;
}
