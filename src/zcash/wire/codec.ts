// The Zcash message codec for one connection: a streaming frame decoder plus body codecs, configured
// for a network and switched by the caller from the pre-handshake mode (1 KiB bodies, our current
// protocol version) to the post-handshake mode (the network's full limit, the negotiated version) —
// Zebra's codec reconfiguration after a successful handshake (docs/protocols/zcash.md §3.1 step 9). Sans-I/O: bytes in,
// messages out; bytes out for `encode`. Errors are PeerwireErrors with action `disconnect`; the
// caller closes the connection. Unknown commands come out as `{ command: 'unknown' }`.

import { PeerwireError } from '../../core/errors.ts';
import { ByteWriter } from '../encoding/byte-writer.ts';
import { HEADER_LENGTH, MAX_HANDSHAKE_BODY_LENGTH } from '../encoding/constants.ts';
import { ZcashErrorCode, encodeError, malformed } from '../encoding/errors.ts';
import { type Frame, FrameDecoder } from './frame-decoder.ts';
import { type Magic, type MalformedCommandPolicy, frameTooLarge, writeFrameHeader } from './frame-header.ts';
import { EMPTY_BODY_DIGEST, sha256d } from '../encoding/hashes.ts';
import { type BodyContext, decodeBlockPiecesBody, decodeMessageBody, encodeMessageBody } from './message-body.ts';
import { type OutboundMessage, type ZcashMessage, isKnownCommand } from './messages.ts';
import type { NetworkParams } from '../params/network-params.ts';
import type { ChainFormat } from '../chain/chain-format.ts';

export interface ZcashCodecOptions {
  readonly network: NetworkParams;
  /** Version used before the handshake completes (default: `network.protocolVersion`). */
  readonly protocolVersion?: number;
  /** Body limit before the handshake completes (default 1024, Zebra MAX_HANDSHAKE_BODY_LEN). */
  readonly handshakeMaxBodyLength?: number;
  /** Body limit after the handshake (default `network.maxBodyLength`: 2 MiB for Zcash). */
  readonly maxBodyLength?: number;
  /** Malformed command fields: 'reject' (default) or 'ignore' (Zebra's exact behaviour). */
  readonly malformedCommand?: MalformedCommandPolicy;
  /**
   * Gather bodies that arrive split across chunks into one reused buffer (FrameDecoderOptions): each
   * message is then valid only until the next `next()` call. Default false.
   */
  readonly reuseSplitBodies?: boolean;
  /**
   * Join split bodies as they arrive instead of keeping their pieces (FrameDecoderOptions): for a
   * consumer that reads every body contiguous, as a connection does for the router. Default false.
   */
  readonly joinSplitBodies?: boolean;
}

/** Options of the one-shot `encodeMessage`. */
export interface EncodeOptions {
  readonly magic: Magic;
  /** Version written into getblocks/getheaders. */
  readonly protocolVersion: number;
  /** Largest body allowed (an oversize message is an encoding error, as in Zebra). */
  readonly maxBodyLength: number;
  /** Block and transaction format checked before sending (default 'zcash'). */
  readonly chainFormat?: ChainFormat;
}

/** Encodes one message as a complete frame (header + body) in a single buffer. */
export function encodeMessage(message: OutboundMessage, options: EncodeOptions): Uint8Array {
  const command: string = message.command;
  if (command === 'addrv2' || command === 'unknown') throw encodeError(`${command} cannot be encoded`);
  const sizeHint =
    message.command === 'block'
      ? message.block.bytes.length
      : message.command === 'tx'
        ? message.tx.bytes.length
        : 232;
  const w = new ByteWriter(HEADER_LENGTH + sizeHint);
  w.zeros(HEADER_LENGTH);
  encodeMessageBody(w, message, { protocolVersion: options.protocolVersion, chainFormat: options.chainFormat ?? 'zcash' });
  const frame = w.finish();
  const bodyLength = frame.length - HEADER_LENGTH;
  if (bodyLength > options.maxBodyLength) {
    const err = frameTooLarge(bodyLength, options.maxBodyLength);
    throw new PeerwireError(ZcashErrorCode.Encode, err.message, {
      action: 'transient',
      details: err.details,
    });
  }
  const digest = bodyLength === 0 ? EMPTY_BODY_DIGEST : sha256d(frame.subarray(HEADER_LENGTH));
  writeFrameHeader(frame, 0, options.magic, command, bodyLength, digest);
  return frame;
}

