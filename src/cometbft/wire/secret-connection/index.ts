// SecretConnection (cometbft-wire docs/protocols/cometbft.md §1-2): the authenticated, encrypted byte stream under every
// CometBFT p2p connection. Sans-I/O: a handshake state machine and a frame sealer/opener; the socket
// glue lives in the transport layer.

export { SecretConnectionHandshake } from './handshake.ts';
export type { HandshakeStep, SecretConnectionHandshakeOptions } from './handshake.ts';
export { SecretSession } from './session.ts';
export { FrameSealer } from './frame-sealer.ts';
export { FrameOpener } from './frame-opener.ts';
export type { FrameDataCallback } from './frame-opener.ts';
export { SecretConnectionErrorCode } from './errors.ts';
export { FRAME_DATA_MAX, SEALED_FRAME_BYTES } from './frame-format.ts';
export { EPHEMERAL_MESSAGE_BYTES } from './handshake-messages.ts';
