// Injectable randomness. Code that makes random choices (jitter, shuffles, tie-breaks, nonces, loss)
// takes a `Random` function instead of calling Math.random or node:crypto, so a simulation can replay a
// whole network from one seed. `SeededRandom` is that seed's generator: sfc32 (Chris Doty-Humphrey's
// Small Fast Chaotic generator, 128-bit state, period ≥ 2^32, passes PractRand to 2^40+), chosen for
// speed and for giving identical sequences on every JavaScript engine (32-bit integer arithmetic only).
// It is NOT cryptographic: never use it for keys or nonces that defend against a real attacker —
// production defaults stay on Math.random / node:crypto.

import { randomBytes as cryptoRandomBytes } from 'node:crypto';

/** Uniform in [0, 1). Math.random has this shape. */
export type Random = () => number;

/** `n` random bytes. Production default: node:crypto's randomBytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** node:crypto's bytes, the default wherever bytes are secret or must be unpredictable. */
export const cryptoBytes: RandomBytes = (n) => new Uint8Array(cryptoRandomBytes(n));

/** Bytes drawn from a `Random` (4 bytes per draw): for simulations, never for secrets. */
export function bytesFrom(random: Random): RandomBytes {
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = Math.floor(random() * 0x1_0000_0000);
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

/** An integer in [0, n) from `random` (n ≥ 1). */
export function randomBelow(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** A deterministic generator: the same seed yields the same sequence on every run and platform. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any integer or string; strings are hashed (FNV-1a) so `"42"` and `42` differ. */
  constructor(seed: number | string) {
    const s = typeof seed === 'number' ? seed : fnv1a(seed);
    // SplitMix32-style spreading so nearby seeds give unrelated streams.
    this.a = mix(s ^ 0x9e3779b9);
    this.b = mix(s ^ 0x243f6a88);
    this.c = mix(s ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // discard the warm-up outputs
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), as a bound function usable wherever a `Random` is taken. */
  readonly next: Random = () => this.nextUint32() / 0x1_0000_0000;

  /** An independent generator derived from this one and `label` (one stream per node or purpose). */
  fork(label: string | number): SeededRandom {
    return new SeededRandom((this.nextUint32() ^ fnv1a(String(label))) >>> 0);
  }

  /** `n` bytes from this stream. */
  bytes(n: number): Uint8Array {
    return bytesFrom(this.next)(n);
  }
}

function mix(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
