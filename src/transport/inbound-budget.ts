// A per-peer inbound budget: token buckets over received messages and bytes. A wire charges each
// chunk it has read (the messages decoded from it and its size) and gets back how long to stop reading
// the socket; it never buffers to throttle, so a flooding peer fills its own TCP window and then waits,
// and the victim spends at most the budget's worth of decoding on it. Tokens may go negative (a chunk
// is charged after it is read, never split), which the pause then pays back.
//
// A peer that stays over its *message* budget continuously for `floodAfterMs` is flooding: every
// chunk read after a pause put it straight back into debt, so it always had more queued than the
// budget allows. A pause that pays back debt counts as over budget: one huge chunk can put a peer
// in debt for longer than the window, and the verdict is then due while it is still paused. Bytes alone never make a flood (a block download may be limited by bytes for a long
// time and still be honest). The wire then closes the connection with ERR_PEER_FLOOD, action `ban`.
//
// The buckets hold one burst each and refill continuously; time comes from the injected clock.

import type { Clock } from '../core/clock.ts';
import { PeerwireError } from '../core/errors.ts';

/** Error code of a connection closed for a sustained flood. */
export const ERR_PEER_FLOOD = 'ERR_PEER_FLOOD';

export interface InboundBudgetOptions {
  /** Messages per second sustained. */
  readonly messagesPerSecond: number;
  /** Messages accepted at once after an idle period. */
  readonly messageBurst: number;
  /** Bytes per second sustained; Infinity = no byte budget (the wire may limit bytes elsewhere). */
  readonly bytesPerSecond: number;
  /** Bytes accepted at once after an idle period. */
  readonly byteBurst: number;
  /** Continuously over the message budget for this long (ms) = a flood. */
  readonly floodAfterMs: number;
}

export class InboundBudget {
  private readonly options: InboundBudgetOptions;
  private readonly clock: Clock;
  private messageTokens: number;
  private byteTokens: number;
  private lastRefill: number;
  /** When the message bucket last went into debt without coming out since; undefined when in credit. */
  private overSince: number | undefined;

  constructor(options: InboundBudgetOptions, clock: Clock) {
    this.options = options;
    this.clock = clock;
    this.messageTokens = options.messageBurst;
    this.byteTokens = options.byteBurst;
    this.lastRefill = clock.now();
  }

  /**
   * Messages one turn of the event loop may decode now: what the bucket holds, at most a tenth of a
   * second's rate, so even a full burst is spread over turns and other peers are served in between.
   * A wire that can stop mid-chunk decodes this many, leaves the rest buffered (reading paused), and
   * charges with `backlog` true.
   */
  turnAllowance(): number {
    this.refill();
    return Math.max(0, Math.min(Math.floor(this.messageTokens), this.turnBatch()));
  }

  /** Ms until a whole turn's batch is in the bucket (at least 1: the next turn). */
  msUntilTurn(): number {
    this.refill();
    const missing = this.turnBatch() - this.messageTokens;
    return missing <= 0 ? 1 : Math.ceil((missing * 1000) / this.options.messagesPerSecond);
  }

  /**
   * Charges what was just read; returns how long to stop reading (ms; 0 = read on). `backlog`: decoded
   * messages are still waiting because the allowance ran out (the peer wants more than its budget).
   */
  charge(messages: number, bytes: number, backlog = false): number {
    const now = this.refill();
    this.messageTokens -= messages;
    if (Number.isFinite(this.options.bytesPerSecond)) this.byteTokens -= bytes;
    if (this.messageTokens < 0 || (backlog && this.messageTokens < 1)) this.overSince ??= now;
    // The streak ends only when the peer leaves a whole turn's allowance unused: a flooder read at the
    // budget's pace never does, even between two chunks.
    else if (!backlog && this.messageTokens >= this.turnBatch()) this.overSince = undefined;
    const messageWait = this.messageTokens < 0 ? (-this.messageTokens * 1000) / this.options.messagesPerSecond : 0;
    const byteWait =
      this.byteTokens < 0 && Number.isFinite(this.options.bytesPerSecond)
        ? (-this.byteTokens * 1000) / this.options.bytesPerSecond
        : 0;
    const wait = Math.max(messageWait, byteWait);
    return wait <= 0 ? 0 : Math.ceil(wait);
  }

  /**
   * Ms until the flood verdict is due while the peer stays over its budget (undefined when it is not
   * over). A wire pausing a peer for longer than this checks `flooding()` then, not only when the peer
   * is read again: a flooder whose debt outlasts the window is judged when the window ends.
   */
  msUntilVerdict(): number | undefined {
    if (this.overSince === undefined) return undefined;
    return Math.max(0, this.overSince + this.options.floodAfterMs - this.clock.now());
  }

  /** True once the peer has been over its message budget continuously for floodAfterMs. */
  flooding(): boolean {
    return this.overSince !== undefined && this.clock.now() - this.overSince >= this.options.floodAfterMs;
  }

  /** The typed error a wire closes a flooding connection with. */
  floodError(): PeerwireError {
    return new PeerwireError(
      ERR_PEER_FLOOD,
      `peer sent more than ${this.options.messagesPerSecond} messages/s for ${this.options.floodAfterMs} ms`,
      { action: 'ban' },
    );
  }

  private turnBatch(): number {
    return Math.max(1, Math.ceil(this.options.messagesPerSecond / 10));
  }

  private refill(): number {
    const now = this.clock.now();
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.lastRefill = now;
      const o = this.options;
      this.messageTokens = Math.min(o.messageBurst, this.messageTokens + (elapsed * o.messagesPerSecond) / 1000);
      this.byteTokens = Math.min(o.byteBurst, this.byteTokens + (elapsed * o.bytesPerSecond) / 1000);
    }
    return now;
  }
}
