// fast-check generators of well-formed transactions and blocks, serialized by a writer written here
// from the layouts of the Zcash protocol specification §7.1 / ZIP-225 and BIP-144 — independently of the
// parsers under test, so a round trip checks both against the documents.

import fc from 'fast-check';
import { ByteWriter } from '../../../src/zcash/encoding/byte-writer.ts';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** A 32-byte hash that is never all zero (a null outpoint would make a coinbase input). */
const prevHash = bytes(32).map((b) => {
  b[0] = b[0]! | 1;
  return b;
});
const amount = fc.bigInt({ min: 0n, max: 21_000_000n * 100_000_000n });
const signedAmount = fc.bigInt({ min: -(21_000_000n * 100_000_000n), max: 21_000_000n * 100_000_000n });
const script = fc.uint8Array({ maxLength: 300, size: 'max' });
const u32 = fc.nat({ max: 0xffffffff });

function i64(w: ByteWriter, v: bigint): void {
  w.u64le(BigInt.asUintN(64, v));
}

interface TransparentPart {
  inputs: { hash: Uint8Array; index: number; script: Uint8Array; sequence: number }[];
  outputs: { value: bigint; script: Uint8Array }[];
}

const transparent: fc.Arbitrary<TransparentPart> = fc.record({
  inputs: fc.array(fc.record({ hash: prevHash, index: u32, script, sequence: u32 }), { maxLength: 3 }),
  outputs: fc.array(fc.record({ value: amount, script }), { maxLength: 3 }),
});

function writeInputs(w: ByteWriter, t: TransparentPart): void {
  w.compactSize(t.inputs.length);
  for (const i of t.inputs) {
    w.bytes(i.hash);
    w.u32le(i.index);
    w.compactSize(i.script.length);
    w.bytes(i.script);
    w.u32le(i.sequence);
  }
}

function writeOutputs(w: ByteWriter, t: TransparentPart): void {
  w.compactSize(t.outputs.length);
  for (const o of t.outputs) {
    i64(w, o.value);
    w.compactSize(o.script.length);
    w.bytes(o.script);
  }
}

function writeJoinSplits(w: ByteWriter, n: number, proofLength: number, seed: Uint8Array, vpub: bigint): void {
  w.compactSize(n);
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    w.u64le(vpub);
    w.u64le(0n);
    for (let k = 0; k < 32 + 64 + 64 + 32 + 32 + 64 + proofLength + 1202; k++) w.u8(seed[k % seed.length]!);
  }
  w.bytes(new Uint8Array(96).fill(7));
}

export interface GeneratedZcashTx {
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly joinSplits: number;
  readonly spends: number;
  readonly saplingOutputs: number;
  readonly actions: number;
  readonly lockTime: number;
}

/** NU5 and NU6 consensus branch ids (v5 transactions must name a known one). */
const BRANCH_IDS = [0xc2d6d0b4, 0xc8e71055];

