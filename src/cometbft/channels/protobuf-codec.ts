// MessageCodec adapters for the generated @bufbuild schemas, so a service opens a router channel with a
// CometBFT message type as Tendermint's OpenChannel(id, messageType) does. Decoding remote bytes throws
// only ERR_MALFORMED (action disconnect: CometBFT stops a peer whose message does not unmarshal, spec
// §3.3). `protobufOneofCodec` handles the oneof wrapper messages every reactor uses (`Message{sum}`),
// so services send and receive the inner cases directly and an empty wrapper is refused.

import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { MessageCodec } from '../../core/message-codec.ts';

function malformed(schema: DescMessage, why: string, cause?: unknown): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, `malformed ${schema.typeName} message: ${why}`, {
    action: 'disconnect',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A codec for one message type. Unknown fields are dropped on decode (never re-sent). */
export function protobufCodec<Desc extends DescMessage>(schema: Desc): MessageCodec<MessageShape<Desc>> {
  return {
    encode: (message) => toBinary(schema, message),
    decode: (bytes) => {
      try {
        return fromBinary(schema, bytes, { readUnknownFields: false });
      } catch (error) {
        throw malformed(schema, 'invalid protobuf', error);
      }
    },
  };
}

/** The cases of a oneof `sum` field, as { case, value } pairs (bufbuild's representation). */
export type OneofCase<Desc extends DescMessage> =
  MessageShape<Desc> extends { sum: infer Sum } ? Exclude<Sum, { case: undefined }> : never;

/**
 * A codec for a wrapper message whose only field is a oneof named `sum` (pex, consensus, mempool,
 * blocksync, statesync Message): encode takes one case, decode returns one case and refuses a wrapper
 * with no case set (Go: "unknown message type").
 */
export function protobufOneofCodec<Desc extends DescMessage>(schema: Desc): MessageCodec<OneofCase<Desc>> {
  const outer = protobufCodec(schema);
  return {
    encode: (inner) => outer.encode(create(schema, { sum: inner } as never)),
    decode: (bytes) => {
      const message = outer.decode(bytes) as { sum?: { case?: unknown } };
      if (message.sum === undefined || message.sum.case === undefined) {
        throw malformed(schema, 'no message kind set');
      }
      return message.sum as OneofCase<Desc>;
    },
  };
}
