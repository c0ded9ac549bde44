// Fault injection for in-process links, so tests and simulations can reproduce slow, lossy and broken
// networks deterministically. Faults are set per network (the default for every link) and may be
// replaced per link; they apply to both directions and are read at write time, so a change affects the
// next write.
//
// Loss discards a whole write unit (one `write` or `writev` call on the link). peerwire's wires write
// whole frames, so on a framed wire loss drops whole frames and the stream stays parseable. On an
// encrypted wire (SecretConnection) a lost frame desynchronises the nonce, so the next frame fails
// authentication: the connection closes with that wire's typed decryption error, as a real corrupting
// network would make it.

import { ErrorCode, PeerwireError } from '../core/errors.ts';

export interface LinkFaults {
  /** Added to every chunk's delivery, in milliseconds (one way). Default 0. Order is kept. */
  readonly delayMs?: number;
  /** Per-direction bandwidth cap in bytes per second; chunks are delivered no faster. Default: none. */
  readonly bandwidthBytesPerSec?: number;
  /** Probability in [0, 1] that a whole write unit is discarded. Default 0. */
  readonly loss?: number;
}

export const NO_FAULTS: LinkFaults = Object.freeze({});

export function checkFaults(faults: LinkFaults): LinkFaults {
  const { delayMs = 0, bandwidthBytesPerSec = 0, loss = 0 } = faults;
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw invalid('delayMs must be a finite number >= 0');
  if (!(bandwidthBytesPerSec >= 0) || !Number.isFinite(bandwidthBytesPerSec)) {
    throw invalid('bandwidthBytesPerSec must be a finite number >= 0 (0 = unlimited)');
  }
  if (!(loss >= 0 && loss <= 1)) throw invalid('loss must be a probability in [0, 1]');
  return Object.freeze({ ...faults });
}

function invalid(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, `link faults: ${message}`, { action: 'transient' });
}
