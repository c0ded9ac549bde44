// The SecretConnection key schedule (cometbft-wire docs/protocols/cometbft.md §1.3-1.5): ephemeral X25519 key pairs, the
// DH with low-order rejection, the Merlin challenge that both sides sign, and the HKDF-SHA256 split of
// the DH secret into the two AEAD keys. Pure functions over node:crypto; no state, no I/O.

import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { generateJwkKeyPair } from '../../../core/node-key.ts';
import { MerlinTranscript } from '../transcript/merlin.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';

/** X25519 public keys, private keys and shared secrets are 32 bytes (RFC 7748). */
export const X25519_KEY_BYTES = 32;
/** Size of the signed challenge. */
export const CHALLENGE_BYTES = 32;
/** HKDF output: recv/send keys (2 x 32) and the unused legacy challenge (32). */
const HKDF_OUTPUT_BYTES = 96;
/** HKDF info string and Merlin labels: protocol constants (docs/protocols/cometbft.md §1.4-1.5); any change breaks interop. */
const HKDF_INFO = 'TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN';
const TRANSCRIPT_LABEL = 'TENDERMINT_SECRET_CONNECTION_TRANSCRIPT_HASH';
const LOWER_KEY_LABEL = 'EPHEMERAL_LOWER_PUBLIC_KEY';
const UPPER_KEY_LABEL = 'EPHEMERAL_UPPER_PUBLIC_KEY';
const DH_SECRET_LABEL = 'DH_SECRET';
const CHALLENGE_LABEL = 'SECRET_CONNECTION_MAC';

/** PKCS#8 DER prefix of a raw X25519 private key (RFC 8410), used only to import injected test keys. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * The 7 X25519 public keys of small order listed by cr.yp.to/ecdh.html and blacklisted by tendermint-rs
 * (handshake_misc_vectors.json). Each gives an all-zero shared secret; they are refused before the DH,
 * and the DH result is checked for zeros as well (which also covers the non-canonical encodings).
 */
export const LOW_ORDER_POINTS: readonly string[] = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];
const LOW_ORDER_SET = new Set(LOW_ORDER_POINTS);

export interface EphemeralKeyPair {
  readonly privateKey: KeyObject;
  /** Raw 32-byte u-coordinate, as sent on the wire. */
  readonly publicKey: Uint8Array;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

/**
 * A fresh ephemeral key pair, or (tests and fixed vectors only) the pair of a given raw 32-byte private
 * key. Reusing an ephemeral key across connections gives up forward secrecy: never do it in production.
 */
export function createEphemeralKeyPair(rawPrivateKey?: Uint8Array): EphemeralKeyPair {
  if (rawPrivateKey === undefined) {
    // Generated as JWK and imported: see generateJwkKeyPair for the Node 20 deadlock this avoids.
    const pair = generateJwkKeyPair('x25519');
    return {
      privateKey: createPrivateKey({ key: pair.privateKey, format: 'jwk' }),
      publicKey: new Uint8Array(Buffer.from(pair.publicKey.x ?? '', 'base64url')),
    };
  }
  if (rawPrivateKey.length !== X25519_KEY_BYTES) {
    throw new PeerwireError(
      ErrorCode.InvalidArgument,
      `x25519 private key must be ${X25519_KEY_BYTES} bytes`,
    );
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, rawPrivateKey]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

function lowOrder(detail: string, cause?: unknown): PeerwireError {
  return secretConnectionError(
    SecretConnectionErrorCode.LowOrderPoint,
    `remote ephemeral key ${detail}`,
    'ban',
    cause,
  );
}

/** X25519(our private, their public), refusing low-order remote keys and an all-zero result. */
export function computeSharedSecret(ours: EphemeralKeyPair, remotePublicKey: Uint8Array): Uint8Array {
  if (remotePublicKey.length !== X25519_KEY_BYTES) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `x25519 public key must be ${X25519_KEY_BYTES} bytes`);
  }
  if (LOW_ORDER_SET.has(Buffer.from(remotePublicKey).toString('hex'))) throw lowOrder('is a low-order point');
  let secret: Buffer;
  try {
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(remotePublicKey).toString('base64url') },
      format: 'jwk',
    });
    secret = diffieHellman({ privateKey: ours.privateKey, publicKey });
  } catch (cause) {
    // OpenSSL refuses to derive an all-zero secret (ERR_OSSL_FAILED_DURING_DERIVATION).
    throw lowOrder('yields no valid shared secret (low-order point)', cause);
  }
  let acc = 0;
  for (let i = 0; i < secret.length; i++) acc |= secret[i]!;
  if (acc === 0) throw lowOrder('yields an all-zero shared secret');
  return new Uint8Array(secret);
}

/** Unsigned lexicographic order of the two ephemeral keys; `locIsLeast` = ours is the lower one. */
export function sortEphemeralKeys(
  local: Uint8Array,
  remote: Uint8Array,
): { lower: Uint8Array; upper: Uint8Array; locIsLeast: boolean } {
  const cmp = Buffer.compare(local, remote);
  if (cmp === 0) {
    throw secretConnectionError(
      SecretConnectionErrorCode.ReflectedEphemeralKey,
      'remote ephemeral key equals ours (reflection)',
      'ban',
    );
  }
  return cmp < 0
    ? { lower: local, upper: remote, locIsLeast: true }
    : { lower: remote, upper: local, locIsLeast: false };
}

/** The 32-byte Merlin challenge both sides sign (docs/protocols/cometbft.md §1.4). */
export function computeChallenge(lower: Uint8Array, upper: Uint8Array, dhSecret: Uint8Array): Uint8Array {
  const transcript = new MerlinTranscript(TRANSCRIPT_LABEL);
  transcript.appendMessage(LOWER_KEY_LABEL, lower);
  transcript.appendMessage(UPPER_KEY_LABEL, upper);
  transcript.appendMessage(DH_SECRET_LABEL, dhSecret);
  return transcript.challengeBytes(CHALLENGE_LABEL, CHALLENGE_BYTES);
}

export interface SessionSecrets {
  readonly sendKey: Uint8Array;
  readonly recvKey: Uint8Array;
  /** okm[64..96]: the pre-Merlin challenge. Never signed today; exposed for the golden-file check. */
  readonly legacyChallenge: Uint8Array;
}

/**
 * HKDF-SHA256(ikm = DH secret, empty salt, fixed info, 96 bytes) split by `locIsLeast` (docs/protocols/cometbft.md §1.5):
 * the side with the lower ephemeral key receives with okm[0..32] and sends with okm[32..64].
 */
export function deriveSecrets(dhSecret: Uint8Array, locIsLeast: boolean): SessionSecrets {
  const okm = new Uint8Array(hkdfSync('sha256', dhSecret, new Uint8Array(0), HKDF_INFO, HKDF_OUTPUT_BYTES));
  const first = okm.slice(0, 32);
  const second = okm.slice(32, 64);
  return {
    recvKey: locIsLeast ? first : second,
    sendKey: locIsLeast ? second : first,
    legacyChallenge: okm.slice(64, 96),
  };
}
