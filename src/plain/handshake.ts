// The plain wire's handshake, sans-I/O: it takes and returns frame payloads and never touches a link.
// It proves that the remote holds the Ed25519 key its node ID is derived from, and exchanges PeerInfo.
//
//   both sides, at once:  HELLO = [0x01][version 0x01][challenge: 32 random bytes]
//   on the peer's hello:  AUTH  = [0x02][public key: 32][signature: 64][info: UTF-8 JSON]
//                         signature = Ed25519(DOMAIN || peer's challenge || info bytes)
//
// The domain tag keeps these signatures from being valid in any other protocol. A fresh challenge per
// connection means a recorded AUTH cannot be replayed. There is no key exchange and no encryption: this
// wire exists to test the engine, and the router (not this file) checks self-connections and dialed IDs.

import { randomBytes } from 'node:crypto';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { MAX_ADDRESS_TEXT, type NodeId } from '../core/node-address.ts';
import {
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  isNodeId,
  nodeIdFromPublicKey,
  verifyEd25519,
} from '../core/node-key.ts';
import type { LocalNode, PeerInfo } from '../transport/types.ts';

export const HELLO_TYPE = 0x01;
export const AUTH_TYPE = 0x02;
export const PLAIN_VERSION = 0x01;
export const CHALLENGE_BYTES = 32;
export const HELLO_BYTES = 2 + CHALLENGE_BYTES;
/**
 * Largest handshake frame payload, in bytes. 8 KiB holds a key, a signature and a generous PeerInfo
 * (256 channels, long user agent); pre-handshake frames stay tiny so a stranger costs almost nothing.
 */
export const MAX_HANDSHAKE_BYTES = 8 * 1024;
/** Channel ids a peer may advertise (u16, 0xFFFF reserved for handshake frames). */
export const MAX_ADVERTISED_CHANNELS = 256;
const MAX_VERSION_TEXT = 64;
const MAX_NETWORK_TEXT = 128;
const MAX_USER_AGENT_TEXT = 256;
const AUTH_FIXED_BYTES = 1 + ED25519_KEY_BYTES + ED25519_SIGNATURE_BYTES;
const DOMAIN = Buffer.from('peerwire/plain/v1 auth\0', 'utf8');

/** What this wire records in PeerInfo.wire. */
export interface PlainWireRecord {
  readonly kind: 'plain';
  readonly version: number;
}

/** The PeerInfo fields carried in AUTH, as JSON. */
interface InfoJson {
  id: string;
  protocolVersion: string;
  channels: number[];
  listenAddress?: string;
  network?: string;
  userAgent?: string;
}

function failed(
  message: string,
  action: 'disconnect' | 'ban' = 'disconnect',
  cause?: unknown,
): PeerwireError {
  return new PeerwireError(ErrorCode.HandshakeFailed, `plain handshake: ${message}`, { action, cause });
}

export function encodeInfo(info: PeerInfo): Buffer {
  const json: InfoJson = { id: info.id, protocolVersion: info.protocolVersion, channels: [...info.channels] };
  if (info.listenAddress !== undefined) json.listenAddress = info.listenAddress;
  if (info.network !== undefined) json.network = info.network;
  if (info.userAgent !== undefined) json.userAgent = info.userAgent;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw failed(`${field} must be a string of at most ${max} characters`);
  return value;
}

/** Parses and bounds-checks the info JSON of an AUTH frame. Throws ERR_HANDSHAKE_FAILED. */
export function decodeInfo(bytes: Uint8Array): InfoJson {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw failed('info is not valid JSON', 'disconnect', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw failed('info must be an object');
  const raw = value as Record<string, unknown>;
  if (typeof raw.id !== 'string' || !isNodeId(raw.id))
    throw failed('info.id must be 40 lower-case hex characters');
  const protocolVersion = optionalText(raw.protocolVersion, 'protocolVersion', MAX_VERSION_TEXT);
  if (protocolVersion === undefined) throw failed('info.protocolVersion is missing');
  const channels = raw.channels;
  if (!Array.isArray(channels) || channels.length > MAX_ADVERTISED_CHANNELS) {
    throw failed(`info.channels must be an array of at most ${MAX_ADVERTISED_CHANNELS} ids`);
  }
  for (const channel of channels) {
    if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 0 || channel >= 0xffff) {
      throw failed('info.channels must hold integers in 0..65534');
    }
  }
  if (new Set(channels).size !== channels.length) throw failed('info.channels has duplicates');
  const info: InfoJson = { id: raw.id, protocolVersion, channels: channels as number[] };
  const listenAddress = optionalText(raw.listenAddress, 'listenAddress', MAX_ADDRESS_TEXT);
  const network = optionalText(raw.network, 'network', MAX_NETWORK_TEXT);
  const userAgent = optionalText(raw.userAgent, 'userAgent', MAX_USER_AGENT_TEXT);
  if (listenAddress !== undefined) info.listenAddress = listenAddress;
  if (network !== undefined) info.network = network;
  if (userAgent !== undefined) info.userAgent = userAgent;
  return info;
}

