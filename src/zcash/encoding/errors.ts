// Error codes of the Zcash wire codec. Every decoder failure is a PeerwireError with one of these
// codes and action `disconnect`: Zebra fails the connection on bad magic, oversize, bad checksum and
// any parse error (docs/protocols/zcash.md §1.4); the caller closes the connection. Encoding errors are our own bugs or
// misuse and carry action `transient` (nobody remote to blame).

import { PeerwireError } from '../../core/errors.ts';

export const ZcashErrorCode = {
  /** Header magic differs from the configured network's. */
  BadMagic: 'ERR_ZCASH_BAD_MAGIC',
  /** Command field is not NUL-padded printable ASCII. */
  BadCommand: 'ERR_ZCASH_BAD_COMMAND',
  /** Header announces a body over the current limit (1 KiB pre-handshake, 2 MiB after). */
  FrameTooLarge: 'ERR_ZCASH_FRAME_TOO_LARGE',
  /** Body checksum does not match the header. */
  BadChecksum: 'ERR_ZCASH_BAD_CHECKSUM',
  /** A known command's body does not parse (Zebra "parse error"). */
  Malformed: 'ERR_ZCASH_MALFORMED',
  /** The decoder was fed more than one frame's worth without being drained (caller bug). */
  DecoderOverflow: 'ERR_ZCASH_DECODER_OVERFLOW',
  /** A message we were asked to encode violates a protocol limit. */
  Encode: 'ERR_ZCASH_ENCODE',
} as const;

export type ZcashErrorCodeValue = (typeof ZcashErrorCode)[keyof typeof ZcashErrorCode];

/** A parse error on remote input: the connection must be closed. */
export function malformed(message: string, cause?: unknown): PeerwireError {
  return new PeerwireError(ZcashErrorCode.Malformed, message, { action: 'disconnect', cause });
}

/** A local encoding error (message violates a limit); never the peer's fault. */
export function encodeError(message: string): PeerwireError {
  return new PeerwireError(ZcashErrorCode.Encode, message, { action: 'transient' });
}
