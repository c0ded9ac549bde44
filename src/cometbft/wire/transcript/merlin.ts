// Merlin transcripts (merlin.cool): a Fiat-Shamir transcript on STROBE-128. SecretConnection feeds the
// two sorted ephemeral keys and the DH secret into one and signs the 32-byte challenge it yields
// (cometbft-wire docs/protocols/cometbft.md §1.4 and Appendix A). Labels and messages are raw bytes; strings are UTF-8.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { Strobe128 } from './strobe.ts';

/** STROBE protocol label of every Merlin transcript (Merlin spec). */
const MERLIN_PROTOCOL_LABEL = 'Merlin v1.0';
/** Label of the domain separator appended by `new Transcript(label)`. */
const DOMAIN_SEPARATOR_LABEL = 'dom-sep';
/** Lengths are framed as LE32, so a message or challenge must stay below 2^32 bytes. */
const MAX_LENGTH = 0xffff_ffff;

const utf8 = new TextEncoder();

function bytesOf(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? utf8.encode(value) : value;
}

function le32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > MAX_LENGTH) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `merlin: length ${n} does not fit in 32 bits`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

export class MerlinTranscript {
  private readonly strobe = new Strobe128(utf8.encode(MERLIN_PROTOCOL_LABEL));

  /** `Transcript::new(label)`: STROBE init, then the label appended under `dom-sep`. */
  constructor(label: Uint8Array | string) {
    this.appendMessage(DOMAIN_SEPARATOR_LABEL, label);
  }

  /** `append_message(label, message)`: meta-AD(label), meta-AD(LE32(len)) continued, AD(message). */
  appendMessage(label: Uint8Array | string, message: Uint8Array | string): void {
    const data = bytesOf(message);
    this.strobe.ad(bytesOf(label), true, false);
    this.strobe.ad(le32(data.length), true, true);
    this.strobe.ad(data, false, false);
  }

  /** `challenge_bytes(label, n)`: meta-AD(label), meta-AD(LE32(n)) continued, PRF(n). */
  challengeBytes(label: Uint8Array | string, length: number): Uint8Array {
    const framedLength = le32(length);
    this.strobe.ad(bytesOf(label), true, false);
    this.strobe.ad(framedLength, true, true);
    return this.strobe.prf(length, false, false);
  }
}
