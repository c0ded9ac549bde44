// Message codecs: how a channel turns its messages into bytes and back. A channel is opened with one
// codec, like Tendermint's OpenChannel(id, messageType): raw bytes, a protobuf schema (the CometBFT
// wire adds that adapter), or a wrapper codec — one envelope type carrying several message kinds,
// as Tendermint's Wrapper interface does, so services send and receive the inner messages directly.
// decode() must throw only PeerwireError (remote bytes are hostile).

import { ErrorCode, PeerwireError, toPeerwireError } from './errors.ts';

export interface MessageCodec<T> {
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** Bytes in, bytes out. */
export const rawCodec: MessageCodec<Uint8Array> = {
  encode: (message) => message,
  decode: (bytes) => bytes,
};

export interface WrapperCodecOptions<Inner, Outer> {
  /** Codec of the wrapper message itself. */
  readonly outer: MessageCodec<Outer>;
  /** Puts an inner message into a wrapper (throw for a kind the wrapper cannot carry). */
  wrap(inner: Inner): Outer;
  /** Takes the inner message out of a received wrapper (throw for an empty or unknown kind). */
  unwrap(outer: Outer): Inner;
}

/** A codec that wraps outbound and unwraps inbound messages, so services only see the inner kinds. */
export function wrapperCodec<Inner, Outer>(options: WrapperCodecOptions<Inner, Outer>): MessageCodec<Inner> {
  return {
    encode: (message) => options.outer.encode(options.wrap(message)),
    decode: (bytes) => {
      const outer = options.outer.decode(bytes);
      try {
        return options.unwrap(outer);
      } catch (error) {
        throw toPeerwireError(error, ErrorCode.Malformed);
      }
    },
  };
}

/** A codec that refuses messages over `maxBytes` in both directions (checked before decoding). */
export function boundedCodec<T>(codec: MessageCodec<T>, maxBytes: number): MessageCodec<T> {
  return {
    encode: (message) => {
      const bytes = codec.encode(message);
      if (bytes.length > maxBytes) {
        throw new PeerwireError(
          ErrorCode.FrameTooLarge,
          `message of ${bytes.length} bytes exceeds ${maxBytes}`,
          {
            action: 'transient',
          },
        );
      }
      return bytes;
    },
    decode: (bytes) => {
      if (bytes.length > maxBytes) {
        throw new PeerwireError(
          ErrorCode.FrameTooLarge,
          `message of ${bytes.length} bytes exceeds ${maxBytes}`,
        );
      }
      return codec.decode(bytes);
    },
  };
}

/** Text as UTF-8 (demo channels and examples). */
export const utf8Codec: MessageCodec<string> = {
  encode: (message) => Buffer.from(message, 'utf8'),
  decode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
};
