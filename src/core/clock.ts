// An injectable clock. Pure state machines (the peer manager, handshakes, heartbeats) read time only
// through a Clock, so tests drive hours of backoff and eviction in milliseconds with ManualClock while
// the node uses RealClock. Times are milliseconds since the Unix epoch (they are persisted in the
// peer store, so they must mean the same thing after a restart).

import { abortReason } from './abort.ts';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds unless cancelled. */
  setTimer(ms: number, callback: () => void): Timer;
  /** Resolves after `ms` milliseconds; rejects with a typed error when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A sleep built on any clock's setTimer: resolves after `ms`, rejects with the typed abort error. */
export function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal!));
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(ms: number, callback: () => void): Timer {
    const handle = setTimeout(callback, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

export const realClock: Clock = new RealClock();

/**
 * A clock whose wall time is off by a fixed amount (timers are unchanged): simulates a host with a
 * wrong clock (the network lab's clock-skew scenario, `clock_offset`). Durations measured with it are
 * exact; only the epoch times it reports (and persists, and sends in timestamps) are shifted.
 */
export class OffsetClock implements Clock {
  private readonly base: Clock;
  /** Milliseconds added to the base clock's now(); negative for a clock that runs behind. */
  readonly offsetMs: number;

  constructor(base: Clock, offsetMs: number) {
    this.base = base;
    this.offsetMs = offsetMs;
  }

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  setTimer(ms: number, callback: () => void): Timer {
    return this.base.setTimer(ms, callback);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
}

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. `advance(ms)` fires due timers in time order (ties in the
 * order they were set) and lets promise continuations run between them, so code awaiting a sleep
 * observes the time at which it woke.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  /** Starts at 2024-01-01T00:00:00Z by default: a realistic epoch, so persisted times look real. */
  constructor(startMs = 1_704_067_200_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): Timer {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of timers still waiting to fire. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.current = Math.max(this.current, next.at);
      next.cancelled = true;
      next.callback();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Sets the time directly (only forwards), firing due timers. */
  async setTime(ms: number): Promise<void> {
    if (ms > this.current) await this.advance(ms - this.current);
  }
}

/** Lets queued promise continuations run (a few macrotask-free turns of the microtask queue). */
export async function flushMicrotasks(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
