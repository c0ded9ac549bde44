// The CometBFT NodeInfo (docs/protocols/cometbft.md §4.1-4.2): what each side says about itself right
// after the SecretConnection handshake (protocol versions, node ID, listen address, chain ID, software
// version, channel list, moniker, tx index and RPC address). Both sides send one length-delimited
// DefaultNodeInfo at once and read the other's with a 10,240-byte cap. This file holds the plain
// TypeScript shape, its protobuf encoding (via the generated schema: once per connection, not a hot
// path) and the conversion to the transport's PeerInfo. Validation and compatibility rules live in
// node-info-validation.ts.

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { PeerInfo } from '../../transport/types.ts';
import { DefaultNodeInfoSchema } from '../gen/cometbft/p2p/v1/types_pb.ts';
import { DelimitedReader } from './mconnection/delimited-reader.ts';
import { stripScheme } from './net-address.ts';
import { varintSize, writeVarint32 } from './mconnection/packet-codec.ts';

/** Go's maxNodeInfoSize: the largest NodeInfo message a node reads (length prefix excluded). */
export const MAX_NODE_INFO_SIZE = 10_240;

/** version.P2PProtocol of Tendermint v0.34 - CometBFT v0.38 (never compared by peers). */
export const P2P_PROTOCOL_V034 = 8n;
/** version.P2PProtocol of CometBFT v1.x (consensus gained HasProposalBlockPart). */
export const P2P_PROTOCOL_V1 = 9n;
/** version.BlockProtocol on every current line; peers must match it exactly (§4.4). */
export const BLOCK_PROTOCOL = 11n;

export interface ProtocolVersion {
  readonly p2p: bigint;
  readonly block: bigint;
  readonly app: bigint;
}

export interface NodeInfoOther {
  /** "on", "off" or "". */
  readonly txIndex: string;
  readonly rpcAddress: string;
}

export interface NodeInfo {
  readonly protocolVersion: ProtocolVersion;
  /** default_node_id: 40 lower-case hex characters. */
  readonly id: string;
  /** Where the node says it listens, e.g. `tcp://0.0.0.0:26656` (scheme optional). */
  readonly listenAddr: string;
  /** The chain ID. */
  readonly network: string;
  /** Software version text, e.g. "0.38.17"; may be empty. */
  readonly version: string;
  /** Channel ids the node serves, one byte each. */
  readonly channels: Uint8Array;
  readonly moniker: string;
  readonly other: NodeInfoOther;
}

function malformed(message: string, cause?: unknown): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, `node info: ${message}`, { cause, action: 'disconnect' });
}

/**
 * Encodes a NodeInfo as a bare DefaultNodeInfo, with protocol_version and other always present (Go's
 * non-nullable fields), byte-identical to Go's encoding. Throws ERR_INVALID_ARGUMENT when the result is
 * larger than a peer accepts.
 */
export function encodeNodeInfo(info: NodeInfo): Uint8Array {
  const message = create(DefaultNodeInfoSchema, {
    protocolVersion: {
      p2p: info.protocolVersion.p2p,
      block: info.protocolVersion.block,
      app: info.protocolVersion.app,
    },
    defaultNodeId: info.id,
    listenAddr: info.listenAddr,
    network: info.network,
    version: info.version,
    channels: info.channels,
    moniker: info.moniker,
    other: { txIndex: info.other.txIndex, rpcAddress: info.other.rpcAddress },
  });
  const bytes = toBinary(DefaultNodeInfoSchema, message);
  if (bytes.length > MAX_NODE_INFO_SIZE) {
    throw new PeerwireError(
      ErrorCode.InvalidArgument,
      `node info is ${bytes.length} bytes, peers accept at most ${MAX_NODE_INFO_SIZE}`,
      { action: 'transient' },
    );
  }
  return bytes;
}

/** Encodes a NodeInfo with its uvarint length prefix, as written into the SecretConnection. */
export function encodeNodeInfoDelimited(info: NodeInfo): Uint8Array {
  const body = encodeNodeInfo(info);
  const out = new Uint8Array(varintSize(body.length) + body.length);
  out.set(body, writeVarint32(out, 0, body.length));
  return out;
}

/**
 * Decodes a bare DefaultNodeInfo (no length prefix). Throws only PeerwireError: ERR_FRAME_TOO_LARGE over
 * 10,240 bytes, ERR_MALFORMED for invalid protobuf. Missing fields read as zero values, as in Go.
 * Nothing is validated here: see validateNodeInfo.
 */
export function decodeNodeInfo(bytes: Uint8Array): NodeInfo {
  if (bytes.length > MAX_NODE_INFO_SIZE) {
    throw new PeerwireError(
      ErrorCode.FrameTooLarge,
      `node info exceeds max size (${bytes.length} > ${MAX_NODE_INFO_SIZE})`,
      {
        action: 'disconnect',
      },
    );
  }
  let message;
  try {
    message = fromBinary(DefaultNodeInfoSchema, bytes, { readUnknownFields: false });
  } catch (error) {
    throw malformed('invalid protobuf', error);
  }
  const pv = message.protocolVersion;
  return {
    protocolVersion: { p2p: pv?.p2p ?? 0n, block: pv?.block ?? 0n, app: pv?.app ?? 0n },
    id: message.defaultNodeId,
    listenAddr: message.listenAddr,
    network: message.network,
    version: message.version,
    channels: message.channels,
    moniker: message.moniker,
    other: { txIndex: message.other?.txIndex ?? '', rpcAddress: message.other?.rpcAddress ?? '' },
  };
}

/** A DelimitedReader set up for the NodeInfo exchange (cap 10,240); reuse it for the packets after it. */
export function nodeInfoReader(): DelimitedReader {
  return new DelimitedReader(MAX_NODE_INFO_SIZE);
}

/**
 * Reads the remote NodeInfo from stream bytes pushed into `reader`; undefined until it is complete. Bytes
 * after it (the first MConnection packets) stay in the reader: hand them on with `takeRemaining()`.
 */
export function readNodeInfo(reader: DelimitedReader): NodeInfo | undefined {
  const bytes = reader.next();
  return bytes === undefined ? undefined : decodeNodeInfo(bytes);
}

/** The transport-level PeerInfo for a verified remote NodeInfo. */
export function nodeInfoToPeerInfo(info: NodeInfo, publicKey?: Uint8Array): PeerInfo {
  const base: PeerInfo = {
    id: info.id,
    listenAddress: `${info.id}@${stripScheme(info.listenAddr)}`,
    protocolVersion: info.protocolVersion.p2p.toString(),
    channels: Array.from(info.channels),
    network: info.network,
    userAgent: info.moniker,
    wire: info,
  };
  return publicKey === undefined ? base : { ...base, publicKey };
}