export const zcashTransaction: fc.Arbitrary<GeneratedZcashTx> = fc
  .record({
    version: fc.integer({ min: 1, max: 5 }),
    t: transparent,
    lockTime: u32,
    expiry: fc.nat({ max: 499_999_999 }),
    joinSplits: fc.integer({ min: 0, max: 1 }),
    spends: fc.integer({ min: 0, max: 2 }),
    saplingOutputs: fc.integer({ min: 0, max: 2 }),
    actions: fc.integer({ min: 0, max: 2 }),
    seed: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    valueBalance: signedAmount,
    vpub: amount,
    branch: fc.constantFrom(...BRANCH_IDS),
    flags: fc.integer({ min: 0, max: 3 }),
    proofLength: fc.nat({ max: 300 }),
  })
  .map((g) => {
    const w = new ByteWriter(1024);
    const fill = (n: number) => {
      for (let k = 0; k < n; k++) w.u8(g.seed[k % g.seed.length]!);
    };
    const v = g.version;
    const joinSplits = v === 1 || v === 5 ? 0 : g.joinSplits;
    const spends = v >= 4 ? g.spends : 0;
    const saplingOutputs = v >= 4 ? g.saplingOutputs : 0;
    const actions = v === 5 ? g.actions : 0;
    if (v <= 2) w.u32le(v);
    else {
      w.u32le((0x80000000 | v) >>> 0);
      w.u32le(v === 3 ? 0x03c48270 : v === 4 ? 0x892f2085 : 0x26a7270a);
    }
    if (v === 5) {
      w.u32le(g.branch);
      w.u32le(g.lockTime);
      w.u32le(g.expiry);
      writeInputs(w, g.t);
      writeOutputs(w, g.t);
      w.compactSize(spends);
      fill(96 * spends);
      w.compactSize(saplingOutputs);
      fill(756 * saplingOutputs);
      if (spends + saplingOutputs > 0) {
        i64(w, g.valueBalance);
        if (spends > 0) fill(32);
        fill(spends * (192 + 64) + saplingOutputs * 192 + 64);
      }
      w.compactSize(actions);
      if (actions > 0) {
        fill(820 * actions);
        w.u8(g.flags);
        i64(w, g.valueBalance);
        fill(32);
        w.compactSize(g.proofLength);
        fill(g.proofLength + 64 * actions + 64);
      }
    } else {
      writeInputs(w, g.t);
      writeOutputs(w, g.t);
      w.u32le(g.lockTime);
      if (v >= 3) w.u32le(g.expiry);
      if (v === 4) {
        i64(w, g.valueBalance);
        w.compactSize(spends);
        fill(384 * spends);
        w.compactSize(saplingOutputs);
        fill(948 * saplingOutputs);
      }
      if (v >= 2) writeJoinSplits(w, joinSplits, v === 4 ? 192 : 296, g.seed, g.vpub);
      if (v === 4 && spends + saplingOutputs > 0) fill(64);
    }
    return {
      bytes: w.finish(),
      version: v,
      inputs: g.t.inputs.length,
      outputs: g.t.outputs.length,
      joinSplits,
      spends,
      saplingOutputs,
      actions,
      lockTime: g.lockTime,
    };
  });

export interface GeneratedBitcoinTx {
  readonly bytes: Uint8Array;
  readonly segwit: boolean;
  readonly inputs: number;
  readonly outputs: number;
}

export const bitcoinTransaction: fc.Arbitrary<GeneratedBitcoinTx> = fc
  .record({
    version: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    t: transparent,
    segwit: fc.boolean(),
    witness: fc.array(fc.array(fc.uint8Array({ maxLength: 80, size: 'max' }), { maxLength: 3 }), {
      maxLength: 3,
    }),
    lockTime: u32,
  })
  // Zero inputs would read as the segwit marker (Bitcoin Core's rule): such transactions cannot be relayed.
  .filter((g) => g.t.inputs.length > 0)
  .map((g) => {
    const w = new ByteWriter(512);
    w.u32le(g.version >>> 0);
    // A segwit transaction needs at least one non-empty witness stack.
    const stacks = g.t.inputs.map((_, i) => g.witness[i] ?? []);
    const segwit = g.segwit && stacks.some((s) => s.length > 0);
    if (segwit) {
      w.u8(0);
      w.u8(1);
    }
    writeInputs(w, g.t);
    writeOutputs(w, g.t);
    if (segwit) {
      for (const stack of stacks) {
        w.compactSize(stack.length);
        for (const item of stack) {
          w.compactSize(item.length);
          w.bytes(item);
        }
      }
    }
    w.u32le(g.lockTime);
    return { bytes: w.finish(), segwit, inputs: g.t.inputs.length, outputs: g.t.outputs.length };
  });

/** A small deterministic generator, so one fast-check run can expand into a batch of inputs. */
export function xorshift(seed: number): () => number {
  let s = seed | 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** A cheap mutation of a valid input: a cut, one to three flipped bytes, appended bytes, or random bytes. */
export function mutate(original: Uint8Array, next: () => number): Uint8Array {
  const kind = next() % 4;
  if (kind === 0) return original.subarray(0, next() % (original.length + 1));
  if (kind === 3) {
    const random = new Uint8Array(next() % 64);
    for (let i = 0; i < random.length; i++) random[i] = next() & 0xff;
    return random;
  }
  const out = new Uint8Array(original.length + (kind === 2 ? 1 + (next() % 8) : 0));
  out.set(original);
  for (let i = original.length; i < out.length; i++) out[i] = next() & 0xff;
  const flips = 1 + (next() % 3);
  for (let f = 0; f < flips && out.length > 0; f++) out[next() % out.length] = next() & 0xff;
  return out;
}
