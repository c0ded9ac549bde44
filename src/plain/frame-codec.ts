// Framing of the plain test wire: every frame is [u32 payload length][u16 channel][payload], big-endian.
// The decoder is sans-I/O: it takes chunks as they come off a link (frames may span chunks, a chunk may
// hold many frames) and hands out (channel, payload) pairs. Frames wholly inside a chunk are returned
// as views of it (no copy); a frame split across chunks is assembled into one buffer allocated only
// once its header has been checked against the limit for its channel.

import { ErrorCode, PeerwireError } from '../core/errors.ts';

/** u32 length + u16 channel. */
export const FRAME_HEADER_BYTES = 6;
/** Largest value of the length field (u32); real limits are far smaller. */
export const MAX_LENGTH_FIELD = 0xffff_ffff;
/** Channel ids are u16; 0xFFFF is reserved for handshake frames. */
export const MAX_CHANNEL_ID = 0xffff;

/** Writes a frame header into `target` at `offset`. */
export function writeFrameHeader(target: Buffer, offset: number, channel: number, length: number): void {
  target.writeUInt32BE(length, offset);
  target.writeUInt16BE(channel, offset + 4);
}

/** One whole frame in a fresh buffer (header and payload). */
export function encodeFrame(channel: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  writeFrameHeader(frame, 0, channel, payload.byteLength);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface FrameDecoderHandlers {
  /**
   * The largest payload accepted on `channel` now, in bytes, checked from the header before anything
   * is allocated. May throw a PeerwireError to refuse the channel outright (unknown channel).
   */
  maxPayload(channel: number): number;
  /** One complete frame. `payload` may be a view into a received chunk. */
  onFrame(channel: number, payload: Buffer): void;
}

export class FrameDecoder {
  private readonly handlers: FrameDecoderHandlers;
  /** Partial header bytes, when a chunk ended inside a header. */
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** The frame being assembled across chunks, once its header is known. */
  private body: Buffer | undefined;
  private bodyFill = 0;
  private bodyChannel = 0;
  private halted = false;

  constructor(handlers: FrameDecoderHandlers) {
    this.handlers = handlers;
  }

  /** Stops decoding for good (the connection closed); later chunks are ignored. */
  halt(): void {
    this.halted = true;
    this.body = undefined;
  }

  /** Bytes allocated for an incomplete frame (for tests and memory accounting). */
  get bufferedBytes(): number {
    return this.headerFill + (this.body?.length ?? 0);
  }

  /** Feeds one chunk; throws PeerwireError on an oversize frame or whatever the handlers throw. */
  push(chunk: Buffer): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end && !this.halted) {
      if (this.body !== undefined) {
        const take = Math.min(this.body.length - this.bodyFill, end - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) this.finishBody();
        continue;
      }
      if (this.headerFill > 0 || end - offset < FRAME_HEADER_BYTES) {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, end - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        this.headerFill = 0;
        const length = this.header.readUInt32BE(0);
        const channel = this.header.readUInt16BE(4);
        this.check(channel, length);
        this.startBody(channel, length);
        continue;
      }
      // Fast path: a header wholly inside the chunk.
      const length = chunk.readUInt32BE(offset);
      const channel = chunk.readUInt16BE(offset + 4);
      this.check(channel, length);
      const start = offset + FRAME_HEADER_BYTES;
      if (end - start >= length) {
        offset = start + length;
        this.handlers.onFrame(channel, chunk.subarray(start, offset));
      } else {
        offset = start;
        this.startBody(channel, length);
      }
    }
  }

  private check(channel: number, length: number): void {
    const max = this.handlers.maxPayload(channel);
    if (length > max) {
      throw new PeerwireError(
        ErrorCode.FrameTooLarge,
        `frame of ${length} bytes on channel ${channel} exceeds ${max}`,
        {
          action: 'disconnect',
          details: { channel, length, max },
        },
      );
    }
  }

  private startBody(channel: number, length: number): void {
    if (length === 0) {
      this.handlers.onFrame(channel, Buffer.alloc(0));
      return;
    }
    this.body = Buffer.allocUnsafe(length);
    this.bodyFill = 0;
    this.bodyChannel = channel;
  }

  private finishBody(): void {
    const body = this.body!;
    this.body = undefined;
    this.bodyFill = 0;
    this.handlers.onFrame(this.bodyChannel, body);
  }
}
