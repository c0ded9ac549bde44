// The generated protobuf schemas of CometBFT's p2p messages, one namespace per .proto file, so that a
// program can build and read any standard channel's messages (`proto.mempool.MessageSchema` with
// `protobufOneofCodec`, `create`, `toBinary` of @bufbuild/protobuf) without reaching into gen/. Every
// file defines its own `MessageSchema`, hence namespaces instead of flat names.

export * as blocksync from '../gen/cometbft/blocksync/v1/types_pb.ts';
export * as consensus from '../gen/cometbft/consensus/v1/types_pb.ts';
export * as mempool from '../gen/cometbft/mempool/v1/types_pb.ts';
export * as statesync from '../gen/cometbft/statesync/v1/types_pb.ts';
export * as pex from '../gen/cometbft/p2p/v1/pex_pb.ts';
export * as p2p from '../gen/cometbft/p2p/v1/types_pb.ts';
export * as conn from '../gen/cometbft/p2p/v1/conn_pb.ts';
export * as types from '../gen/cometbft/types/v1/types_pb.ts';
export * as block from '../gen/cometbft/types/v1/block_pb.ts';
export * as evidence from '../gen/cometbft/types/v1/evidence_pb.ts';
export * as validator from '../gen/cometbft/types/v1/validator_pb.ts';
export * as lightBlock from '../gen/cometbft/types/v1/light_block_pb.ts';
export * as crypto from '../gen/cometbft/crypto/v1/keys_pb.ts';
export * as proof from '../gen/cometbft/crypto/v1/proof_pb.ts';
export * as bits from '../gen/cometbft/libs/bits/v1/types_pb.ts';
export * as version from '../gen/cometbft/version/v1/types_pb.ts';
