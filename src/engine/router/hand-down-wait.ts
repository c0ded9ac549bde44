// The one wait of a routed peer's hand-down loop (routed-peer.ts), for a wire with its own scheduler:
// every queued channel is full on the wire, so the loop sleeps until the wire frees room, a message is
// queued, the peer stops, or the stall deadline passes. Why a class of its own: under a saturated link
// the loop blocks and wakes thousands of times a second, and a deadline per wait (an AbortController,
// its listeners, a timer) was about a third of the objects the sending node's full collections freed;
// it ran a full mark-compact every ~100 ms (43 in one router priority figure, 3 with V8's
// allocation-site pretenuring off, 26-33 after this change; BENCHMARKS.md). Here a wait costs at most
// one promise and the two wake-up subscriptions; one watchdog timer per peer checks the stall
// deadline, re-armed only when it fires early.

import type { Clock, Timer } from '../../core/clock.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { ChannelScheduler } from '../../transport/types.ts';

/** Where a new message is announced: the peer's send queue (peer-send-queue.ts). */
export interface OfferSource {
  nextOffer(): Promise<void>;
}

export class HandDownWait {
  private readonly scheduler: ChannelScheduler;
  private readonly offers: OfferSource;
  private readonly clock: Clock;
  private readonly stallTimeoutMs: number;
  /** Names the peer in the stall error. */
  private readonly peer: string;
  private wake: { promise: Promise<void>; resolve: () => void } | undefined;
  private roomArmed = false;
  private offerArmed = false;
  /** When the loop last went from handing messages down to blocked (undefined while it is not). */
  private blockedSince: number | undefined;
  private watchdog: Timer | undefined;
  private stalled: PeerwireError | undefined;
  private ended = false;

  constructor(
    scheduler: ChannelScheduler,
    offers: OfferSource,
    clock: Clock,
    stallTimeoutMs: number,
    peer: string,
    stop: AbortSignal,
  ) {
    this.scheduler = scheduler;
    this.offers = offers;
    this.clock = clock;
    this.stallTimeoutMs = stallTimeoutMs;
    this.peer = peer;
    if (stop.aborted) this.end();
    else stop.addEventListener('abort', () => this.end(), { once: true });
  }

  /** A message went down to the wire: the stall deadline starts again at the next block. */
  progressed(): void {
    this.blockedSince = undefined;
  }

  /**
   * Waits until the wire frees room, a message is queued or the peer stops (the caller checks its
   * signal). Throws ERR_STALLED once the loop has been blocked, without handing anything down, for the
   * stall timeout.
   */
  async blocked(): Promise<void> {
    this.throwIfStalled();
    if (this.ended) return;
    const now = this.clock.now();
    this.blockedSince ??= now;
    if (this.watchdog === undefined) this.arm(now);
    await this.next();
    this.throwIfStalled();
  }

  private throwIfStalled(): void {
    if (this.stalled !== undefined) throw this.stalled;
  }

  /** One promise settled by whichever comes first; each source is subscribed at most once at a time. */
  private next(): Promise<void> {
    if (this.wake === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.wake = { promise, resolve };
    }
    if (!this.roomArmed) {
      this.roomArmed = true;
      void this.scheduler.roomFreed().then(this.onRoomFreed);
    }
    if (!this.offerArmed) {
      this.offerArmed = true;
      void this.offers.nextOffer().then(this.onOffer);
    }
    return this.wake.promise;
  }

  private readonly onRoomFreed = (): void => {
    this.roomArmed = false;
    this.fire();
  };

  private readonly onOffer = (): void => {
    this.offerArmed = false;
    this.fire();
  };

  private arm(now: number): void {
    const elapsed = now - this.blockedSince!;
    this.watchdog = this.clock.setTimer(Math.max(1, this.stallTimeoutMs - elapsed), this.onWatchdog);
  }

  private readonly onWatchdog = (): void => {
    this.watchdog = undefined;
    if (this.blockedSince === undefined || this.ended) return; // not blocked now: the next block re-arms
    const now = this.clock.now();
    if (now - this.blockedSince < this.stallTimeoutMs) {
      this.arm(now);
      return;
    }
    const timeout = new PeerwireError(
      ErrorCode.Timeout,
      `send queue of ${this.peer} timed out after ${this.stallTimeoutMs} ms`,
      { action: 'transient' },
    );
    this.stalled = new PeerwireError(ErrorCode.Stalled, `peer ${this.peer} stopped reading`, {
      cause: timeout,
    });
    this.fire();
  };

  private fire(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.resolve();
  }

  /** The peer stopped: no timer is left behind, and a waiting loop wakes to see its signal. */
  private end(): void {
    this.ended = true;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    this.fire();
  }
}
