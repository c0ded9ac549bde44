// The SecretConnection handshake as a sans-I/O state machine (cometbft-wire docs/protocols/cometbft.md §1): bytes in, bytes to
// send and finally an authenticated SecretSession out. No sockets, no timers (the caller enforces the
// 3 s deadline real nodes use). Both sides run the same procedure:
//
//   start()            -> our 35-byte ephemeral-key message (send it at once, do not wait for the peer)
//   receive(bytes)*    -> after the peer's ephemeral key: our sealed AuthSigMessage to send;
//                         after the peer's AuthSigMessage: `done` (the session) and any plaintext that
//                         followed it in the same frames (`data`, to hand to the next layer first).
//
// One `receive` may return both `send` and `done` (when the peer's key and AuthSig arrive together):
// write `send` first. Any error is final: the machine refuses further input and rethrows it.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { verifyEd25519, type NodeKey } from '../../../core/node-key.ts';
import { secretConnectionError, SecretConnectionErrorCode } from './errors.ts';
import { FrameOpener } from './frame-opener.ts';
import { FrameSealer } from './frame-sealer.ts';
import {
  checkEphemeralKeyPrefix,
  decodeAuthSigMessage,
  decodeEphemeralKeyMessage,
  encodeAuthSigMessage,
  encodeEphemeralKeyMessage,
  EPHEMERAL_MESSAGE_BYTES,
  MAX_AUTH_SIG_MESSAGE_BYTES,
  readDelimitedLength,
} from './handshake-messages.ts';
import {
  computeChallenge,
  computeSharedSecret,
  createEphemeralKeyPair,
  deriveSecrets,
  sortEphemeralKeys,
  type EphemeralKeyPair,
} from './key-schedule.ts';
import { SecretSession } from './session.ts';

export interface SecretConnectionHandshakeOptions {
  /** Our long-term Ed25519 identity; its signature over the challenge authenticates us. */
  readonly nodeKey: NodeKey;
  /**
   * Test/vector hook: a fixed raw X25519 ephemeral private key (32 bytes). Default: a fresh random key
   * per handshake. Never set it in production (a reused ephemeral key gives up forward secrecy).
   */
  readonly ephemeralPrivateKey?: Uint8Array;
}

export interface HandshakeStep {
  /** Bytes to write to the peer now (before acting on `done`). */
  readonly send?: Uint8Array;
  /** The established session, once the peer's AuthSigMessage verified. */
  readonly done?: SecretSession;
  /** With `done`: decrypted bytes that followed the AuthSigMessage (the start of the next layer's stream). */
  readonly data?: Uint8Array[];
}

type State = 'new' | 'awaitEphemeral' | 'awaitAuthSig' | 'done' | 'failed';

export class SecretConnectionHandshake {
  private state: State = 'new';
  private failure: PeerwireError | undefined;
  private readonly nodeKey: NodeKey;
  private ephemeral: EphemeralKeyPair | undefined;
  private readonly ephemeralInput = new Uint8Array(EPHEMERAL_MESSAGE_BYTES);
  private ephemeralLength = 0;
  private challenge: Uint8Array | undefined;
  private sealer: FrameSealer | undefined;
  private opener: FrameOpener | undefined;
  /** The peer's delimited AuthSigMessage, gathered from decrypted frames (bounded, see below). */
  private authSig: Uint8Array | undefined;
  private authSigLength = 0;
  /** Total size of the delimited AuthSigMessage once its length prefix was read. */
  private authSigTotal: number | undefined;

  constructor(options: SecretConnectionHandshakeOptions) {
    this.nodeKey = options.nodeKey;
    this.ephemeral = createEphemeralKeyPair(options.ephemeralPrivateKey);
    this.localEphemeralPublicKey = this.ephemeral.publicKey;
  }

  /** Our ephemeral X25519 public key (32 bytes). */
  readonly localEphemeralPublicKey: Uint8Array;

  /** Bytes held while waiting for the rest of a message (bounded: < 35 + 1026 + 1044). */
  get bufferedBytes(): number {
    return this.ephemeralLength + this.authSigLength + (this.opener?.bufferedBytes ?? 0);
  }

  /** Returns the ephemeral-key message to send immediately. Call once, before `receive`. */
  start(): Uint8Array {
    if (this.state !== 'new') throw this.invalidState('start() was already called');
    this.state = 'awaitEphemeral';
    return encodeEphemeralKeyMessage(this.localEphemeralPublicKey);
  }

  /** Feeds bytes received from the peer (any chunking). */
  receive(bytes: Uint8Array): HandshakeStep {
    if (this.failure !== undefined) throw this.failure;
    if (this.state === 'new') throw this.invalidState('receive() before start()');
    if (this.state === 'done') throw this.invalidState('the handshake is complete; use the session');
    try {
      return this.step(bytes);
    } catch (error) {
      this.state = 'failed';
      this.failure =
        error instanceof PeerwireError
          ? error
          : new PeerwireError(ErrorCode.HandshakeFailed, 'secret connection handshake failed', {
              cause: error,
            });
      this.discardSecrets();
      throw this.failure;
    }
  }