/**
 * Turns a verified frame into a message (known command → parsed body; otherwise `unknown`). A split
 * frame's body is joined only when the message needs it contiguous (all but Zcash blocks).
 */
export function decodeFrame(frame: Frame, ctx: BodyContext): ZcashMessage {
  const command = frame.command;
  if (!frame.known || !isKnownCommand(command))
    return { command: 'unknown', name: command, body: frame.body };
  try {
    // A Zcash block split across reads is walked in its pieces; its bytes are joined only when read.
    const pieces = frame.pieces;
    if (pieces !== undefined && command === 'block' && (ctx.chainFormat ?? 'zcash') === 'zcash') {
      return decodeBlockPiecesBody(pieces, frame.bodyLength, () => frame.body);
    }
    return decodeMessageBody(command, frame.body, ctx, frame.digest);
  } catch (err) {
    if (err instanceof PeerwireError) throw err;
    // Defensive: body codecs only throw PeerwireErrors; anything else is still the peer's bad input.
    throw malformed(`${command}: ${(err as Error).message}`, err);
  }
}

export class ZcashCodec {
  readonly network: NetworkParams;
  private readonly decoder: FrameDecoder;
  private readonly fullMaxBody: number;
  private ctx: BodyContext;
  private complete = false;

  constructor(options: ZcashCodecOptions) {
    this.network = options.network;
    this.fullMaxBody = options.maxBodyLength ?? options.network.maxBodyLength;
    this.ctx = {
      protocolVersion: options.protocolVersion ?? options.network.protocolVersion,
      chainFormat: options.network.family,
    };
    this.decoder = new FrameDecoder({
      magic: options.network.magic,
      maxBodyLength: options.handshakeMaxBodyLength ?? MAX_HANDSHAKE_BODY_LENGTH,
      malformedCommand: options.malformedCommand ?? 'reject',
      reuseSplitBodies: options.reuseSplitBodies ?? false,
      joinSplitBodies: options.joinSplitBodies ?? false,
    });
  }

  /** True once `completeHandshake` was called. */
  get handshakeComplete(): boolean {
    return this.complete;
  }

  /** The version written into and required in getblocks/getheaders. */
  get protocolVersion(): number {
    return this.ctx.protocolVersion;
  }

  /** What body decoding depends on now (version, chain format): for callers that decode frames themselves. */
  get bodyContext(): BodyContext {
    return this.ctx;
  }

  /** Current body limit (both directions). */
  get maxBodyLength(): number {
    return this.decoder.maxBodyLength;
  }

  /** Memory held by the frame decoder (see FrameDecoder.retainedBytes). */
  get retainedBytes(): number {
    return this.decoder.retainedBytes;
  }

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /**
   * Switches to post-handshake mode: the full body limit and the negotiated version
   * (min(ours, theirs)). Applies to every frame whose header is decoded after this call.
   */
  completeHandshake(negotiatedVersion: number): void {
    if (!Number.isInteger(negotiatedVersion) || negotiatedVersion < 0 || negotiatedVersion > 0xffffffff) {
      throw encodeError(`invalid negotiated version ${negotiatedVersion}`);
    }
    this.ctx = { protocolVersion: negotiatedVersion, chainFormat: this.network.family };
    this.decoder.setMaxBodyLength(this.fullMaxBody);
    this.complete = true;
  }

  /** Queues received bytes; drain with `next()` until it returns undefined. */
  push(chunk: Uint8Array): void {
    this.decoder.push(chunk);
  }

  /**
   * The next decoded message, or undefined when more bytes are needed. Its byte fields are views of the
   * pushed chunks (a block split across chunks keeps its pieces and joins its `bytes` on first read) or
   * of the buffer a split body was joined into (with `reuseSplitBodies`, valid only until the next call).
   */
  next(): ZcashMessage | undefined {
    const frame = this.decoder.next();
    if (frame === undefined) return undefined;
    return decodeFrame(frame, this.ctx);
  }

  /** The next verified raw frame (for callers that parse lazily, e.g. relays and benchmarks). */
  nextFrame(): Frame | undefined {
    return this.decoder.next();
  }

  /** Encodes a message as one frame for this network, mode and version. */
  encode(message: OutboundMessage): Uint8Array {
    return encodeMessage(message, {
      magic: this.network.magic,
      protocolVersion: this.ctx.protocolVersion,
      maxBodyLength: this.decoder.maxBodyLength,
      chainFormat: this.network.family,
    });
  }
}
