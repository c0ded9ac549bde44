// A Connection speaking the plain test wire over any ByteLink. Received chunks are decoded as they
// arrive (synchronously, in the link's event): handshake frames drive PlainHandshake, data frames go to
// the Inbox that the consumer iterates. Limits are checked from each frame header before allocating:
// before the handshake only handshake frames up to MAX_HANDSHAKE_BYTES are accepted; after it, only
// the channels we advertised, each up to its recvMessageCapacity. A data frame on another channel
// closes the connection with ERR_UNKNOWN_CHANNEL, as CometBFT does.

import { abortReason } from '../core/abort.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../core/errors.ts';
import type { ByteLink } from '../transport/byte-link.ts';
import { Inbox } from '../transport/inbox.ts';
import type {
  Connection,
  Direction,
  Endpoint,
  InboundMessage,
  LocalNode,
  PeerInfo,
} from '../transport/types.ts';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, writeFrameHeader } from './frame-codec.ts';
import { MAX_HANDSHAKE_BYTES, PlainHandshake } from './handshake.ts';
import { handshakeStartRefusal } from '../transport/handshake-start.ts';

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

type State = 'new' | 'handshaking' | 'open' | 'closed';

export class PlainConnection implements Connection {
  readonly direction: Direction;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  readonly closed: Promise<PeerwireError | undefined>;
  private readonly link: ByteLink;
  private readonly inbox: Inbox;
  private readonly decoder: FrameDecoder;
  private readonly maxPayload: number;
  private state: State = 'new';
  private handshaker: PlainHandshake | undefined;
  /** The peer's hello, if it arrived before handshake() was called. */
  private earlyHello: Buffer | undefined;
  /** Our channels and their receive limits, known once handshake() is called. */
  private channelLimits = new Map<number, number>();
  private settle: { resolve: (info: PeerInfo) => void; reject: (error: PeerwireError) => void } | undefined;

  constructor(link: ByteLink, direction: Direction, options: PlainConnectionOptions = {}) {
    this.link = link;
    this.direction = direction;
    this.localEndpoint = link.localEndpoint;
    this.remoteEndpoint = link.remoteEndpoint;
    this.closed = link.closed;
    this.maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.inbox = new Inbox(link, {
      ...(options.receiveBufferBytes === undefined ? {} : { budgetBytes: options.receiveBufferBytes }),
      maxMessageBytes: this.maxPayload,
    });
    this.decoder = new FrameDecoder({
      maxPayload: (channel) => this.limitFor(channel),
      onFrame: (channel, payload) => this.onFrame(channel, payload),
    });
    link.attach({
      onData: (chunk) => this.onData(chunk),
      onClose: (reason) => this.onLinkClose(reason),
    });
  }

  get bufferedBytes(): number {
    return this.link.bufferedBytes;
  }

  handshake(local: LocalNode, signal: AbortSignal): Promise<PeerInfo> {
    const refusal = handshakeStartRefusal(
      this.state,
      signal,
      () => this.closedError(),
      (e) => this.close(e),
    );
    if (refusal !== undefined) return Promise.reject(refusal);
    try {
      this.channelLimits = channelLimits(local, this.maxPayload);
      this.handshaker = new PlainHandshake(local);
    } catch (error) {
      const typed = toPeerwireError(error, ErrorCode.InvalidArgument, 'transient');
      this.close(typed);
      return Promise.reject(typed);
    }
    this.state = 'handshaking';
    const result = new Promise<PeerInfo>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    const onAbort = (): void => this.close(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const detach = (): void => signal.removeEventListener('abort', onAbort);
    result.then(detach, detach);
    this.link.write(encodeFrame(HANDSHAKE_CHANNEL, this.handshaker.hello()));
    const early = this.earlyHello;
    this.earlyHello = undefined;
    if (early !== undefined) this.guard(() => this.onHandshakeFrame(early));
    return result;
  }

  send(channelId: number, bytes: Uint8Array): boolean {
    if (this.state !== 'open') {
      if (this.state === 'closed') throw this.closedError();
      throw new PeerwireError(ErrorCode.InvalidArgument, 'send before the handshake completed', {
        action: 'transient',
      });
    }
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

  drained(signal?: AbortSignal): Promise<void> {
    return this.link.drained(signal);
  }

  /**
   * Without an error, bytes already sent are flushed before the stream ends (bounded by the link's
   * linger time); with an error, unsent bytes are discarded. Either way queued inbound messages are
   * dropped and a pending handshake() rejects.
   */
  close(error?: PeerwireError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.decoder.halt();
    this.inbox.abort(error);
    this.rejectHandshake(error);
    this.link.close(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<InboundMessage> {
    return this.inbox[Symbol.asyncIterator]();
  }

  private onData(chunk: Buffer): void {
    this.guard(() => this.decoder.push(chunk));
  }

  /** Runs decoding work; any error closes the connection with a typed reason. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.close(toPeerwireError(error, ErrorCode.Malformed, 'disconnect'));
    }
  }

  private onLinkClose(reason: PeerwireError | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.decoder.halt();
    this.inbox.end(reason);
    this.rejectHandshake(reason);
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
      this.inbox.push({ channelId: channel, bytes: payload });
      return;
    }
    if (this.state === 'new') {
      if (this.earlyHello !== undefined) {
        throw new PeerwireError(ErrorCode.HandshakeFailed, 'second handshake frame before our hello', {
          action: 'disconnect',
        });
      }
      this.earlyHello = payload;
      return;
    }
    this.onHandshakeFrame(payload);
  }

  private onHandshakeFrame(payload: Buffer): void {
    const { reply, info } = this.handshaker!.receive(payload);
    if (reply !== undefined) this.link.write(encodeFrame(HANDSHAKE_CHANNEL, reply));
    if (info !== undefined) {
      this.state = 'open';
      const settle = this.settle;
      this.settle = undefined;
      settle?.resolve(info);
    }
  }

  private rejectHandshake(reason: PeerwireError | undefined): void {
    const settle = this.settle;
    if (settle === undefined) return;
    this.settle = undefined;
    settle.reject(reason ?? this.closedError());
  }

  private closedError(): PeerwireError {
    return new PeerwireError(ErrorCode.Closed, 'connection closed', { action: 'transient' });
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
