// STROBE-128 (strobe.sourceforge.io, v1.0.2): a duplex construction on Keccak-f[1600] that Merlin
// transcripts are built on, and Merlin is what SecretConnection signs (cometbft-wire spec Appendix A).
// Nothing on npm exports it, so this is our own small implementation on `keccakP` from @noble/hashes.
// Performance does not matter here (a handful of operations per handshake); clarity and exactness do.
// All operations of the STROBE spec are implemented, so the upstream KAT files can be checked in full;
// Merlin only uses init, meta-AD, AD, PRF and (for completeness) KEY.

import { keccakP } from '@noble/hashes/sha3.js';
import { ErrorCode, PeerwireError } from '../../../core/errors.ts';

/** Keccak-f[1600] state size in bytes (1600 bits). */
const STATE_BYTES = 200;
/** Security level in bits; STROBE-128 is what Merlin and CometBFT use. */
const SECURITY_BITS = 128;
/**
 * Rate R = 200 - 2 * (security / 8) - 2 = 166 bytes: the capacity keeps 2 * 128 bits secret, and the two
 * last rate bytes are reserved for the padding that runF writes.
 */
export const STROBE_R = STATE_BYTES - (2 * SECURITY_BITS) / 8 - 2;
const VERSION_TAG = 'STROBEv1.0.2';

/** Operation flags (STROBE docs/protocols/cometbft.md §6.2). */
export const StrobeFlag = {
  /** Inbound: data flows towards the application (PRF, recv_*). */
  I: 1,
  /** Application data: the application sees the data. */
  A: 2,
  /** Cipher: the data is combined with the state (keyed output). */
  C: 4,
  /** Transport: the data goes over the wire. */
  T: 8,
  /** Meta: framing data, not application data. */
  M: 16,
  /** Keytree (reserved in the spec; never used here). */
  K: 32,
} as const;

const { I, A, C, T, M, K } = StrobeFlag;

function programmingError(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.Internal, `strobe: ${message}`, { action: 'disconnect' });
}

/** A STROBE-128 duplex state. Not thread-safe, not clonable: one per transcript. */
export class Strobe128 {
  private readonly st = new Uint8Array(STATE_BYTES);
  private readonly st32 = new Uint32Array(this.st.buffer, this.st.byteOffset, STATE_BYTES / 4);
  private pos = 0;
  private posBegin = 0;
  /** Flags of the operation in progress, -1 before the first operation. */
  private curFlags = -1;
  /** Role (I flag of the first transport operation), -1 while undecided. */
  private i0 = -1;

  constructor(protocolLabel: Uint8Array) {
    const st = this.st;
    st.set([1, STROBE_R + 2, 1, 0, 1, 96], 0);
    for (let i = 0; i < VERSION_TAG.length; i++) st[6 + i] = VERSION_TAG.charCodeAt(i);
    this.permute();
    this.operate(M | A, protocolLabel, false);
  }

  /** A copy of the 200-byte Keccak state (tests compare it against the KAT `state_after`). */
  stateBytes(): Uint8Array {
    return this.st.slice();
  }

  /** meta-AD when `meta`, else AD: absorb associated data. */
  ad(data: Uint8Array, meta = false, more = false): void {
    this.operate(meta ? M | A : A, data, more);
  }

  /** KEY: overwrite the state with key material (forces a permutation first when mid-block). */
  key(data: Uint8Array, more = false): void {
    this.operate(A | C, data, more);
  }

  /** PRF: squeeze `length` pseudo-random bytes. */
  prf(length: number, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | I | A | C : I | A | C, new Uint8Array(length), more);
  }

  sendEnc(plaintext: Uint8Array, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | A | C | T : A | C | T, plaintext, more);
  }

  recvEnc(ciphertext: Uint8Array, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | I | A | C | T : I | A | C | T, ciphertext, more);
  }

  sendClr(data: Uint8Array, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | A | T : A | T, data, more);
  }

  recvClr(data: Uint8Array, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | I | A | T : I | A | T, data, more);
  }

  sendMac(length: number, meta = false, more = false): Uint8Array {
    return this.operate(meta ? M | C | T : C | T, new Uint8Array(length), more);
  }

  /** recv_MAC: absorbs the MAC and returns whether it was correct (the state advances either way). */
  recvMac(mac: Uint8Array, meta = false, more = false): boolean {
    const out = this.operate(meta ? M | I | C | T : I | C | T, mac, more);
    let diff = 0;
    for (let i = 0; i < out.length; i++) diff |= out[i]!;
    return diff === 0;
  }

  /** RATCHET: zero `length` bytes of the rate, so earlier states cannot be recovered. */
  ratchet(length: number, meta = false, more = false): void {
    this.operate(meta ? M | C : C, new Uint8Array(length), more);
  }

  /**
   * One STROBE operation: begin it (unless continuing with `more`), then run the duplex over `data`.
   * With C set and the transport direction outbound (C|T without I) the output is taken after
   * absorbing (send_ENC, send_MAC); with C set otherwise it is taken before (PRF, KEY, recv_ENC,
   * recv_MAC, RATCHET), which for an input equal to the state's keystream overwrites the state.
   */
  private operate(flags: number, data: Uint8Array, more: boolean): Uint8Array {
    this.beginOp(flags, more);
    const cAfter = (flags & (C | I | T)) === (C | T);
    const cBefore = (flags & C) !== 0 && !cAfter;
    const out = new Uint8Array(data.length);
    const st = this.st;
    for (let i = 0; i < data.length; i++) {
      let b = data[i]!;
      if (cBefore) b ^= st[this.pos]!;
      st[this.pos]! ^= b;
      if (cAfter) b = st[this.pos]!;
      out[i] = b;
      if (++this.pos === STROBE_R) this.runF();
    }
    return out;
  }

  private beginOp(flags: number, more: boolean): void {
    if (more) {
      if (flags !== this.curFlags) throw programmingError('a continued operation must keep the same flags');
      return;
    }
    if ((flags & K) !== 0) throw programmingError('the K flag is not supported');
    let wireFlags = flags;
    if ((flags & T) !== 0) {
      if (this.i0 < 0) this.i0 = flags & I;
      wireFlags ^= this.i0;
    }
    const oldBegin = this.posBegin;
    this.posBegin = this.pos + 1;
    this.curFlags = flags;
    this.absorbByte(oldBegin);
    this.absorbByte(wireFlags);
    if ((flags & (C | K)) !== 0 && this.pos !== 0) this.runF();
  }

  private absorbByte(b: number): void {
    this.st[this.pos]! ^= b;
    if (++this.pos === STROBE_R) this.runF();
  }

  private runF(): void {
    const st = this.st;
    st[this.pos]! ^= this.posBegin;
    st[this.pos + 1]! ^= 0x04;
    st[STROBE_R + 1]! ^= 0x80;
    this.permute();
    this.pos = 0;
    this.posBegin = 0;
  }

  /** Keccak-f[1600] over the state viewed as 25 little-endian 64-bit lanes (keccakP's word order). */
  private permute(): void {
    if (BIG_ENDIAN_HOST) swapWords(this.st32);
    keccakP(this.st32);
    if (BIG_ENDIAN_HOST) swapWords(this.st32);
  }
}

const BIG_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;

function swapWords(words: Uint32Array): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    words[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
  }
}
