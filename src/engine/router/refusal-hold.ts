// How long a refused inbound connection is held before its socket is closed (a quiet refusal: the
// socket stays open, unread and silent, ByteLink.close with holdMs). An attacker whose sockets reconnect
// as soon as they are dropped keeps the kernel's accept queue full when every refusal closes at once:
// the victim then spends its time accepting and closing, and an honest dialer's SYN is dropped and
// retried by its kernel only after 1 s, then 3 s. Held, each attacker socket costs one refusal per
// hold instead of one per round trip, and the accept queue stays short for honest dialers.
//
// Each hold lasts a random time between half of `holdMs` and all of it: with one fixed duration the
// attacker's sockets, refused together, would all come back together and overflow the accept queue
// in one wave.
//
// The descriptors held at once are bounded: at most `max` holds started within the last `holdMs`
// (a ring of their start times, so the bound is exact whatever the clock does); past it a refusal
// closes at once, as it did before.

import type { Clock } from '../../core/clock.ts';

export class RefusalHold {
  private readonly holdMs: number;
  private readonly starts: Float64Array;
  private readonly clock: Clock;
  private readonly random: () => number;
  private head = 0;
  private size = 0;

  /** `holdMs` 0 (or `max` 0) turns holding off: every refusal closes at once. */
  constructor(holdMs: number, max: number, clock: Clock, random: () => number = Math.random) {
    this.holdMs = max > 0 ? holdMs : 0;
    this.starts = new Float64Array(Math.max(1, max));
    this.clock = clock;
    this.random = random;
  }

  /** Sockets that may still be held (holds started within the last holdMs). */
  get held(): number {
    this.expire(this.clock.now());
    return this.size;
  }

  /**
   * The hold for the next refused connection (ms): between holdMs / 2 and holdMs while under the
   * bound, else 0 (close now).
   */
  next(): number {
    if (this.holdMs <= 0) return 0;
    const now = this.clock.now();
    this.expire(now);
    const capacity = this.starts.length;
    if (this.size >= capacity) return 0;
    this.starts[(this.head + this.size) % capacity] = now;
    this.size++;
    return Math.max(1, Math.round(this.holdMs * (0.5 + this.random() / 2)));
  }

  private expire(now: number): void {
    const capacity = this.starts.length;
    while (this.size > 0 && now - this.starts[this.head]! >= this.holdMs) {
      this.head = (this.head + 1) % capacity;
      this.size--;
    }
  }
}
