// One direction of an in-process link: the chunks one MemoryLink wrote and the other has not yet
// received, with the link's simulated physics applied per chunk. With no faults a chunk is delivered in
// the writer's flush (same tick). With a delay each chunk is held `delayMs`; with a bandwidth cap each
// chunk finishes "transmission" no sooner than its size allows after the previous one (large chunks are
// split into segments so delivery is smooth); order is always kept. The bytes held here count as the
// writer's buffered bytes, so a paused or slow receiver pushes back on the writer exactly like TCP.

import type { Clock, Timer } from '../core/clock.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { LinkFaults } from './memory-faults.ts';

/** Under a bandwidth cap, chunks are delivered in segments of at most this many bytes. */
const BANDWIDTH_SEGMENT_BYTES = 16 * 1024;

/** What a pipe needs from the links at its two ends. */
export interface PipeEnd {
  /** True when the receiving end is attached, not paused and not closed. */
  canReceive(): boolean;
  readonly isClosed: boolean;
  receive(chunk: Buffer): void;
  /** The writer ended gracefully and everything was delivered. */
  receiveEnd(): void;
  /** The link broke (linger expired): fail with this reason. */
  receiveReset(reason: PeerwireError): void;
  /** Bytes left the pipe: the writer may be below its high-water mark again. */
  notifyDrained(): void;
}

export class MemoryPipe {
  /** Bytes written and not yet delivered. */
  bytes = 0;
  private chunks: (Buffer | undefined)[] = [];
  private times: number[] = [];
  private head = 0;
  private lastTxEnd = 0;
  private ending = false;
  private dead = false;
  private timer: Timer | undefined;
  private lingerTimer: Timer | undefined;
  private pumpScheduled = false;
  private readonly clock: Clock;
  private readonly faults: () => LinkFaults;
  private readonly from: PipeEnd;
  private readonly to: PipeEnd;
  private readonly pumpBound = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  constructor(clock: Clock, faults: () => LinkFaults, from: PipeEnd, to: PipeEnd) {
    this.clock = clock;
    this.faults = faults;
    this.from = from;
    this.to = to;
  }

  /** Takes one flush worth of chunks from the writer (the array is reused by the caller). */
  push(chunks: readonly Buffer[]): void {
    if (this.dead || this.ending) return;
    const { delayMs = 0, bandwidthBytesPerSec = 0 } = this.faults();
    const shaped = delayMs > 0 || bandwidthBytesPerSec > 0;
    const now = shaped ? this.clock.now() : 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (!shaped) {
        this.append(chunk, 0);
      } else if (bandwidthBytesPerSec > 0) {
        for (let offset = 0; offset < chunk.length; offset += BANDWIDTH_SEGMENT_BYTES) {
          const segment =
            chunk.length <= BANDWIDTH_SEGMENT_BYTES
              ? chunk
              : chunk.subarray(offset, offset + BANDWIDTH_SEGMENT_BYTES);
          const txEnd = Math.max(now, this.lastTxEnd) + (segment.length * 1000) / bandwidthBytesPerSec;
          this.lastTxEnd = txEnd;
          this.append(segment, txEnd + delayMs);
        }
      } else {
        this.append(chunk, now + delayMs);
      }
    }
    this.pump();
  }

  /** Delivers on the next tick (after a resume or attach: never re-enters the caller). */
  schedulePump(): void {
    if (this.pumpScheduled || this.dead) return;
    this.pumpScheduled = true;
    process.nextTick(this.pumpBound);
  }

  /** The writer closed gracefully: deliver what is queued, then end; reset if it takes over `lingerMs`. */
  end(lingerMs: number): void {
    if (this.dead || this.ending) return;
    this.ending = true;
    if (this.length > 0) {
      this.lingerTimer = this.clock.setTimer(lingerMs, () => {
        this.lingerTimer = undefined;
        if (this.dead) return;
        this.reset();
        this.to.receiveReset(
          new PeerwireError(ErrorCode.ConnectionFailed, 'connection reset: linger time expired', {
            action: 'transient',
          }),
        );
      });
    }
    this.pump();
  }

  /** Drops everything at once (a side closed with an error, or the link was cut). */
  reset(): void {
    this.dead = true;
    this.chunks = [];
    this.times = [];
    this.head = 0;
    this.bytes = 0;
    this.timer?.cancel();
    this.timer = undefined;
    this.lingerTimer?.cancel();
    this.lingerTimer = undefined;
  }

  private get length(): number {
    return this.chunks.length - this.head;
  }

  private append(chunk: Buffer, at: number): void {
    this.chunks.push(chunk);
    this.times.push(at);
    this.bytes += chunk.length;
  }

  private pump(): void {
    if (this.dead) return;
    if (this.to.isClosed) {
      this.reset();
      this.from.notifyDrained();
      return;
    }
    const before = this.bytes;
    while (this.head < this.chunks.length && this.to.canReceive()) {
      const at = this.times[this.head]!;
      if (at > 0) {
        const wait = at - this.clock.now();
        if (wait > 0) {
          if (this.timer === undefined) {
            this.timer = this.clock.setTimer(Math.ceil(wait), () => {
              this.timer = undefined;
              this.pump();
            });
          }
          break;
        }
      }
      const chunk = this.chunks[this.head]!;
      this.chunks[this.head] = undefined;
      this.head++;
      this.bytes -= chunk.length;
      this.to.receive(chunk);
      if (this.dead) return;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.times.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Compact once the consumed prefix dominates, keeping delivery O(1) amortised.
      this.chunks = this.chunks.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.ending && this.length === 0) {
      this.reset();
      this.to.receiveEnd();
    }
    if (this.bytes < before) this.from.notifyDrained();
  }
}
