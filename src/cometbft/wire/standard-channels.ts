// The standard CometBFT channels (docs/protocols/cometbft.md §5.1): ids, CometBFT's exact descriptor values
// and the protobuf schema of the messages each carries, so that a node advertises and enforces the
// same limits as Go peers (Tendermint v0.35 broke mixed networks with identical bytes and different
// limits) and an observer can decode any standard traffic. The values are the same on v0.34, v0.37,
// v0.38 and v1.x; 0x62/0x63 existed only in the discontinued v0.35 and are listed apart.

import type { DescMessage } from '@bufbuild/protobuf';
import { MessageSchema as BlocksyncMessageSchema } from '../gen/cometbft/blocksync/v1/types_pb.ts';
import { MessageSchema as ConsensusMessageSchema } from '../gen/cometbft/consensus/v1/types_pb.ts';
import { MessageSchema as MempoolMessageSchema } from '../gen/cometbft/mempool/v1/types_pb.ts';
import { MessageSchema as PexMessageSchema } from '../gen/cometbft/p2p/v1/pex_pb.ts';
import { MessageSchema as StatesyncMessageSchema } from '../gen/cometbft/statesync/v1/types_pb.ts';
import { EvidenceListSchema } from '../gen/cometbft/types/v1/evidence_pb.ts';
import type { MConnChannelDescriptor } from './mconnection/channel-descriptor.ts';
import { varintSize } from './mconnection/packet-codec.ts';

export const ChannelId = {
  Pex: 0x00,
  ConsensusState: 0x20,
  ConsensusData: 0x21,
  ConsensusVote: 0x22,
  ConsensusVoteSetBits: 0x23,
  Mempool: 0x30,
  Evidence: 0x38,
  Blocksync: 0x40,
  StatesyncSnapshot: 0x60,
  StatesyncChunk: 0x61,
  /** Tendermint v0.35 only. */
  StatesyncLightBlock: 0x62,
  /** Tendermint v0.35 only. */
  StatesyncParams: 0x63,
} as const;

export type Reactor = 'pex' | 'consensus' | 'mempool' | 'evidence' | 'blocksync' | 'statesync';

export interface StandardChannel extends MConnChannelDescriptor {
  /** Short name for logs and metrics labels. */
  readonly name: string;
  readonly reactor: Reactor;
  /** The protobuf message every payload on this channel is (a oneof wrapper, or EvidenceList). */
  readonly schema: DescMessage;
}

/** Go's MConnection default RecvBufferCapacity (an allocation hint, never sent). */
const DEFAULT_RECV_BUFFER = 4096;

/** PEX: 250 addresses of at most 256 bytes each (Go's maxMsgSize = maxAddressSize x maxGetSelection). */
export const PEX_RECV_MESSAGE_CAPACITY = 256 * 250;
/** Consensus and evidence reactors: 1 MiB (Go's maxMsgSize). */
export const CONSENSUS_RECV_MESSAGE_CAPACITY = 1_048_576;
export const EVIDENCE_RECV_MESSAGE_CAPACITY = 1_048_576;
/** Blocksync: the largest block (types.MaxBlockSizeBytes, 100 MiB) + 4 bytes prefix + 1 byte field key. */
export const BLOCKSYNC_RECV_MESSAGE_CAPACITY = 104_857_600 + 4 + 1;
/** Statesync snapshot listings: 4 MB; snapshot chunks: 16 MB (Go's snapshotMsgSize, chunkMsgSize). */
export const STATESYNC_SNAPSHOT_RECV_MESSAGE_CAPACITY = 4_000_000;
export const STATESYNC_CHUNK_RECV_MESSAGE_CAPACITY = 16_000_000;
/** CometBFT's default mempool.max_tx_bytes: 1 MiB. */
export const DEFAULT_MAX_TX_BYTES = 1_048_576;

/**
 * The mempool channel's RecvMessageCapacity: the encoded size of Message{txs: Txs{txs: [one tx of
 * maxTxBytes]}}, as Go computes it (1,048,584 for the default 1 MiB). Nodes with a different
 * mempool.max_tx_bytes use a different limit; pass the chain's value.
 */
export function mempoolRecvMessageCapacity(maxTxBytes = DEFAULT_MAX_TX_BYTES): number {
  const txField = 1 + varintSize(maxTxBytes) + maxTxBytes;
  return 1 + varintSize(txField) + txField;
}

function channel(
  id: number,
  name: string,
  reactor: Reactor,
  schema: DescMessage,
  priority: number,
  sendQueueCapacity: number,
  recvBufferCapacity: number,
  recvMessageCapacity: number,
): StandardChannel {
  return Object.freeze({
    id,
    name,
    reactor,
    schema,
    priority,
    sendQueueCapacity,
    recvBufferCapacity,
    recvMessageCapacity,
  });
}

export const PEX_CHANNEL = channel(
  0x00,
  'pex',
  'pex',
  PexMessageSchema,
  1,
  10,
  DEFAULT_RECV_BUFFER,
  PEX_RECV_MESSAGE_CAPACITY,
);

