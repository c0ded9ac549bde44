// Error codes of the MConnection layer (packets, framing, reassembly, keep-alive). Every one of them is
// a protocol violation or a dead link detected while talking to one peer: CometBFT closes the
// connection for each, so they carry action `disconnect` unless said otherwise. Codes shared with other
// layers (ERR_MALFORMED, ERR_FRAME_TOO_LARGE, ERR_UNKNOWN_CHANNEL) come from src/core/errors.ts.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';

export const MConnErrorCode = {
  /** A Packet whose oneof is empty (no ping, pong or msg): Go's `unknown message type`. */
  UnknownPacket: 'ERR_MCONN_UNKNOWN_PACKET',
  /** A reassembled message would exceed the channel's RecvMessageCapacity. */
  MessageTooLarge: 'ERR_MCONN_MESSAGE_TOO_LARGE',
  /** No PacketPong within the pong timeout after our ping. */
  PongTimeout: 'ERR_MCONN_PONG_TIMEOUT',
} as const;

export function malformed(what: string): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, `mconnection: malformed ${what}`, { action: 'disconnect' });
}

export function frameTooLarge(size: number, max: number): PeerwireError {
  return new PeerwireError(
    ErrorCode.FrameTooLarge,
    `mconnection: message exceeds max size (${size} > ${max})`,
    {
      action: 'disconnect',
      details: { size, max },
    },
  );
}

export function unknownChannel(channelId: number): PeerwireError {
  const hex =
    channelId >= 0 && channelId <= 0xff ? `0x${channelId.toString(16).padStart(2, '0')}` : String(channelId);
  return new PeerwireError(ErrorCode.UnknownChannel, `mconnection: unknown channel ${hex}`, {
    action: 'disconnect',
    details: { channelId },
  });
}
