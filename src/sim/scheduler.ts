// The simulation's one clock and one scheduler. Every timer of every node (heartbeats, PEX and crawl
// intervals, dial backoff, handshake deadlines, link delays) is a Clock timer here, ordered by
// (due time, creation order) in a binary heap, so the order of everything that happens is a function
// of the seed alone. After each timer fires the scheduler lets every promise continuation and
// process.nextTick that it caused run to completion (one setImmediate turn; nothing else may schedule
// macrotasks in a simulation) before the next timer: code awaiting a sleep observes the time it woke
// at, exactly as ManualClock does, but in O(log n) per timer for millions of timers.

import { sleepWith, type Clock, type Timer } from '../core/clock.ts';
import { EventKind, type EventLog } from './event-log.ts';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Cancelled entries kept in the heap before it is rebuilt without them (bounds memory under churn). */
const COMPACT_AFTER_CANCELLED = 50_000;

function earlier(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets every pending microtask and nextTick run (they all run before the next macrotask). */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SimScheduler implements Clock {
  private current: number;
  private seq = 0;
  private heap: Entry[] = [];
  private cancelledInHeap = 0;
  private readonly log: EventLog;
  /** Timers fired so far. */
  fired = 0;

  /** `startMs`: virtual wall-clock time at the start (persisted times look real). */
  constructor(log: EventLog, startMs = 1_704_067_200_000) {
    this.log = log;
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): Timer {
    const entry: Entry = { at: this.current + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.push(entry);
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.cancelledInHeap++;
        if (this.cancelledInHeap > COMPACT_AFTER_CANCELLED && this.cancelledInHeap * 2 > this.heap.length) {
          this.compact();
        }
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Timers waiting (cancelled ones excluded). */
  get pending(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  /**
   * Fires every timer due up to `untilMs` in order, draining continuations after each; then sets the
   * time to `untilMs`. `budget` bounds the timers fired in this call (a runaway loop ends the run
   * instead of hanging it); returns false when the budget ran out.
   */
  async runUntil(untilMs: number, budget = Number.POSITIVE_INFINITY): Promise<boolean> {
    let left = budget;
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.at > untilMs) break;
      this.pop();
      if (next.cancelled) {
        this.cancelledInHeap--;
        continue;
      }
      if (left-- <= 0) {
        this.push(next);
        return false;
      }
      this.current = next.at;
      next.cancelled = true;
      this.fired++;
      this.log.record(EventKind.Timer, next.at, next.seq);
      next.callback();
      await drainMicrotasks();
    }
    if (untilMs > this.current) this.current = untilMs;
    await drainMicrotasks();
    return true;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && earlier(heap[r]!, heap[l]!) ? r : l;
      if (!earlier(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }

  private compact(): void {
    const live = this.heap.filter((e) => !e.cancelled);
    this.heap = [];
    this.cancelledInHeap = 0;
    for (const entry of live) this.push(entry);
  }
}
