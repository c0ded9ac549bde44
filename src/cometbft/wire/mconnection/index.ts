// The MConnection layer's public surface (docs/protocols/cometbft.md §3): the sans-I/O multiplexer core,
// its channel descriptors, the Packet codec and the delimited stream reader. The owner glues these to
// a SecretConnection and a socket.

export {
  MConnectionCore,
  DEFAULT_POLL_BYTES,
  RECENTLY_SENT_DECAY_FACTOR,
  RECENTLY_SENT_DECAY_INTERVAL_MS,
  type MConnectionCoreOptions,
} from './mconnection-core.ts';
export {
  channelDescriptor,
  channelDescriptorSet,
  DEFAULT_PRIORITY,
  DEFAULT_RECV_BUFFER_CAPACITY,
  DEFAULT_RECV_MESSAGE_CAPACITY,
  DEFAULT_SEND_QUEUE_CAPACITY,
  type ChannelDescriptorInput,
  type MConnChannelDescriptor,
} from './channel-descriptor.ts';
export { SHARED_LINK_MEMORY_MS } from './channel-choice.ts';
export { DelimitedReader } from './delimited-reader.ts';
export { DEFAULT_PING_INTERVAL_MS, DEFAULT_PONG_TIMEOUT_MS, type KeepAliveOptions } from './keepalive.ts';
export { MConnErrorCode } from './mconn-errors.ts';
export {
  decodePacket,
  delimitedPacketMsgSize,
  encodePacket,
  MAX_CHANNEL_ID,
  MAX_PACKET_MSG_PAYLOAD_SIZE,
  MAX_PACKET_SIZE,
  maxPacketSize,
  packetMsgPacketSize,
  PING,
  PING_WIRE,
  PONG,
  PONG_WIRE,
  writeDelimitedPacketMsg,
  writePacketMsg,
  type MsgPacket,
  type Packet,
} from './packet-codec.ts';
export { DEFAULT_RATE_BYTES_PER_SECOND, RateLimiter } from './rate-limiter.ts';
