// Write buffers taken, filled, written and given back once the socket holds no reference to them.
// Every new ArrayBuffer's bytes are external memory to V8, and V8 11 (Node 20) counts the external
// memory allocated since its last mark-compact against the old generation's limit: a connection that
// writes each batch from a buffer of its own, at tens of MB/s, made V8 mark-compact its small heap every
// few hundred milliseconds (BENCHMARKS.md, "Where a slow round trip's time goes"). Buffers of one size,
// shared by the process and bounded: a writer that does not get a buffer back (the socket kept it, or the
// link never releases) just leaves it to the collector, as before. New buffers are made at a bounded
// rate: a node writing to a thousand peers in one turn takes a buffer per peer before the first comes
// back, and a new 4-64 KiB ArrayBuffer for each would cost more than the few bytes each write needs, so
// past the bound `take` says no and the writer allocates as it would without a pool.

/** Window in which at most `maxIdle` new buffers are made (ms): losses are replaced, bursts are not fed. */
const CREATION_WINDOW_MS = 1000;

export class ReusableBuffers {
  /** Size of every buffer handed out (bytes). */
  readonly capacity: number;
  private readonly maxIdle: number;
  private readonly idle: ArrayBuffer[] = [];
  /** Buffers made since `windowStart` (performance.now() ms). */
  private created = 0;
  private windowStart = -Infinity;

  /** `maxIdle`: buffers kept between uses; more would be memory held for nothing. */
  constructor(capacity: number, maxIdle: number) {
    this.capacity = capacity;
    this.maxIdle = maxIdle;
  }

  /**
   * The first `bytes` bytes of a buffer of `capacity` bytes (a view of exactly the size asked for, so the
   * writer makes no second one); undefined when `bytes` does not fit one, or when none is idle and
   * `maxIdle` new ones were made in the last CREATION_WINDOW_MS.
   */
  take(bytes: number): Buffer | undefined {
    if (bytes > this.capacity) return undefined;
    let memory = this.idle.pop();
    if (memory === undefined) {
      const now = performance.now();
      if (now - this.windowStart >= CREATION_WINDOW_MS) {
        this.windowStart = now;
        this.created = 0;
      }
      if (this.created >= this.maxIdle) return undefined;
      this.created++;
      memory = Buffer.allocUnsafeSlow(this.capacity).buffer;
    }
    return Buffer.from(memory, 0, bytes);
  }

  /**
   * Gives back a buffer from `take` (or a view of its start): nothing may read or write it afterwards.
   * Give back only what `take` handed out: a view that does not start a buffer of `capacity` bytes is
   * ignored, but a foreign buffer of that size (a slab of Node's own pool on Node 24) would be taken in.
   */
  readonly give = (chunk: Uint8Array): void => {
    const memory = chunk.buffer;
    if (memory.byteLength !== this.capacity || chunk.byteOffset !== 0) return; // not one of ours
    if (this.idle.length < this.maxIdle) this.idle.push(memory as ArrayBuffer);
  };

  /** Buffers waiting to be taken again (tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}
