// The CometBFT p2p wire's public surface: the Wire and its transports, the protobuf codec adapters,
// PEX, the standard channels and the pieces a node or a tool needs around them (node keys, NodeInfo,
// addresses). The layers below (SecretConnection, MConnection, transcript) have their own index files.

export { CometbftWire, cometbftWire, type CometbftWireOptions } from './cometbft-wire.ts';
export {
  CometbftConnection,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_NODE_INFO_TIMEOUT_MS,
  type CometbftConnectionOptions,
  type HandshakeExtras,
} from './cometbft-connection.ts';
export { FLUSH_BATCH_BYTES, MAX_OVERFLOW_MESSAGES } from './mconnection-pump.ts';
export {
  buildLocalNodeInfo,
  DEFAULT_SOFTWARE_VERSION,
  NO_LISTEN_ADDR,
  type NodeInfoOptions,
} from './node-info-exchange.ts';
export {
  cometbftAddress,
  cometbftMemoryTransport,
  cometbftTcpTransport,
  type CometbftMemoryTransportOptions,
  type CometbftTcpTransportOptions,
} from './transport.ts';
export { protobufCodec, protobufOneofCodec, type OneofCase } from './protobuf-codec.ts';
export * from './pex/index.ts';
export {
  ChannelId,
  PEX_CHANNEL,
  STANDARD_CHANNELS,
  standardChannel,
  type StandardChannel,
} from './channels/standard-channels.ts';
export { describeChannelMessage } from './channels/channel-codec.ts';
export { NodeInfoErrorCode } from './node-info-validation.ts';
export { decodeNodeInfo, encodeNodeInfo, MAX_NODE_INFO_SIZE, type NodeInfo } from './node-info.ts';
export { formatNetAddress, parseNetAddress, type NetAddress } from './net-address.ts';
export { loadOrGenerateNodeKey, readNodeKeyFile, writeNodeKeyFile } from './node-key-file.ts';
export { MConnErrorCode } from './mconnection/mconn-errors.ts';
export { SecretConnectionErrorCode } from './secret-connection/errors.ts';
