// The package entry `peerwire/zcash`: the Zcash-family wire with Zebra's network semantics — the
// ZcashNode assembly, the codec and its messages, chain data, network parameters, the version/verack
// handshake, the Zebra peer policy and the services around the router (address book, crawler,
// inventory registry, peer set). The engine it runs on comes from `peerwire`.

// Node assembly: transport + wire + PeerManager with the Zebra policy + router + services.
export * from './node/zcash-node.ts';
export { ZcashInboundService, type ZcashInboundServiceOptions } from './node/zcash-inbound-service.ts';

// Codec: framing, messages and their bodies, limits, errors.
export * from './encoding/constants.ts';
export * from './encoding/errors.ts';
export * from './encoding/hashes.ts';
export { ByteReader } from './encoding/byte-reader.ts';
export { ByteWriter } from './encoding/byte-writer.ts';
export * from './wire/ip-address.ts';
export * from './wire/net-address.ts';
export * from './wire/messages.ts';
export * from './wire/version-message.ts';
export * from './wire/message-body.ts';
export * from './wire/frame-header.ts';
export * from './wire/frame-decoder.ts';
export * from './wire/codec.ts';
export type { InboundPeer, InboundService, TxId, ZcashResponse } from './wire/requests.ts';
export { describeInventoryItem, describeMessage } from './wire/message-json.ts';
export { IGNORED_COMMANDS } from './wire/ignored-messages.ts';

// Chain data carried by the messages.
export * from './chain/inventory.ts';
export * from './chain/block-header.ts';
export * from './chain/block.ts';
export * from './chain/transaction.ts';
export * from './chain/zcash-transaction.ts';
export * from './chain/bitcoin-transaction.ts';
export * from './chain/bitcoin-block-header.ts';
export * from './chain/transparent.ts';
export * from './chain/sprout.ts';
export * from './chain/sapling.ts';
export * from './chain/orchard.ts';
export * from './chain/chain-format.ts';
export * from './chain/merkle.ts';
export * from './chain/zip244.ts';
export { describeBlock, describeHeader, describeTransaction, type Json } from './chain/chain-json.ts';
export * from './chain/chain-format.ts';
export * from './chain/transparent.ts';
export * from './chain/sprout.ts';
export * from './chain/sapling.ts';
export * from './chain/orchard.ts';
export * from './chain/zcash-transaction.ts';
export * from './chain/bitcoin-transaction.ts';
export * from './chain/bitcoin-block-header.ts';
export * from './chain/merkle.ts';

// Network parameters: magics, ports, upgrades, minimum peer versions.
export * from './params/network-upgrades.ts';
export * from './params/network-params.ts';

// Handshake (version/verack negotiation) and the connection the router runs.
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  Handshake,
  HandshakeBuilder,
  type HandshakeConfig,
} from './handshake/handshake.ts';
export { fixedChainTip, noChainTip, type ChainTip } from './handshake/chain-tip.ts';
export { VersionNegotiation, type NegotiationParams, type NegotiationResult } from './handshake/version-negotiation.ts';
export { ZcashPeerErrorCode } from './handshake/peer-errors.ts';
export { ZcashWire, zcashWire, type ZcashWireOptions } from './connection/zcash-wire.ts';
export { ZcashConnection, type ZcashConnectionOptions, type ZcashPeerWire } from './connection/zcash-connection.ts';
export * from './connection/transport.ts';
export { ZCASH_CHANNEL_IDS, ZcashChannel, bitcoinMessageCodec, channelMessageCodec, zcashMessageCodec, type ZcashChannelId } from './connection/channels.ts';

// Zebra's peer policy for the PeerManager.
export { ZebraPolicy, zebraLocalNetworkProfile, type ZebraPolicyOptions } from './policy/zebra-policy.ts';
export { ZebraPeerErrorCode } from './policy/errors.ts';

// Services around the router.
export { AddressBook, type AddressBookOptions, type GossipedAddr } from './services/address-book.ts';
export { Crawler, type CrawlerOptions, type CrawlResult } from './services/crawler.ts';
export { InventoryRegistry, type InventoryRegistryOptions, type InventoryStatus } from './services/inventory-registry.ts';
export { PeerSet, type PeerSetOptions, type Route } from './services/peer-set.ts';
export type { ZcashRequest, ZcashRequestKind } from './services/requests.ts';
export { ZcashServiceErrorCode } from './services/errors.ts';
