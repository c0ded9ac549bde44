// A bounds-checked cursor over one message body. Every read checks the remaining length first and
// throws a `disconnect` PeerwireError (never a RangeError), CompactSize values must be canonical
// (Zebra rejects `fd 01 00` for 1) and counts are checked against a per-item cap *and* against the
// bytes actually left before the caller allocates anything (docs/protocols/zcash.md §1.3, §2.13).

import { MAX_COMPACT_SIZE_COUNT } from './constants.ts';
import { malformed } from './errors.ts';

/** Read once: an imported binding can cost a getter call per read under the TypeScript loader. */
const MAX_COUNT = MAX_COMPACT_SIZE_COUNT;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Integers are assembled from bytes rather than through a DataView: creating a view per message
// costs more than the arithmetic on the small-message hot path.
export class ByteReader {
  readonly bytes: Uint8Array;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }

  private u32At(o: number): number {
    const b = this.bytes;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  private u64At(o: number): bigint {
    return (BigInt(this.u32At(o + 4)) << 32n) | BigInt(this.u32At(o));
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n > this.bytes.length - this.offset) {
      throw malformed(`unexpected end of body reading ${what} at offset ${this.offset} (need ${n}, have ${this.remaining})`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16be(what = 'u16'): number {
    this.need(2, what);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u32le(what = 'u32'): number {
    this.need(4, what);
    const v = this.u32At(this.offset);
    this.offset += 4;
    return v;
  }

  i64le(what = 'i64'): bigint {
    this.need(8, what);
    const v = BigInt.asIntN(64, this.u64At(this.offset));
    this.offset += 8;
    return v;
  }

  u64le(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.u64At(this.offset);
    this.offset += 8;
    return v;
  }

  /** A view into the body (no copy). Use for large payloads that live as long as the message. */
  sub(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A copy: small items (hashes, addresses) must not pin the socket chunk they arrived in. */
  copy(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.offset += n;
  }

  /** Canonical CompactSize as a bigint (any u64; used for addrv2 services). */
  compactSize64(what = 'CompactSize'): bigint {
    const first = this.u8(what);
    if (first < 0xfd) return BigInt(first);
    if (first === 0xfd) {
      const v = this.u16le(what);
      if (v < 0xfd) throw malformed(`non-canonical CompactSize in ${what} at offset ${this.offset}`);
      return BigInt(v);
    }
    if (first === 0xfe) {
      const v = this.u32le(what);
      if (v <= 0xffff) throw malformed(`non-canonical CompactSize in ${what} at offset ${this.offset}`);
      return BigInt(v);
    }
    const v = this.u64le(what);
    if (v <= 0xffffffffn) throw malformed(`non-canonical CompactSize in ${what} at offset ${this.offset}`);
    return v;
  }

  /** Canonical CompactSize used as a count or length: capped at the protocol maximum (2 MiB). */
  compactSize(what = 'CompactSize'): number {
    return this.compactSizeOf(what, '');
  }

  /**
   * `compactSize` naming the field `what` + `suffix` in errors only: the hot path never builds the
   * label (a concatenated string per list would be an allocation per count read).
   */
  private compactSizeOf(what: string, suffix: string): number {
    const first = this.bytes[this.offset];
    if (first !== undefined && first < 0xfd) {
      this.offset++;
      return first;
    }
    const label = what + suffix;
    this.u8(label);
    let v: number;
    if (first === 0xfd) {
      v = this.u16le(label);
      if (v < 0xfd) throw malformed(`non-canonical CompactSize in ${label} at offset ${this.offset}`);
    } else if (first === 0xfe) {
      v = this.u32le(label);
      if (v <= 0xffff) throw malformed(`non-canonical CompactSize in ${label} at offset ${this.offset}`);
    } else {
      const big = this.u64le(label);
      if (big <= 0xffffffffn) throw malformed(`non-canonical CompactSize in ${label} at offset ${this.offset}`);
      throw malformed(`CompactSize ${label} larger than the protocol message limit`);
    }
    if (v > MAX_COUNT) throw malformed(`CompactSize ${label} larger than the protocol message limit`);
    return v;
  }

  /**
   * A list count, checked against the item cap and against the bytes left (each item takes at least
   * `minItemSize` bytes) before anything is allocated.
   */
  count(max: number, minItemSize: number, what: string): number {
    const n = this.compactSizeOf(what, ' count');
    if (n > max) throw malformed(`${what}: ${n} entries exceeds the limit of ${max} (offset ${this.offset})`);
    if (n * minItemSize > this.remaining)
      throw malformed(`${what}: ${n} entries cannot fit in ${this.remaining} bytes (offset ${this.offset})`);
    return n;
  }

  /** var_str: the length is checked against `max` before the bytes are read; must be valid UTF-8. */
  varStr(max: number, what: string): string {
    const n = this.compactSize(`${what} length`);
    if (n > max) throw malformed(`${what} too long: ${n} bytes, must be ${max} bytes or less`);
    const raw = this.sub(n, what);
    try {
      return utf8.decode(raw);
    } catch (err) {
      throw malformed(`${what} is not valid UTF-8`, err);
    }
  }

  private u16le(what: string): number {
    this.need(2, what);
    const v = this.bytes[this.offset]! | (this.bytes[this.offset + 1]! << 8);
    this.offset += 2;
    return v;
  }
}
