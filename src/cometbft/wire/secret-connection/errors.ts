// Error codes of the SecretConnection layer (cometbft-wire docs/protocols/cometbft.md §1-2). Every failure caused by remote
// bytes is a PeerwireError with one of these codes; the action says what the peer manager should do:
// `ban` when the peer provably broke the protocol (a malformed handshake message, a low-order key, a
// bad signature, an authenticated frame with an impossible length), `disconnect` when the cause may be
// local or in transit (a frame that fails authentication) or the connection is simply used up.

import { PeerwireError, type ErrorAction } from '../../../core/errors.ts';

export const SecretConnectionErrorCode = {
  /** The cleartext ephemeral-key message is not exactly `22 0a 20` + 32 bytes. */
  MalformedEphemeralKey: 'ERR_SECRETCONN_MALFORMED_EPHEMERAL_KEY',
  /** The remote ephemeral key is a low-order X25519 point (or the DH output is all zeros). */
  LowOrderPoint: 'ERR_SECRETCONN_LOW_ORDER_POINT',
  /** The remote sent our own ephemeral key back (a reflection attempt). */
  ReflectedEphemeralKey: 'ERR_SECRETCONN_REFLECTED_EPHEMERAL_KEY',
  /** The decrypted AuthSigMessage is not a well-formed, bounded protobuf message. */
  MalformedAuthSig: 'ERR_SECRETCONN_MALFORMED_AUTH_SIG',
  /** The AuthSigMessage carries a key type other than Ed25519. */
  UnsupportedKeyType: 'ERR_SECRETCONN_UNSUPPORTED_KEY_TYPE',
  /** The AuthSigMessage signature does not verify over our challenge. */
  ChallengeVerification: 'ERR_SECRETCONN_CHALLENGE_VERIFICATION',
  /** A sealed frame failed ChaCha20-Poly1305 authentication. */
  DecryptFailed: 'ERR_SECRETCONN_DECRYPT_FAILED',
  /** An authenticated frame declares more than 1024 data bytes. */
  FrameTooLarge: 'ERR_SECRETCONN_FRAME_TOO_LARGE',
  /** A direction's 64-bit nonce counter is used up (never wraps: a nonce reuse would break the AEAD). */
  NonceExhausted: 'ERR_SECRETCONN_NONCE_EXHAUSTED',
  /** A call that the state machine's current state does not allow (a bug in the caller). */
  InvalidState: 'ERR_SECRETCONN_INVALID_STATE',
} as const;

export type SecretConnectionErrorCode =
  (typeof SecretConnectionErrorCode)[keyof typeof SecretConnectionErrorCode];

export function secretConnectionError(
  code: SecretConnectionErrorCode,
  message: string,
  action: ErrorAction,
  cause?: unknown,
): PeerwireError {
  return new PeerwireError(
    code,
    `secret connection: ${message}`,
    cause === undefined ? { action } : { action, cause },
  );
}
