// Test helpers: typed access to the CometBFT vector files copied into test/vectors/cometbft/.

import { readFileSync } from 'node:fs';

export function readVector(name: string): string {
  return readFileSync(new URL(`../../../vectors/cometbft/${name}`, import.meta.url), 'utf8');
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

export interface DerivedNode {
  ed25519_seed: string;
  ed25519_pubkey: string;
  node_id: string;
  x25519_ephemeral_private: string;
  x25519_ephemeral_public: string;
  eph_pubkey_wire: string;
  loc_is_least: boolean;
  recv_secret: string;
  send_secret: string;
  challenge_signature: string;
  auth_sig_message_delimited: string;
  auth_sig_sealed_frames: { nonce: string; sealed: string }[];
  node_info_delimited: string;
  node_info_sealed_frames: { nonce: string; sealed: string }[];
}

export interface DerivedVector {
  nodes: { A: DerivedNode; B: DerivedNode };
  shared: {
    eph_lower: string;
    eph_upper: string;
    dh_secret: string;
    hkdf_output_96: string;
    merlin_challenge: string;
  };
  mconn_after_handshake_from_A: { stream_hex: string; sealed_frames: { nonce: string; sealed: string }[] };
}

export function derivedVector(): DerivedVector {
  return JSON.parse(readVector('secret_connection_handshake_derived.json')) as DerivedVector;
}

export interface MiscVectors {
  nonce_increment: {
    checkpoints: { after_increments: number; nonce_hex: string }[];
    overflow: { nonce_hex: string };
  };
  node_id_from_pubkey: { cases: { ed25519_pubkey_hex: string; node_id: string }[] };
  x25519_low_order_points: { points: { label: string; hex: string }[] };
  ephemeral_key_wire: { prefix_hex: string };
  auth_sig_message_length: { bytes_including_length_prefix: number };
}

export function miscVectors(): MiscVectors {
  return JSON.parse(readVector('handshake_misc_vectors.json')) as MiscVectors;
}

/** Number of fast-check runs for property tests (FC_RUNS) and fuzz tests (FUZZ_RUNS). */
export function runs(kind: 'FC_RUNS' | 'FUZZ_RUNS', fallback: number): number {
  const value = Number(process.env[kind]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