  private step(bytes: Uint8Array): HandshakeStep {
    let offset = 0;
    let send: Uint8Array | undefined;
    if (this.state === 'awaitEphemeral') {
      const take = Math.min(EPHEMERAL_MESSAGE_BYTES - this.ephemeralLength, bytes.length);
      this.ephemeralInput.set(bytes.subarray(0, take), this.ephemeralLength);
      this.ephemeralLength += take;
      offset = take;
      checkEphemeralKeyPrefix(this.ephemeralInput, this.ephemeralLength);
      if (this.ephemeralLength < EPHEMERAL_MESSAGE_BYTES) return {};
      send = this.onEphemeralKey(decodeEphemeralKeyMessage(this.ephemeralInput));
      this.ephemeralLength = 0;
      this.state = 'awaitAuthSig';
    }
    const data: Uint8Array[] = [];
    if (offset < bytes.length) {
      this.opener!.openEach(offset === 0 ? bytes : bytes.subarray(offset), (piece) =>
        this.onPlaintext(piece, data),
      );
    }
    if (this.authSigTotal === undefined || this.authSigLength < this.authSigTotal) {
      return send === undefined ? {} : { send };
    }
    const session = this.onAuthSig();
    return send === undefined ? { done: session, data } : { send, done: session, data };
  }

  /** Key agreement, key schedule, and our sealed AuthSigMessage (docs/protocols/cometbft.md §1.3-1.7). */
  private onEphemeralKey(remoteEphemeral: Uint8Array): Uint8Array {
    const ours = this.ephemeral!;
    const { lower, upper, locIsLeast } = sortEphemeralKeys(ours.publicKey, remoteEphemeral);
    const dh = computeSharedSecret(ours, remoteEphemeral);
    this.challenge = computeChallenge(lower, upper, dh);
    const secrets = deriveSecrets(dh, locIsLeast);
    dh.fill(0);
    this.ephemeral = undefined;
    this.sealer = new FrameSealer(secrets.sendKey);
    this.opener = new FrameOpener(secrets.recvKey);
    secrets.sendKey.fill(0);
    secrets.recvKey.fill(0);
    this.authSig = new Uint8Array(MAX_AUTH_SIG_MESSAGE_BYTES);
    const signature = this.nodeKey.sign(this.challenge);
    return this.sealer.seal([encodeAuthSigMessage(this.nodeKey.publicKey, signature)]);
  }

  /** Gathers the AuthSigMessage from the decrypted stream; what follows it goes to `data`. */
  private onPlaintext(piece: Uint8Array, data: Uint8Array[]): void {
    const buf = this.authSig!;
    let p = 0;
    while (p < piece.length && (this.authSigTotal === undefined || this.authSigLength < this.authSigTotal)) {
      if (this.authSigTotal === undefined) {
        buf[this.authSigLength++] = piece[p++]!;
        const prefix = readDelimitedLength(buf, this.authSigLength);
        if (prefix !== undefined) this.authSigTotal = prefix.size + prefix.value;
      } else {
        const take = Math.min(this.authSigTotal - this.authSigLength, piece.length - p);
        buf.set(piece.subarray(p, p + take), this.authSigLength);
        this.authSigLength += take;
        p += take;
      }
    }
    // The piece is the opener's transient view (frame-opener.ts): what follows the AuthSig is copied.
    if (p < piece.length) data.push(piece.slice(p));
  }

  /** Verifies the peer's AuthSigMessage (docs/protocols/cometbft.md §1.8) and builds the session. */
  private onAuthSig(): SecretSession {
    const total = this.authSigTotal!;
    const prefixSize = readDelimitedLength(this.authSig!, total)!.size;
    const message = decodeAuthSigMessage(this.authSig!.subarray(prefixSize, total));
    if (!verifyEd25519(message.publicKey, this.challenge!, message.signature)) {
      throw secretConnectionError(
        SecretConnectionErrorCode.ChallengeVerification,
        'challenge verification failed',
        'ban',
      );
    }
    const session = new SecretSession(message.publicKey, this.sealer!, this.opener!);
    this.state = 'done';
    this.discardSecrets();
    return session;
  }

  private discardSecrets(): void {
    this.ephemeral = undefined;
    this.challenge = undefined;
    this.authSig = undefined;
    this.authSigLength = 0;
    this.authSigTotal = undefined;
    this.sealer = undefined;
    this.opener = undefined;
  }

  private invalidState(message: string): PeerwireError {
    return secretConnectionError(SecretConnectionErrorCode.InvalidState, message, 'disconnect');
  }
}
