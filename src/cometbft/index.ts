// The CometBFT p2p wire's public surface: the Wire and its transports, the protobuf codec adapters,
// PEX, the standard channels and the pieces a node or a tool needs around them (node keys, NodeInfo,
// addresses). The layers below (SecretConnection, MConnection, transcript) have their own index files.

export { CometbftWire, cometbftWire, type CometbftWireOptions } from './wire/cometbft-wire.ts';
export {
  CometbftConnection,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_NODE_INFO_TIMEOUT_MS,
  type CometbftConnectionOptions,
  type HandshakeExtras,
} from './wire/cometbft-connection.ts';
export { FLUSH_BATCH_BYTES, MAX_OVERFLOW_MESSAGES } from './wire/mconnection-pump.ts';
export {
  buildLocalNodeInfo,
  DEFAULT_SOFTWARE_VERSION,
  NO_LISTEN_ADDR,
  type NodeInfoOptions,
} from './wire/node-info-exchange.ts';
export {
  cometbftAddress,
  cometbftMemoryTransport,
  cometbftTcpTransport,
  type CometbftMemoryTransportOptions,
  type CometbftTcpTransportOptions,
} from './wire/transport.ts';
export { protobufCodec, protobufOneofCodec, type OneofCase } from './channels/protobuf-codec.ts';
export * from './pex/index.ts';
export {
  ChannelId,
  PEX_CHANNEL,
  STANDARD_CHANNELS,
  standardChannel,
  type StandardChannel,
} from './wire/standard-channels.ts';
export { describeChannelMessage } from './channels/channel-codec.ts';
export { NodeInfoErrorCode } from './wire/node-info-validation.ts';
export { decodeNodeInfo, encodeNodeInfo, MAX_NODE_INFO_SIZE, type NodeInfo } from './wire/node-info.ts';
export { formatNetAddress, parseNetAddress, type NetAddress } from './wire/net-address.ts';
export { loadOrGenerateNodeKey, readNodeKeyFile, writeNodeKeyFile } from './wire/node-key-file.ts';
export { MConnErrorCode } from './wire/mconnection/mconn-errors.ts';
export { SecretConnectionErrorCode } from './wire/secret-connection/errors.ts';
