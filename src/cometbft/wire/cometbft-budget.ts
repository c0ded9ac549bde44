// The CometBFT wire's default per-peer inbound packet budget (transport/inbound-budget.ts). Bytes are
// already limited by `recv_rate` (the MConnection rate limiter, 5,120,000 B/s by default), so the
// budget counts packets, pings and pongs included — a 3-byte PacketPing costs us a decode however
// small it is, and 341 of them fit in one 1,024-byte SecretConnection frame.
//
// What real peers send: one ping per minute (`ping_interval`), consensus messages of the order of a
// few votes and HasVote notes per validator per height (hundreds per height on a 150-validator chain,
// in bursts at each step), block parts of 64 KiB, and mempool transactions (tens per second on busy
// chains). 2,000 packets/s with a 4,000 burst is several times all of that together; a peer that stays
// over it for 10 s is a flood (banned).

import type { InboundBudgetOptions } from '../../transport/inbound-budget.ts';

export const COMETBFT_INBOUND_BUDGET: InboundBudgetOptions = Object.freeze({
  messagesPerSecond: 2_000,
  messageBurst: 4_000,
  bytesPerSecond: Number.POSITIVE_INFINITY,
  byteBurst: Number.POSITIVE_INFINITY,
  floodAfterMs: 10_000,
});
