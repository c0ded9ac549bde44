// A Connection speaking the plain test wire over any ByteLink. Received chunks are decoded as they
// arrive (synchronously, in the link's event): handshake frames drive PlainHandshake, data frames go to
// the Inbox that the consumer iterates. Limits are checked from each frame header before allocating:
// before the handshake only handshake frames up to MAX_HANDSHAKE_BYTES are accepted; after it, only
// the channels we advertised, each up to its recvMessageCapacity. A data frame on another channel
// closes the connection with ERR_UNKNOWN_CHANNEL, as CometBFT does. The lifecycle (states, handshake
// promise, a hello held from before handshake(), the inbox, close) is ConnectionShell's.

import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { ByteLink } from '../transport/byte-link.ts';
import { ConnectionShell } from '../transport/connection-shell.ts';
import type { Direction, LocalNode } from '../transport/types.ts';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, writeFrameHeader } from './frame-codec.ts';
import { MAX_HANDSHAKE_BYTES, PlainHandshake } from './handshake.ts';

/** Channel id of handshake frames; never a data channel. */
export const HANDSHAKE_CHANNEL = 0xffff;
/** Default largest data payload, in bytes: 4 MiB, enough for a block part or a large tx batch. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** Payloads up to this size are copied into one frame buffer; larger ones are written by reference. */
const COPY_PAYLOAD_BELOW_BYTES = 16 * 1024;

export interface PlainConnectionOptions {
  /** Largest data payload sent or received, in bytes (a frame adds a 6-byte header). Default 4 MiB. */
  readonly maxPayloadBytes?: number;
  /** Received bytes queued for the consumer before the link is paused. Default 1 MiB. */
  readonly receiveBufferBytes?: number;
}

export class PlainConnection extends ConnectionShell {
  private readonly decoder: FrameDecoder;
  private readonly maxPayload: number;
  private handshaker: PlainHandshake | undefined;
  /** Our channels and their receive limits, known once handshake() is called. */
  private channelLimits = new Map<number, number>();

  constructor(link: ByteLink, direction: Direction, options: PlainConnectionOptions = {}) {
    const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    super(link, direction, {
      ...(options.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: options.receiveBufferBytes }),
      maxMessageBytes: maxPayload,
      // The peer's hello is the only frame it may send before it has ours.
      maxEarlyBytes: MAX_HANDSHAKE_BYTES,
    });
    this.maxPayload = maxPayload;
    this.decoder = new FrameDecoder({
      maxPayload: (channel) => this.limitFor(channel),
      onFrame: (channel, payload) => this.onFrame(channel, payload),
    });
    this.attachLink();
  }

  protected startHandshake(local: LocalNode): void {
    this.channelLimits = channelLimits(local, this.maxPayload);
    this.handshaker = new PlainHandshake(local);
    this.link.write(encodeFrame(HANDSHAKE_CHANNEL, this.handshaker.hello()));
  }

  send(channelId: number, bytes: Uint8Array): boolean {
    const refusal = this.sendRefusal();
    if (refusal !== undefined) throw refusal;
    if (!Number.isInteger(channelId) || channelId < 0 || channelId >= HANDSHAKE_CHANNEL) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `channel id ${channelId} is not in 0..65534`, {
        action: 'transient',
      });
    }
    const length = bytes.byteLength;
    if (length > this.maxPayload) {
      throw new PeerwireError(
        ErrorCode.FrameTooLarge,
        `message of ${length} bytes exceeds ${this.maxPayload}`,
        {
          action: 'transient',
        },
      );
    }
    if (length < COPY_PAYLOAD_BELOW_BYTES) return this.link.write(encodeFrame(channelId, bytes));
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    writeFrameHeader(header, 0, channelId, length);
    return this.link.writev([header, bytes]);
  }

  /** Before handshake() frames are decoded too, so a data frame or an oversize hello fails at once. */
  protected override onEarlyBytes(chunk: Buffer): void {
    this.decoder.push(chunk);
  }

  protected onBytes(chunk: Buffer): void {
    this.decoder.push(chunk);
  }

  /** A hello held before handshake() is answered once it starts. */
  protected override replayEarly(hello: Buffer): void {
    this.onHandshakeFrame(hello);
  }

  protected override teardown(): void {
    this.decoder.halt();
  }

  private limitFor(channel: number): number {
    if (this.state === 'open') {
      const limit = this.channelLimits.get(channel);
      if (limit === undefined) {
        throw new PeerwireError(
          ErrorCode.UnknownChannel,
          `frame on channel ${channel}, which we did not advertise`,
          {
            action: 'disconnect',
            details: { channel },
          },
        );
      }
      return limit;
    }
    if (channel !== HANDSHAKE_CHANNEL) {
      throw new PeerwireError(
        ErrorCode.HandshakeFailed,
        `data frame on channel ${channel} before the handshake`,
        {
          action: 'disconnect',
        },
      );
    }
    return MAX_HANDSHAKE_BYTES;
  }

  private onFrame(channel: number, payload: Buffer): void {
    if (this.state === 'open') {
      this.deliver({ channelId: channel, bytes: payload });
      return;
    }
    if (this.state === 'new') {
      if (this.heldEarlyCount > 0) {
        throw new PeerwireError(ErrorCode.HandshakeFailed, 'second handshake frame before our hello', {
          action: 'disconnect',
        });
      }
      this.holdEarly(payload);
      return;
    }
    this.onHandshakeFrame(payload);
  }

  private onHandshakeFrame(payload: Buffer): void {
    const { reply, info } = this.handshaker!.receive(payload);
    if (reply !== undefined) this.link.write(encodeFrame(HANDSHAKE_CHANNEL, reply));
    if (info !== undefined) this.completeHandshake(info);
  }
}

/** Our channels and the largest payload accepted on each (recvMessageCapacity, capped by the wire max). */
function channelLimits(local: LocalNode, maxPayload: number): Map<number, number> {
  const limits = new Map<number, number>();
  for (const descriptor of local.channels) {
    if (!Number.isInteger(descriptor.id) || descriptor.id < 0 || descriptor.id >= HANDSHAKE_CHANNEL) {
      throw new PeerwireError(ErrorCode.InvalidArgument, `channel id ${descriptor.id} is not in 0..65534`, {
        action: 'transient',
      });
    }
    limits.set(descriptor.id, Math.min(descriptor.recvMessageCapacity, maxPayload));
  }
  return limits;
}
