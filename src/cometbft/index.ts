// The package entry `peerwire/cometbft`: everything a program needs to join a CometBFT chain's p2p
// network — the node assembly, the wire (SecretConnection, MConnection, NodeInfo), PEX, the standard
// channels with their protobuf schemas and codecs, and node_key.json. The engine it runs on (Router,
// channels, PeerManager) comes from `peerwire`.

// Node assembly: transport + wire + PeerManager with the Tendermint policy + router + PEX.
export * from './node/cometbft-node.ts';
export { CometbftP2pMetrics } from './node/cometbft-p2p-metrics.ts';

// The wire and its transports.
export { CometbftWire, cometbftWire, type CometbftWireOptions } from './wire/cometbft-wire.ts';
export {
  CometbftConnection,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_NODE_INFO_TIMEOUT_MS,
  type CometbftConnectionMetrics,
  type CometbftConnectionOptions,
  type HandshakeExtras,
} from './wire/cometbft-connection.ts';
export { FLUSH_BATCH_BYTES, MAX_OVERFLOW_MESSAGES } from './wire/mconnection-pump.ts';
export {
  cometbftAddress,
  cometbftMemoryTransport,
  cometbftTcpTransport,
  type CometbftMemoryTransportOptions,
  type CometbftTcpTransportOptions,
} from './wire/transport.ts';

// The layers under the wire, sans-I/O: SecretConnection (handshake, sealed frames) and MConnection
// (packets, channels, keep-alive, rate limits).
export * from './wire/secret-connection/index.ts';
export * from './wire/mconnection/index.ts';
export { MerlinTranscript } from './wire/transcript/merlin.ts';

// NodeInfo: encoding, validation, the local NodeInfo a node advertises.
export {
  BLOCK_PROTOCOL,
  decodeNodeInfo,
  encodeNodeInfo,
  MAX_NODE_INFO_SIZE,
  P2P_PROTOCOL_V034,
  P2P_PROTOCOL_V1,
  type NodeInfo,
  type NodeInfoOther,
  type ProtocolVersion,
} from './wire/node-info.ts';
export {
  checkNodeInfoCompatible,
  isNodeInfoCompatible,
  MAX_NODE_INFO_CHANNELS,
  NodeInfoErrorCode,
  validateNodeInfo,
} from './wire/node-info-validation.ts';
export {
  buildLocalNodeInfo,
  DEFAULT_SOFTWARE_VERSION,
  NO_LISTEN_ADDR,
  type NodeInfoOptions,
} from './wire/node-info-exchange.ts';

// Addresses (id@host:port) and node_key.json.
export {
  formatNetAddress,
  MAX_NET_ADDRESS_TEXT,
  parseNetAddress,
  resolveNetAddress,
  toNodeAddress,
  type NetAddress,
} from './wire/net-address.ts';
export * from './wire/node-key-file.ts';

// Standard channels: ids and CometBFT's descriptor values, protobuf codecs and schemas.
export * from './wire/standard-channels.ts';
export { protobufCodec, protobufOneofCodec, type OneofCase } from './channels/protobuf-codec.ts';
export { decodeMessage, describeChannelMessage, encodeMessage, type DescribedMessage } from './channels/channel-codec.ts';
export * as proto from './channels/proto.ts';

// Peer exchange: the PEX codec and service (address exchange with CometBFT's rules).
export * from './pex/index.ts';
