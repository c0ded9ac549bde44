// The Zcash wire's default per-peer inbound budget (transport/inbound-budget.ts): how many messages
// and bytes one peer may make us read per second before we read it more slowly, and how long it may
// stay over before it counts as a flood.

import type { InboundBudgetOptions } from '../../transport/inbound-budget.ts';

/**
 * The default per-peer inbound budget. Real Zcash peers send few messages: a ping every 2 min (zcashd)
 * or 1 min (Zebra), a handful of inv/getdata per new block or transaction (a few per second on
 * mainnet), and during sync one `headers` or up to 16 `block`s in flight. 1,000 messages/s with a
 * 2,000 burst is far above any of that. Bytes: 10,240,000 B/s (twice CometBFT's recv_rate) with a
 * burst that holds one largest message (2 MiB body) so a block is never split across pauses. A peer
 * continuously over its message budget for 10 s is a flood (banned).
 */
export const ZCASH_INBOUND_BUDGET: InboundBudgetOptions = Object.freeze({
  messagesPerSecond: 1_000,
  messageBurst: 2_000,
  bytesPerSecond: 10_240_000,
  byteBurst: 4 * 1024 * 1024,
  floodAfterMs: 10_000,
});
