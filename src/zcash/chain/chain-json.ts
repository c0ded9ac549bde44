// JSON-ready descriptions of chain objects for people: block headers, blocks and transactions with
// every hash in display order (byte-reversed, as zcashd, zebrad, Bitcoin Core RPCs and explorers
// print them) — txids, block hashes, previous-block and merkle-root fields, outpoints, and the 32-byte
// shielded fields (anchors, nullifiers, note commitments, value commitments, keys), which zcashd also
// prints reversed. Scripts and other byte strings stay in wire order; proofs, ciphertexts and
// signatures are summarised by size. Amounts are decimal strings of base units (zatoshi / satoshi).

import { hashToDisplayHex } from '../encoding/hashes.ts';
import type { AnyBlockHeader, Block } from './block.ts';
import type { OrchardBundle } from './orchard.ts';
import type { SaplingBundle } from './sapling.ts';
import type { SproutBundle } from './sprout.ts';
import type { Transaction } from './transaction.ts';
import type { TransparentInput, TransparentOutput } from './transparent.ts';

export type Json = Record<string, unknown>;

const display = hashToDisplayHex;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const u32hex = (n: number): string => n.toString(16).padStart(8, '0');

export function describeHeader(h: AnyBlockHeader): Json {
  const common = {
    hash: display(h.hash),
    version: h.version,
    previousBlockHash: display(h.previousBlockHash),
    merkleRoot: display(h.merkleRoot),
    time: h.time,
    bits: u32hex(h.bits),
  };
  if (h.format === 'bitcoin') return { ...common, nonce: h.nonce };
  return {
    ...common,
    blockCommitments: display(h.commitments),
    nonce: display(h.nonce),
    solutionSize: h.solution.length,
  };
}

function describeInput(input: TransparentInput): Json {
  if (input.coinbaseHeight !== undefined) {
    return { coinbase: hex(input.script), height: input.coinbaseHeight, sequence: input.sequence };
  }
  return { txid: display(input.outpoint.subarray(0, 32)), vout: input.prevoutIndex, scriptSig: hex(input.script), sequence: input.sequence };
}

function describeOutput(output: TransparentOutput, n: number): Json {
  return { n, value: output.value.toString(), scriptPubKey: hex(output.script) };
}

function describeSprout(s: SproutBundle): Json {
  return {
    proofSystem: s.proofSystem,
    joinSplits: s.joinSplits.map((j) => ({
      vpubOld: j.vpubOld.toString(),
      vpubNew: j.vpubNew.toString(),
      anchor: display(j.anchor),
      nullifiers: j.nullifiers.map(display),
      commitments: j.commitments.map(display),
      ephemeralKey: display(j.ephemeralKey),
      proofSize: j.proof.length,
    })),
    joinSplitPubKey: hex(s.pubKey),
  };
}

function describeSapling(s: SaplingBundle): Json {
  return {
    valueBalance: s.valueBalance.toString(),
    ...(s.sharedAnchor === undefined ? {} : { anchor: display(s.sharedAnchor) }),
    spends: s.spends.map((p) => ({ cv: display(p.cv), anchor: display(p.anchor), nullifier: display(p.nullifier), rk: display(p.rk) })),
    outputs: s.outputs.map((o) => ({ cv: display(o.cv), cmu: display(o.cmu), ephemeralKey: display(o.ephemeralKey) })),
    bindingSig: s.bindingSig === undefined ? undefined : hex(s.bindingSig),
  };
}

function describeOrchard(o: OrchardBundle): Json {
  return {
    actions: o.actions.map((a) => ({
      cv: display(a.cv),
      nullifier: display(a.nullifier),
      rk: display(a.rk),
      cmx: display(a.cmx),
      ephemeralKey: display(a.ephemeralKey),
    })),
    flags: o.flags,
    spendsEnabled: o.spendsEnabled,
    outputsEnabled: o.outputsEnabled,
    valueBalance: o.valueBalance.toString(),
    anchor: display(o.anchor),
    proofSize: o.proof.length,
  };
}

export function describeTransaction(tx: Transaction): Json {
  const counts = { inputs: tx.inputs.length, outputs: tx.outputs.length };
  const transparent = {
    vin: tx.inputs.map(describeInput),
    vout: tx.outputs.map(describeOutput),
  };
  if (tx.chain === 'bitcoin') {
    return {
      txid: display(tx.txid),
      wtxid: display(tx.wtxid),
      size: tx.bytes.length,
      version: tx.version,
      segwit: tx.witnesses !== undefined,
      lockTime: tx.lockTime,
      ...counts,
      ...transparent,
      ...(tx.witnesses === undefined ? {} : { witnesses: tx.witnesses.map((stack) => stack.map(hex)) }),
    };
  }
  return {
    txid: display(tx.txid),
    ...(tx.authDigest === undefined ? {} : { authDigest: display(tx.authDigest) }),
    size: tx.bytes.length,
    version: tx.version,
    overwintered: tx.overwintered,
    ...(tx.versionGroupId === undefined ? {} : { versionGroupId: u32hex(tx.versionGroupId) }),
    ...(tx.consensusBranchId === undefined ? {} : { consensusBranchId: u32hex(tx.consensusBranchId) }),
    lockTime: tx.lockTime,
    ...(tx.expiryHeight === undefined ? {} : { expiryHeight: tx.expiryHeight }),
    ...counts,
    joinSplits: tx.sprout?.joinSplits.length ?? 0,
    saplingSpends: tx.sapling?.spends.length ?? 0,
    saplingOutputs: tx.sapling?.outputs.length ?? 0,
    orchardActions: tx.orchard?.actions.length ?? 0,
    ...transparent,
    ...(tx.sprout === undefined ? {} : { sprout: describeSprout(tx.sprout) }),
    ...(tx.sapling === undefined ? {} : { sapling: describeSapling(tx.sapling) }),
    ...(tx.orchard === undefined ? {} : { orchard: describeOrchard(tx.orchard) }),
  };
}

export function describeBlock(block: Block): Json {
  return {
    hash: display(block.hash),
    size: block.bytes.length,
    header: describeHeader(block.header),
    transactionCount: block.transactionCount,
    transactions: block.transactions.map(describeTransaction),
  };
}
