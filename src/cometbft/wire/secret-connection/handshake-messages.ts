// The two SecretConnection handshake messages, encoded and parsed by hand (cometbft-wire docs/protocols/cometbft.md §1.2,
// §1.7): the cleartext ephemeral-key message (a delimited google.protobuf.BytesValue, always the 35
// bytes `22 0a 20 <32-byte X25519 key>`) and the encrypted AuthSigMessage (a delimited protobuf
// `{ PublicKey pub_key = 1; bytes sig = 2 }`, 103 bytes for Ed25519). Remote bytes never crash the
// parser: every failure is a PeerwireError, and sizes are checked before anything is allocated.

import { ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES } from '../../../core/node-key.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';
import { X25519_KEY_BYTES } from './key-schedule.ts';

/** `22 0a 20`: uvarint length 34, BytesValue field 1 (wire type 2), value length 32. */
const EPHEMERAL_PREFIX = Uint8Array.of(0x22, 0x0a, 0x20);
/** The whole ephemeral-key message: prefix + key. Strict like tendermint-rs; honest peers send nothing else. */
export const EPHEMERAL_MESSAGE_BYTES = EPHEMERAL_PREFIX.length + X25519_KEY_BYTES;

/**
 * Largest AuthSigMessage body accepted. An Ed25519 one is 102 bytes; Go's generic delimited reader would
 * allow 1 MiB, but only Ed25519 is accepted, and any public-key type with its signature fits ten times
 * over in 1 KiB: a larger claim can only be hostile and is refused before anything is buffered.
 */
export const MAX_AUTH_SIG_BODY_BYTES = 1024;
/** Upper bound of a delimited AuthSigMessage (2-byte uvarint for lengths up to 16383 + body). */
export const MAX_AUTH_SIG_MESSAGE_BYTES = 2 + MAX_AUTH_SIG_BODY_BYTES;

/**
 * PublicKey oneof members known to the spec (§1.7). Other field numbers are skipped as unknown fields,
 * exactly as Go's decoder does, which leaves the oneof empty (`key type <nil> is not supported`).
 */
const PUBKEY_FIELD_NAMES: Readonly<Record<number, string>> = { 1: 'ed25519', 2: 'secp256k1' };

export function encodeEphemeralKeyMessage(publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(EPHEMERAL_MESSAGE_BYTES);
  out.set(EPHEMERAL_PREFIX, 0);
  out.set(publicKey, EPHEMERAL_PREFIX.length);
  return out;
}

function malformedEphemeral(message: string): Error {
  return secretConnectionError(SecretConnectionErrorCode.MalformedEphemeralKey, message, 'ban');
}

/**
 * Checks the first `length` bytes of a (possibly incomplete) ephemeral-key message, so a wrong prefix is
 * refused as soon as its first byte arrives instead of after 35 bytes.
 */
export function checkEphemeralKeyPrefix(bytes: Uint8Array, length: number): void {
  const n = Math.min(length, EPHEMERAL_PREFIX.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== EPHEMERAL_PREFIX[i]) {
      throw malformedEphemeral(
        `ephemeral key message must start with 220a20 (byte ${i} is ${bytes[i]!.toString(16).padStart(2, '0')})`,
      );
    }
  }
}

/** Parses a complete 35-byte ephemeral-key message; returns a copy of the 32-byte key. */
export function decodeEphemeralKeyMessage(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== EPHEMERAL_MESSAGE_BYTES) {
    throw malformedEphemeral(
      `ephemeral key message must be ${EPHEMERAL_MESSAGE_BYTES} bytes, got ${bytes.length}`,
    );
  }
  checkEphemeralKeyPrefix(bytes, bytes.length);
  return bytes.slice(EPHEMERAL_PREFIX.length);
}

