// Reusable buffers for the MConnection pump's sealed writes: each flush seals up to 64 KiB of packets
// into one buffer for one socket write (mconnection-pump.ts). A fresh buffer per flush was one byte of
// new ArrayBuffer memory per byte sent; the TCP link hands a buffer back (ByteLink.write's release) as
// soon as the kernel has its bytes, which on a paced link is within the write itself, so a busy
// connection cycles through one or two. Shared by the process and bounded: nothing per connection, at
// most POOLED_BATCHES idle buffers. A link that keeps references (the in-memory link) never hands one
// back, and its flushes simply allocate.

import { FrameSealer } from './secret-connection/frame-sealer.ts';

/** Idle buffers kept: a few connections flushing in one turn each get one; more is memory for nothing. */
const POOLED_BATCHES = 8;
/**
 * Smallest sealed write taken from the pool (bytes): below it a write comes from Node's 8 KiB pool,
 * which costs no ArrayBuffer of its own either (a vote, a pong).
 */
const POOL_FROM_BYTES = 4 * 1024;

export class SealedBatchPool {
  /** Capacity of every pooled buffer: a full batch of `batchBytes` sealed. */
  readonly capacity: number;
  private readonly idle: ArrayBuffer[] = [];

  constructor(batchBytes: number) {
    this.capacity = FrameSealer.sealedLength(batchBytes);
  }

  /** A buffer to seal `sealedBytes` into, or undefined when the sealer should allocate its own. */
  take(sealedBytes: number): Buffer | undefined {
    if (sealedBytes < POOL_FROM_BYTES || sealedBytes > this.capacity) return undefined;
    const memory = this.idle.pop() ?? Buffer.allocUnsafeSlow(this.capacity).buffer;
    return Buffer.from(memory, 0, this.capacity);
  }

  /** ByteLink.write's release: the link is done with a buffer that take() gave out. */
  readonly release = (chunk: Buffer): void => {
    const memory = chunk.buffer;
    if (memory.byteLength !== this.capacity || chunk.byteOffset !== 0) return; // not one of ours
    if (this.idle.length < POOLED_BATCHES) this.idle.push(memory as ArrayBuffer);
  };

  /** Idle buffers held (tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}
