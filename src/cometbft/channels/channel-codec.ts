// Decoding and encoding of reactor messages (the payload of one reassembled channel message) with
// the generated schemas. CometBFT disconnects a peer whose message does not unmarshal into the
// channel's type (§3.3, upper layer), so decode failures become a typed ERR_MALFORMED with action
// `disconnect`. `describeChannelMessage` names any standard message for observers and the CLI.

import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { standardChannel, type StandardChannel } from '../wire/standard-channels.ts';

/**
 * Decodes one channel message with `schema`. The message size is already bounded by the channel's
 * recvMessageCapacity. Throws only PeerwireError (ERR_MALFORMED, action disconnect).
 */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    throw new PeerwireError(ErrorCode.Malformed, `malformed ${schema.typeName} message`, {
      cause: error,
      action: 'disconnect',
    });
  }
}

/** Encodes a message of `schema` (e.g. created with `create(MessageSchema, {...})`). */
export function encodeMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): Uint8Array {
  return toBinary(schema, message);
}

export interface DescribedMessage {
  readonly channel: StandardChannel;
  /** The oneof case of a wrapper message (e.g. `vote`, `pexAddrs`), or the type name (EvidenceList). */
  readonly kind: string;
  readonly message: unknown;
}

/**
 * Decodes a message seen on a standard channel and names its kind. Throws ERR_UNKNOWN_CHANNEL (action
 * transient: it is a question, not a peer's fault) for a non-standard channel, ERR_MALFORMED when the
 * bytes are not the channel's message.
 */
export function describeChannelMessage(channelId: number, bytes: Uint8Array): DescribedMessage {
  const channel = standardChannel(channelId);
  if (channel === undefined) {
    throw new PeerwireError(
      ErrorCode.UnknownChannel,
      `channel ${channelId} is not a standard CometBFT channel`,
      {
        action: 'transient',
      },
    );
  }
  const message = decodeMessage(channel.schema, bytes);
  const sum = (message as { sum?: { case?: unknown } }).sum;
  let kind = channel.schema.name;
  if (sum !== undefined) kind = typeof sum.case === 'string' ? sum.case : 'empty';
  return { channel, kind, message };
}
