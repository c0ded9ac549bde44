// Ed25519 node identity, as CometBFT uses it: the node ID is the lower-case hex of the first 20 bytes
// of SHA-256 of the 32-byte public key. Keys live in node:crypto KeyObjects (15-30x faster than pure
// JS here); raw remote keys are imported through JWK, the fast import path on Node.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { ErrorCode, PeerwireError } from './errors.ts';
import type { NodeId } from './node-address.ts';

/** Ed25519 public keys and seeds are 32 bytes, signatures 64 (RFC 8032). */
export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
/** A node ID is 20 bytes of SHA-256, written as 40 lower-case hex characters. */
export const NODE_ID_BYTES = 20;

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function nodeIdFromPublicKey(publicKey: Uint8Array): NodeId {
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw new PeerwireError(
      ErrorCode.InvalidArgument,
      `ed25519 public key must be ${ED25519_KEY_BYTES} bytes`,
    );
  }
  return createHash('sha256').update(publicKey).digest().subarray(0, NODE_ID_BYTES).toString('hex');
}

export function isNodeId(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}

export function importEd25519PublicKey(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw new PeerwireError(
      ErrorCode.InvalidArgument,
      `ed25519 public key must be ${ED25519_KEY_BYTES} bytes`,
      {
        action: 'ban',
      },
    );
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(publicKey) }, format: 'jwk' });
}

/** Verifies an Ed25519 signature; false for any malformed input (never throws for remote data). */
export function verifyEd25519(
  publicKey: Uint8Array | KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    const key = publicKey instanceof Uint8Array ? importEd25519PublicKey(publicKey) : publicKey;
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * A fresh key pair as JWK, for keys that are then imported. Never export a KeyObject that came out of
 * generateKeyPairSync instead: on Node 20 that can deadlock, because the export holds the key's mutex
 * while allocating and a GC in that allocation may finalise the generating job, which takes the same
 * mutex (seen here as a hung process stuck in ~KeyGenJob under ExportJWK).
 */
export function generateJwkKeyPair(type: 'ed25519' | 'x25519'): {
  publicKey: JsonWebKey;
  privateKey: JsonWebKey;
} {
  const jwk = { format: 'jwk' } as const;
  // @types/node 20 lacks the JWK encoding overload that Node 20 implements.
  return generateKeyPairSync(
    type as 'ed25519',
    {
      publicKeyEncoding: jwk,
      privateKeyEncoding: jwk,
    } as never,
  ) as unknown as { publicKey: JsonWebKey; privateKey: JsonWebKey };
}

export class NodeKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly id: NodeId;
  readonly privateKeyObject: KeyObject;

  private constructor(seed: Uint8Array, privateKeyObject: KeyObject) {
    this.seed = seed;
    this.privateKeyObject = privateKeyObject;
    const jwk = createPublicKey(privateKeyObject).export({ format: 'jwk' });
    this.publicKey = new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
    this.id = nodeIdFromPublicKey(this.publicKey);
  }

  static generate(): NodeKey {
    const { privateKey } = generateJwkKeyPair('ed25519');
    return new NodeKey(
      new Uint8Array(Buffer.from(privateKey.d ?? '', 'base64url')),
      createPrivateKey({ key: privateKey, format: 'jwk' }),
    );
  }

  /** The key whose 32-byte RFC 8032 seed is `seed` (CometBFT stores seed || public key). */
  static fromSeed(seed: Uint8Array): NodeKey {
    if (seed.length !== ED25519_KEY_BYTES) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `ed25519 seed must be ${ED25519_KEY_BYTES} bytes`);
    }
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
    return new NodeKey(new Uint8Array(seed), createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKeyObject));
  }
}