/** The delimited AuthSigMessage for an Ed25519 key: always the 103 bytes of docs/protocols/cometbft.md §1.7. */
export function encodeAuthSigMessage(publicKey: Uint8Array, signature: Uint8Array): Uint8Array {
  if (publicKey.length !== ED25519_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) {
    throw malformedAuthSig('only 32-byte Ed25519 keys with 64-byte signatures are encoded');
  }
  const out = new Uint8Array(1 + 2 + 2 + ED25519_KEY_BYTES + 2 + ED25519_SIGNATURE_BYTES);
  let o = 0;
  out[o++] = out.length - 1; // body length 102 < 128: a one-byte uvarint
  out[o++] = 0x0a; // field 1 (pub_key), wire type 2
  out[o++] = 2 + ED25519_KEY_BYTES;
  out[o++] = 0x0a; // PublicKey.ed25519, field 1, wire type 2
  out[o++] = ED25519_KEY_BYTES;
  out.set(publicKey, o);
  o += ED25519_KEY_BYTES;
  out[o++] = 0x12; // field 2 (sig), wire type 2
  out[o++] = ED25519_SIGNATURE_BYTES;
  out.set(signature, o);
  return out;
}

function malformedAuthSig(message: string): Error {
  return secretConnectionError(SecretConnectionErrorCode.MalformedAuthSig, message, 'ban');
}

/** Result of scanning for a uvarint: its value and size, or `undefined` while more bytes are needed. */
export function readDelimitedLength(
  bytes: Uint8Array,
  length: number,
): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < length && i < 3; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > MAX_AUTH_SIG_BODY_BYTES) {
        throw malformedAuthSig(`AuthSigMessage length ${value} exceeds ${MAX_AUTH_SIG_BODY_BYTES}`);
      }
      return { value, size: i + 1 };
    }
  }
  // Three continuation bytes already mean a length >= 2^21, far beyond the limit.
  if (length >= 3) throw malformedAuthSig(`AuthSigMessage length prefix exceeds ${MAX_AUTH_SIG_BODY_BYTES}`);
  return undefined;
}

/** A protobuf field reader over a bounded buffer; every overrun is a MalformedAuthSig error. */
class FieldReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.buf.length) throw malformedAuthSig('truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift < 49) value += (b & 0x7f) * 2 ** shift;
      else if ((b & 0x7f) !== 0) value = Number.MAX_SAFE_INTEGER; // beyond any valid size: caught by callers
      if ((b & 0x80) === 0) return value;
    }
    throw malformedAuthSig('varint longer than 10 bytes');
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n > this.buf.length - this.pos) throw malformedAuthSig('length-delimited field overruns the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips a field of the given wire type (unknown fields are legal protobuf); groups are refused. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw malformedAuthSig(`unsupported protobuf wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.buf.length - this.pos) throw malformedAuthSig('fixed-width field overruns the message');
    this.pos += n;
  }
}

export interface AuthSigMessage {
  /** The Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Decodes an AuthSigMessage body (without its length prefix). Like Go's gogoproto decoder it accepts
 * fields in any order and skips unknown ones (last occurrence wins); the key must be Ed25519.
 */
export function decodeAuthSigMessage(body: Uint8Array): AuthSigMessage {
  const reader = new FieldReader(body);
  let pubKeyField: Uint8Array | undefined;
  let signature: Uint8Array = new Uint8Array(0);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw malformedAuthSig('protobuf field number 0');
    if (field === 1 && wireType === 2) pubKeyField = reader.bytes();
    else if (field === 2 && wireType === 2) signature = reader.bytes();
    else reader.skip(wireType);
  }
  if (pubKeyField === undefined) throw unsupportedKey('no public key');
  const keyReader = new FieldReader(pubKeyField);
  let keyType: number | undefined;
  let keyBytes: Uint8Array | undefined;
  while (!keyReader.done) {
    const tag = keyReader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw malformedAuthSig('protobuf field number 0');
    if (wireType === 2 && field in PUBKEY_FIELD_NAMES) {
      keyType = field;
      keyBytes = keyReader.bytes();
    } else keyReader.skip(wireType);
  }
  if (keyType === undefined || keyBytes === undefined)
    throw unsupportedKey('key type <nil> is not supported');
  if (keyType !== 1) throw unsupportedKey(`expected pubkey type ed25519, got ${PUBKEY_FIELD_NAMES[keyType]}`);
  if (keyBytes.length !== ED25519_KEY_BYTES) {
    throw malformedAuthSig(
      `invalid size for PubKeyEd25519: got ${keyBytes.length}, expected ${ED25519_KEY_BYTES}`,
    );
  }
  return { publicKey: keyBytes.slice(), signature: signature.slice() };
}

function unsupportedKey(message: string): Error {
  return secretConnectionError(SecretConnectionErrorCode.UnsupportedKeyType, message, 'ban');
}
