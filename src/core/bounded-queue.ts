// A bounded FIFO queue with a named overflow policy. Every queue in peerwire is one of these, so that
// no remote peer can grow memory without limit and every overflow is a decision with a name that is
// counted, never an accident. Items are never reordered. Consumers read with `next()` or
// `for await`; `close()` wakes every waiting reader and writer. Items must not be `undefined`.

import { abortReason } from './abort.ts';
import { ErrorCode, PeerwireError } from './errors.ts';
import { ITERATION_DONE, ReadIterator, type ReadOwner, type ReadSource } from './read-iterator.ts';

/**
 * What happens when the queue is full:
 * - `block`: the writer waits for space (backpressure reaches the producer);
 * - `drop-newest`: the new item is discarded and counted;
 * - `drop-oldest`: the oldest item is discarded and counted (for "latest state wins" data);
 * - `reject`: the write fails with ERR_QUEUE_FULL (the caller usually disconnects the peer).
 */
export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest' | 'reject';

export type OfferResult = 'accepted' | 'dropped' | 'full';

export interface BoundedQueueOptions<T> {
  /** Used in error messages. */
  readonly name: string;
  /** Maximum number of items. */
  readonly capacity: number;
  /** Optional byte budget, measured with `sizeOf`. An item larger than the budget is accepted only into an empty queue. */
  readonly maxBytes?: number;
  readonly sizeOf?: (item: T) => number;
  readonly policy: OverflowPolicy;
  /** Called for every item discarded by a drop policy. */
  readonly onDrop?: (item: T) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class BoundedQueue<T> implements AsyncIterable<T>, ReadSource<T> {
  readonly name: string;
  readonly capacity: number;
  readonly maxBytes: number;
  readonly policy: OverflowPolicy;
  private readonly sizeOf: ((item: T) => number) | undefined;
  private readonly onDrop: ((item: T) => void) | undefined;
  private items: T[] = [];
  private head = 0;
  private byteCount = 0;
  private dropCount = 0;
  private closeReason: PeerwireError | undefined;
  private readers: Waiter[] = [];
  private writers: Waiter[] = [];

  constructor(options: BoundedQueueOptions<T>) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `queue ${options.name}: capacity must be a positive integer`);
    }
    this.name = options.name;
    this.capacity = options.capacity;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.policy = options.policy;
    this.sizeOf = options.sizeOf;
    this.onDrop = options.onDrop;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Items discarded by a drop policy since creation. */
  get dropped(): number {
    return this.dropCount;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** True when one more item of `size` bytes would not fit. */
  wouldOverflow(size = 0): boolean {
    const length = this.length;
    if (length >= this.capacity) return true;
    return length > 0 && this.byteCount + size > this.maxBytes;
  }

  /**
   * Adds an item without waiting. `full` means the policy is `block` and there is no room: wait with
   * `waitForSpace` and offer again. Throws ERR_QUEUE_FULL under `reject`, ERR_CLOSED after close.
   */
  offer(item: T): OfferResult {
    if (this.closeReason !== undefined) throw this.closeReason;
    const size = this.sizeOf === undefined ? 0 : this.sizeOf(item);
    if (this.wouldOverflow(size)) {
      switch (this.policy) {
        case 'block':
          return 'full';
        case 'reject':
          throw new PeerwireError(ErrorCode.QueueFull, `queue ${this.name} is full`, {
            details: { capacity: this.capacity, length: this.length, bytes: this.byteCount },
          });
        case 'drop-newest':
          this.dropCount++;
          this.onDrop?.(item);
          return 'dropped';
        case 'drop-oldest':
          while (this.length > 0 && this.wouldOverflow(size)) {
            const old = this.shiftInternal();
            this.dropCount++;
            this.onDrop?.(old);
          }
          break;
      }
    }
    this.items.push(item);
    this.byteCount += size;
    const reader = this.readers.shift();
    reader?.resolve();
    return 'accepted';
  }

  /** Adds an item, waiting for room under the `block` policy. */
  async push(item: T, signal?: AbortSignal): Promise<OfferResult> {
    for (;;) {
      const result = this.offer(item);
      if (result !== 'full') return result;
      // Wait for room for this item's bytes, not just any room: otherwise a full byte budget with
      // free item slots resolves at once and the writer spins on microtasks, starving the event loop.
      await this.waitForSpace(signal, this.sizeOf === undefined ? 0 : this.sizeOf(item));
    }
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.shiftInternal();
    const writer = this.writers.shift();
    writer?.resolve();
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** Waits for an item; resolves undefined once the queue is closed and drained. */
  async next(signal?: AbortSignal): Promise<T | undefined> {
    for (;;) {
      if (this.length > 0) return this.shift();
      if (this.closeReason !== undefined) return undefined;
      await this.wait(this.readers, signal);
    }
  }

  /**
   * Resolves when an item of `size` bytes may fit (or the queue closes, in which case the next offer
   * throws). Writers are woken one per removed item and re-check.
   */
  waitForSpace(signal?: AbortSignal, size = 0): Promise<void> {
    if (this.closeReason !== undefined || !this.wouldOverflow(size)) return Promise.resolve();
    return this.wait(this.writers, signal);
  }

  /** Resolves when at least one item is queued or the queue is closed. */
  waitForItem(signal?: AbortSignal): Promise<void> {
    if (this.length > 0 || this.closeReason !== undefined) return Promise.resolve();
    return this.wait(this.readers, signal);
  }

  /**
   * Closes the queue: writers fail with ERR_CLOSED (or `reason`), readers drain what is left and then
   * see the end. `clear` discards queued items at once.
   */
  close(reason?: PeerwireError, clear = false): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason ?? new PeerwireError(ErrorCode.Closed, `queue ${this.name} closed`, { action: 'transient' });
    if (clear) {
      this.items = [];
      this.head = 0;
      this.byteCount = 0;
    }
    const waiters = [...this.readers, ...this.writers];
    this.readers = [];
    this.writers = [];
    for (const w of waiters) w.resolve();
  }

  /** Removes every queued item and returns them (used when a peer goes away). */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.byteCount = 0;
    for (const w of this.writers.splice(0)) w.resolve();
    return out;
  }

  /**
   * `for await` over the queue (read-iterator.ts: not an async generator, whose request queue and
   * resumptions were a sixth of the young-generation garbage of a routed round trip, BENCHMARKS.md).
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new ReadIterator(this);
  }

  /** @internal The iterator's step (ReadSource): the next item, waiting while empty; marks `owner` done at the end. */
  read(owner: ReadOwner | undefined): Promise<IteratorResult<T>> {
    if (this.length > 0) return Promise.resolve({ done: false, value: this.shift()! });
    if (this.closeReason !== undefined) {
      if (owner !== undefined) owner.done = true;
      return Promise.resolve(ITERATION_DONE);
    }
    return this.wait(this.readers).then(() => this.read(owner));
  }

  private shiftInternal(): T {
    const item = this.items[this.head] as T;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.sizeOf !== undefined) this.byteCount -= this.sizeOf(item);
    // Compact once the consumed prefix dominates, keeping shift O(1) amortised.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }

  private wait(list: Waiter[], signal?: AbortSignal): Promise<void> {
    if (signal === undefined) {
      // The common wait (an idle consumer): the promise's own functions, no wrapper closures.
      return new Promise<void>((resolve, reject) => {
        list.push({ resolve, reject });
      });
    }
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const index = list.indexOf(waiter);
        if (index >= 0) list.splice(index, 1);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      list.push(waiter);
    });
  }
}
