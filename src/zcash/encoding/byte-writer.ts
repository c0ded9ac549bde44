// A growable output buffer for message encoding. The encoder reserves the 24-byte frame header at the
// front, writes the body after it, then fills the header in place, so a frame leaves as one buffer
// (one socket write, no concatenation). Growth doubles and is bounded by the caller's size limit.

import { encodeError } from './errors.ts';

const utf8 = new TextEncoder();

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length: number;

  /** @param initialCapacity bytes to allocate up front (default 256: most control messages fit). */
  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
    this.length = 0;
  }

  /** Makes room for `n` more bytes. */
  private reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < needed) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16be(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, false);
    this.length += 2;
  }

  u16le(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32le(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  u64le(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true);
    this.length += 8;
  }

  i64le(v: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v), true);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Writes `n` bytes of `b`, which must have exactly that length (hashes, fixed fields). */
  fixed(b: Uint8Array, n: number, what: string): void {
    if (b.length !== n) throw encodeError(`${what} must be ${n} bytes, got ${b.length}`);
    this.bytes(b);
  }

  compactSize(v: number | bigint): void {
    const n = BigInt(v);
    if (n < 0n || n > 0xffffffffffffffffn) throw encodeError(`CompactSize out of range: ${n}`);
    if (n < 0xfdn) this.u8(Number(n));
    else if (n <= 0xffffn) {
      this.u8(0xfd);
      this.u16le(Number(n));
    } else if (n <= 0xffffffffn) {
      this.u8(0xfe);
      this.u32le(Number(n));
    } else {
      this.u8(0xff);
      this.u64le(n);
    }
  }

  varStr(s: string, max: number, what: string): void {
    const b = utf8.encode(s);
    if (b.length > max)
      throw encodeError(`${what} too long: ${b.length} bytes, must be ${max} bytes or less`);
    this.compactSize(b.length);
    this.bytes(b);
  }

  /** Writes a u32le at an absolute position already inside the buffer. */
  setU32le(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  setBytes(at: number, b: Uint8Array): void {
    this.buf.set(b, at);
  }

  /** Skips `n` zeroed bytes (space for a header written later). */
  zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  /** The written bytes (a view of the internal buffer; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