export const CONSENSUS_STATE_CHANNEL = channel(
  0x20,
  'consensus-state',
  'consensus',
  ConsensusMessageSchema,
  6,
  100,
  DEFAULT_RECV_BUFFER,
  CONSENSUS_RECV_MESSAGE_CAPACITY,
);
export const CONSENSUS_DATA_CHANNEL = channel(
  0x21,
  'consensus-data',
  'consensus',
  ConsensusMessageSchema,
  10,
  100,
  50 * 4096,
  CONSENSUS_RECV_MESSAGE_CAPACITY,
);
export const CONSENSUS_VOTE_CHANNEL = channel(
  0x22,
  'consensus-vote',
  'consensus',
  ConsensusMessageSchema,
  7,
  100,
  100 * 100,
  CONSENSUS_RECV_MESSAGE_CAPACITY,
);
export const CONSENSUS_VOTE_SET_BITS_CHANNEL = channel(
  0x23,
  'consensus-vote-set-bits',
  'consensus',
  ConsensusMessageSchema,
  1,
  2,
  1024,
  CONSENSUS_RECV_MESSAGE_CAPACITY,
);

export const MEMPOOL_CHANNEL = channel(
  0x30,
  'mempool',
  'mempool',
  MempoolMessageSchema,
  5,
  1,
  DEFAULT_RECV_BUFFER,
  mempoolRecvMessageCapacity(),
);

export const EVIDENCE_CHANNEL = channel(
  0x38,
  'evidence',
  'evidence',
  EvidenceListSchema,
  6,
  1,
  DEFAULT_RECV_BUFFER,
  EVIDENCE_RECV_MESSAGE_CAPACITY,
);

export const BLOCKSYNC_CHANNEL = channel(
  0x40,
  'blocksync',
  'blocksync',
  BlocksyncMessageSchema,
  5,
  1000,
  50 * 4096,
  BLOCKSYNC_RECV_MESSAGE_CAPACITY,
);

export const STATESYNC_SNAPSHOT_CHANNEL = channel(
  0x60,
  'statesync-snapshot',
  'statesync',
  StatesyncMessageSchema,
  5,
  10,
  DEFAULT_RECV_BUFFER,
  STATESYNC_SNAPSHOT_RECV_MESSAGE_CAPACITY,
);
export const STATESYNC_CHUNK_CHANNEL = channel(
  0x61,
  'statesync-chunk',
  'statesync',
  StatesyncMessageSchema,
  3,
  10,
  DEFAULT_RECV_BUFFER,
  STATESYNC_CHUNK_RECV_MESSAGE_CAPACITY,
);

/** v0.35-only light-block channel (priority 5, 10 MB messages). */
export const STATESYNC_LIGHT_BLOCK_CHANNEL_V035 = channel(
  0x62,
  'statesync-light-block',
  'statesync',
  StatesyncMessageSchema,
  5,
  10,
  128,
  10_000_000,
);
/** v0.35-only consensus-params channel (priority 2, 100 kB messages). */
export const STATESYNC_PARAMS_CHANNEL_V035 = channel(
  0x63,
  'statesync-params',
  'statesync',
  StatesyncMessageSchema,
  2,
  10,
  128,
  100_000,
);

/**
 * The channels of a default CometBFT node (v0.34-v1.x) in the order Go lists them in its NodeInfo:
 * blocksync, consensus x4, mempool, evidence, statesync x2, then PEX.
 */
export const STANDARD_CHANNELS: readonly StandardChannel[] = Object.freeze([
  BLOCKSYNC_CHANNEL,
  CONSENSUS_STATE_CHANNEL,
  CONSENSUS_DATA_CHANNEL,
  CONSENSUS_VOTE_CHANNEL,
  CONSENSUS_VOTE_SET_BITS_CHANNEL,
  MEMPOOL_CHANNEL,
  EVIDENCE_CHANNEL,
  STATESYNC_SNAPSHOT_CHANNEL,
  STATESYNC_CHUNK_CHANNEL,
  PEX_CHANNEL,
]);

/** Channels of the discontinued v0.35 line only, for observers that want to name such traffic. */
export const V035_ONLY_CHANNELS: readonly StandardChannel[] = Object.freeze([
  STATESYNC_LIGHT_BLOCK_CHANNEL_V035,
  STATESYNC_PARAMS_CHANNEL_V035,
]);

const BY_ID = new Map<number, StandardChannel>(
  [...STANDARD_CHANNELS, ...V035_ONLY_CHANNELS].map((c) => [c.id, c]),
);

/** The standard channel with that id (v0.35-only ones included), or undefined. */
export function standardChannel(id: number): StandardChannel | undefined {
  return BY_ID.get(id);
}

/** Channel ids for a NodeInfo `channels` field, in Go's order. */
export function channelIdsOf(channels: readonly { readonly id: number }[]): Uint8Array {
  return Uint8Array.from(channels.map((c) => c.id));
}