type Phase = 'await-hello' | 'await-auth' | 'done';

/**
 * One side of one handshake. Call `hello()` once and send it; pass the peer's HELLO to `onHello` and
 * send the AUTH it returns; pass the peer's AUTH to `onAuth`, which returns the verified PeerInfo.
 */
export class PlainHandshake {
  private readonly local: LocalNode;
  private readonly challenge: Buffer;
  private readonly infoBytes: Buffer;
  private phase: Phase = 'await-hello';

  constructor(local: LocalNode, challenge: Uint8Array = randomBytes(CHALLENGE_BYTES)) {
    if (local.info.id !== local.key.id) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'local info.id differs from the node key id', {
        action: 'transient',
      });
    }
    if (challenge.length !== CHALLENGE_BYTES) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `challenge must be ${CHALLENGE_BYTES} bytes`, {
        action: 'transient',
      });
    }
    this.local = local;
    this.challenge = Buffer.from(challenge);
    this.infoBytes = encodeInfo(local.info);
    if (AUTH_FIXED_BYTES + this.infoBytes.length > MAX_HANDSHAKE_BYTES) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'local info does not fit a handshake frame', {
        action: 'transient',
      });
    }
  }

  get isDone(): boolean {
    return this.phase === 'done';
  }

  /** Our HELLO payload. */
  hello(): Buffer {
    const out = Buffer.allocUnsafe(HELLO_BYTES);
    out[0] = HELLO_TYPE;
    out[1] = PLAIN_VERSION;
    this.challenge.copy(out, 2);
    return out;
  }

  /** Handles any handshake frame: returns the AUTH to send (for a HELLO) or the peer's info (for an AUTH). */
  receive(payload: Uint8Array): { readonly reply?: Buffer; readonly info?: PeerInfo } {
    const type = payload[0];
    if (type === HELLO_TYPE) return { reply: this.onHello(payload) };
    if (type === AUTH_TYPE) return { info: this.onAuth(payload) };
    throw failed(`unknown handshake frame type ${type ?? 'none'}`);
  }

  /** Verifies the peer's HELLO and returns our AUTH payload. */
  onHello(payload: Uint8Array): Buffer {
    if (this.phase !== 'await-hello') throw failed('unexpected second hello');
    if (payload.length !== HELLO_BYTES || payload[0] !== HELLO_TYPE) throw failed('malformed hello');
    if (payload[1] !== PLAIN_VERSION) throw failed(`unsupported version ${payload[1]}`);
    this.phase = 'await-auth';
    const peerChallenge = payload.subarray(2, HELLO_BYTES);
    const signature = this.local.key.sign(Buffer.concat([DOMAIN, peerChallenge, this.infoBytes]));
    const out = Buffer.allocUnsafe(AUTH_FIXED_BYTES + this.infoBytes.length);
    out[0] = AUTH_TYPE;
    out.set(this.local.key.publicKey, 1);
    out.set(signature, 1 + ED25519_KEY_BYTES);
    this.infoBytes.copy(out, AUTH_FIXED_BYTES);
    return out;
  }

  /** Verifies the peer's AUTH against our challenge and returns its PeerInfo. */
  onAuth(payload: Uint8Array): PeerInfo {
    if (this.phase !== 'await-auth') throw failed('auth before hello');
    if (payload.length < AUTH_FIXED_BYTES || payload[0] !== AUTH_TYPE) throw failed('malformed auth');
    const publicKey = new Uint8Array(payload.subarray(1, 1 + ED25519_KEY_BYTES));
    const signature = payload.subarray(1 + ED25519_KEY_BYTES, AUTH_FIXED_BYTES);
    const infoBytes = payload.subarray(AUTH_FIXED_BYTES);
    const message = Buffer.concat([DOMAIN, this.challenge, infoBytes]);
    if (!verifyEd25519(publicKey, message, signature)) throw failed('invalid signature', 'ban');
    const info = decodeInfo(infoBytes);
    const keyId: NodeId = nodeIdFromPublicKey(publicKey);
    if (info.id !== keyId) {
      throw new PeerwireError(
        ErrorCode.PeerIdMismatch,
        `plain handshake: claimed id ${info.id} is not the key's id ${keyId}`,
        {
          action: 'ban',
        },
      );
    }
    this.phase = 'done';
    const record: PlainWireRecord = { kind: 'plain', version: PLAIN_VERSION };
    return {
      id: keyId,
      publicKey,
      protocolVersion: info.protocolVersion,
      channels: info.channels,
      ...(info.listenAddress === undefined ? {} : { listenAddress: info.listenAddress }),
      ...(info.network === undefined ? {} : { network: info.network }),
      ...(info.userAgent === undefined ? {} : { userAgent: info.userAgent }),
      wire: record,
    };
  }
}
