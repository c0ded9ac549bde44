// Write buffers taken, filled, written and given back once the socket holds no reference to them.
// Every new ArrayBuffer's bytes are external memory to V8, and V8 11 (Node 20) counts the external
// memory allocated since its last mark-compact against the old generation's limit: a connection that
// writes each batch from a buffer of its own, at tens of MB/s, made V8 mark-compact its small heap every
// few hundred milliseconds (BENCHMARKS.md, "Where a slow round trip's time goes"). Buffers of one size,
// shared by the process and bounded: a writer that does not get a buffer back (the socket kept it, or the
// link never releases) just leaves it to the collector, as before.

export class ReusableBuffers {
  /** Size of every buffer handed out (bytes). */
  readonly capacity: number;
  private readonly maxIdle: number;
  private readonly idle: ArrayBuffer[] = [];

  /** `maxIdle`: buffers kept between uses; more would be memory held for nothing. */
  constructor(capacity: number, maxIdle: number) {
    this.capacity = capacity;
    this.maxIdle = maxIdle;
  }

  /** A buffer of `capacity` bytes to fill from its start, or undefined when `bytes` does not fit one. */
  take(bytes: number): Buffer | undefined {
    if (bytes > this.capacity) return undefined;
    const memory = this.idle.pop() ?? Buffer.allocUnsafeSlow(this.capacity).buffer;
    return Buffer.from(memory, 0, this.capacity);
  }

  /**
   * Gives back a buffer from `take` (or a view of its start): nothing may read or write it afterwards.
   * Anything else is ignored, so a caller may give back whatever it wrote.
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
