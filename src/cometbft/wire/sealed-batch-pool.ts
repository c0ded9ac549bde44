// Reusable buffers for the MConnection pump's sealed writes: each flush seals up to 64 KiB of packets
// into one buffer for one socket write (mconnection-pump.ts). A fresh buffer per flush was one byte of
// new ArrayBuffer memory per byte sent; the TCP link hands a buffer back (ByteLink.write's release) as
// soon as the kernel has its bytes, which on a paced link is within the write itself, so a busy
// connection cycles through one or two. Two sizes, so that a paced link's small writes (a few frames
// each while votes share it with bulk) are not served from Node's 8 KiB pool either: that pool is new
// ArrayBuffer memory too, one byte per byte written (reusable-buffers.ts says why that matters). A link
// that keeps references (the in-memory link) never hands one back, and its flushes allocate as before.

import { ReusableBuffers } from '../../transport/reusable-buffers.ts';
import { FrameSealer } from './secret-connection/frame-sealer.ts';

/** Idle buffers kept per size: a few connections flushing in one turn each get one; more is memory for nothing. */
const POOLED_BATCHES = 8;
/**
 * Plaintext bytes of the small size (4 sealed frames): what a paced write carries while a vote channel
 * shares the link (measured: 1-4 KiB writes), so an unreturned one costs at most 4 KiB.
 */
const SMALL_BATCH_BYTES = 4 * 1024;

export class SealedBatchPool {
  /** Capacity of a full-batch buffer: a full batch of `batchBytes` sealed. */
  readonly capacity: number;
  private readonly small: ReusableBuffers;
  private readonly full: ReusableBuffers;

  constructor(batchBytes: number) {
    this.capacity = FrameSealer.sealedLength(batchBytes);
    this.small = new ReusableBuffers(
      FrameSealer.sealedLength(Math.min(SMALL_BATCH_BYTES, batchBytes)),
      POOLED_BATCHES,
    );
    this.full = new ReusableBuffers(this.capacity, POOLED_BATCHES);
  }

  /** A buffer of exactly `sealedBytes` to seal into, or undefined when the sealer should allocate its own. */
  take(sealedBytes: number): Buffer | undefined {
    return sealedBytes <= this.small.capacity ? this.small.take(sealedBytes) : this.full.take(sealedBytes);
  }

  /** ByteLink.write's release: the link is done with a buffer that take() gave out. */
  readonly release = (chunk: Buffer): void => {
    if (chunk.buffer.byteLength === this.small.capacity) this.small.give(chunk);
    else this.full.give(chunk);
  };

  /** Idle buffers held, both sizes (tests). */
  get idleCount(): number {
    return this.small.idleCount + this.full.idleCount;
  }
}
