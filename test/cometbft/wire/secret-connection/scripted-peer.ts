// Test helper: a hand-driven SecretConnection peer built from the key-schedule functions, so tests can
// send exactly the (possibly hostile) AuthSigMessage bytes they want to a real handshake state machine.

import { NodeKey } from '../../../../src/core/node-key.ts';
import {
  computeChallenge,
  computeSharedSecret,
  createEphemeralKeyPair,
  deriveSecrets,
  sortEphemeralKeys,
  type EphemeralKeyPair,
} from '../../../../src/cometbft/wire/secret-connection/key-schedule.ts';
import {
  decodeEphemeralKeyMessage,
  encodeAuthSigMessage,
  encodeEphemeralKeyMessage,
} from '../../../../src/cometbft/wire/secret-connection/handshake-messages.ts';
import { FrameSealer } from '../../../../src/cometbft/wire/secret-connection/frame-sealer.ts';
import { FrameOpener } from '../../../../src/cometbft/wire/secret-connection/frame-opener.ts';

export interface ScriptedKeys {
  readonly challenge: Uint8Array;
  readonly sealer: FrameSealer;
  readonly opener: FrameOpener;
  readonly sendKey: Uint8Array;
}

export class ScriptedPeer {
  readonly nodeKey: NodeKey;
  readonly ephemeral: EphemeralKeyPair;

  constructor(nodeKey: NodeKey = NodeKey.generate(), ephemeralPrivateKey?: Uint8Array) {
    this.nodeKey = nodeKey;
    this.ephemeral = createEphemeralKeyPair(ephemeralPrivateKey);
  }

  hello(): Uint8Array {
    return encodeEphemeralKeyMessage(this.ephemeral.publicKey);
  }

  /** Keys and challenge after reading the other side's 35-byte ephemeral-key message. */
  derive(remoteHello: Uint8Array): ScriptedKeys {
    const remote = decodeEphemeralKeyMessage(remoteHello.subarray(0, 35));
    const { lower, upper, locIsLeast } = sortEphemeralKeys(this.ephemeral.publicKey, remote);
    const dh = computeSharedSecret(this.ephemeral, remote);
    const secrets = deriveSecrets(dh, locIsLeast);
    return {
      challenge: computeChallenge(lower, upper, dh),
      sealer: new FrameSealer(secrets.sendKey),
      opener: new FrameOpener(secrets.recvKey),
      sendKey: secrets.sendKey,
    };
  }

  /** The honest AuthSigMessage for `challenge`. */
  authSig(challenge: Uint8Array): Uint8Array {
    return encodeAuthSigMessage(this.nodeKey.publicKey, this.nodeKey.sign(challenge));
  }
}

/** Protobuf helpers for hand-built messages: a length-delimited field and a uvarint-delimited message. */
export function field(fieldNumber: number, value: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([(fieldNumber << 3) | 2]), uvarint(value.length), value]);
}

export function delimited(body: Uint8Array): Uint8Array {
  return Buffer.concat([uvarint(body.length), body]);
}

export function uvarint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Splits `bytes` at the given cut points (sorted, deduplicated, clamped), for chunking properties. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    if (p > start) out.push(bytes.subarray(start, p));
    start = Math.max(start, p);
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}
