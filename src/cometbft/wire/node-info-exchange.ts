// The NodeInfo step of a CometBFT connection, as pure functions (docs/protocols/cometbft.md §1.9, §4): our
// DefaultNodeInfo built from the router's LocalNode and the wire options, the MConnection channel
// descriptors for our channels, and the acceptance of the remote NodeInfo. The connection class does
// the I/O (send ours and read theirs concurrently, each under its deadline); everything decided about
// the bytes lives here so it is tested without sockets.

import { isIP } from 'node:net';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { parseNodeAddress } from '../../core/node-address.ts';
import type { LocalNode, PeerInfo } from '../../transport/types.ts';
import { standardChannel } from './standard-channels.ts';
import type { ChannelDescriptorInput } from './mconnection/channel-descriptor.ts';
import { MAX_CHANNEL_ID } from './mconnection/packet-codec.ts';
import { BLOCK_PROTOCOL, nodeInfoToPeerInfo, P2P_PROTOCOL_V034, type NodeInfo } from './node-info.ts';
import { acceptRemoteNodeInfo, MAX_NODE_INFO_CHANNELS } from './node-info-validation.ts';

/** What the wire adds to a LocalNode to say who we are in CometBFT terms. Every field is optional. */
export interface NodeInfoOptions {
  /**
   * The chain ID (NodeInfo.network). Default: LocalNode.info.network. One of the two must be set: peers
   * on another chain ID refuse us, and an empty one would only match other misconfigured nodes.
   */
  readonly chainId?: string;
  /**
   * version.P2PProtocol. Default: LocalNode.info.protocolVersion when it is a decimal number, else 8
   * (Tendermint v0.34 - CometBFT v0.38; v1.x uses 9). Peers never compare it.
   */
  readonly p2pVersion?: bigint;
  /** version.BlockProtocol; peers must have the same. Default 11 (every current CometBFT line). */
  readonly blockVersion?: bigint;
  /** The application's version (NodeInfo.protocol_version.app). Default 0. */
  readonly appVersion?: bigint;
  /** Software version text (printable ASCII). Default "0.38.17", the line whose limits we follow. */
  readonly softwareVersion?: string;
  /** Moniker (printable ASCII, not blank). Default: LocalNode.info.userAgent, else "peerwire". */
  readonly moniker?: string;
  /**
   * listen_addr (`tcp://host:port`, scheme optional). Default: LocalNode.info.listenAddress without its
   * ID, else `tcp://0.0.0.0:0` (a node that does not listen; Go's own default laddr is unroutable too).
   */
  readonly listenAddr?: string;
  /** other.tx_index: "on", "off" or "". Default "off". */
  readonly txIndex?: string;
  /** other.rpc_address. Default "" (none). */
  readonly rpcAddress?: string;
  /**
   * Accept and send `memory:name` listen addresses (in-process test networks only). A Go node rejects
   * them (§4.3), so this is never on for TCP in production. Default false; cometbftMemoryTransport
   * turns it on.
   */
  readonly memoryListenAddresses?: boolean;
}

/** The software version we announce by default: the line whose limits and rules we follow. */
export const DEFAULT_SOFTWARE_VERSION = '0.38.17';
/** listen_addr of a node that does not say where it listens (syntactically valid, unroutable). */
export const NO_LISTEN_ADDR = 'tcp://0.0.0.0:0';
/** A valid stand-in used to validate a memory listen address by the other §4.3 rules. */
const MEMORY_STAND_IN_LISTEN_ADDR = '127.0.0.1:0';

function invalidLocal(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, `cometbft node info: ${message}`, {
    action: 'transient',
  });
}

/** Our listen_addr: explicit option, the LocalNode's listen address without its ID, or NO_LISTEN_ADDR. */
function localListenAddr(local: LocalNode, options: NodeInfoOptions): string {
  if (options.listenAddr !== undefined) return options.listenAddr;
  const text = local.info.listenAddress;
  if (text === undefined) return NO_LISTEN_ADDR;
  let address;
  try {
    address = parseNodeAddress(text);
  } catch {
    return NO_LISTEN_ADDR;
  }
  if (address.protocol === 'memory') {
    return options.memoryListenAddresses === true ? `memory:${address.host}` : NO_LISTEN_ADDR;
  }
  if (address.protocol !== 'tcp') return NO_LISTEN_ADDR;
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}

/** Builds our DefaultNodeInfo from the LocalNode the router hands to handshake(). */
export function buildLocalNodeInfo(local: LocalNode, options: NodeInfoOptions = {}): NodeInfo {
  const network = options.chainId ?? local.info.network ?? '';
  if (network.length === 0) throw invalidLocal('no chain ID (set chainId or LocalNode.info.network)');
  if (local.channels.length > MAX_NODE_INFO_CHANNELS) {
    throw invalidLocal(`${local.channels.length} channels; peers accept at most ${MAX_NODE_INFO_CHANNELS}`);
  }
  const declared = local.info.protocolVersion;
  const p2p = options.p2pVersion ?? (/^\d{1,19}$/.test(declared) ? BigInt(declared) : P2P_PROTOCOL_V034);
  return {
    protocolVersion: { p2p, block: options.blockVersion ?? BLOCK_PROTOCOL, app: options.appVersion ?? 0n },
    id: local.key.id,
    listenAddr: localListenAddr(local, options),
    network,
    version: options.softwareVersion ?? DEFAULT_SOFTWARE_VERSION,
    channels: Uint8Array.from(local.channels.map((c) => c.id)),
    moniker: options.moniker ?? local.info.userAgent ?? 'peerwire',
    other: { txIndex: options.txIndex ?? 'off', rpcAddress: options.rpcAddress ?? '' },
  };
}

/**
 * The MConnection descriptors of our channels: the router's values (priority, send queue, receive cap),
 * with the standard channel's receive-buffer hint where the id is a standard one. Ids must be bytes.
 */
export function mconnDescriptors(local: LocalNode): ChannelDescriptorInput[] {
  return local.channels.map((c) => {
    if (!Number.isInteger(c.id) || c.id < 0 || c.id > MAX_CHANNEL_ID) {
      throw invalidLocal(`channel id ${c.id} is not a byte (CometBFT channel ids are 0..255)`);
    }
    const standard = standardChannel(c.id);
    return {
      id: c.id,
      priority: c.priority,
      sendQueueCapacity: c.sendQueueCapacity,
      recvMessageCapacity: c.recvMessageCapacity,
      ...(standard === undefined ? {} : { recvBufferCapacity: standard.recvBufferCapacity }),
    };
  });
}

export interface RemoteCheck {
  /** Node ID of the key the SecretConnection authenticated. */
  readonly authenticatedId: string;
  /** The ID we dialed, when known (the router also checks it). */
  readonly dialedId?: string;
  /** Accept a `memory:name` listen_addr (in-process networks only). */
  readonly memoryListenAddresses?: boolean;
}

/**
 * Accepts the remote NodeInfo exactly as CometBFT does (Validate, ID == authenticated ID == dialed ID,
 * not ourselves, CompatibleWith) and returns the transport's PeerInfo. Throws the typed rejection.
 */
export function acceptRemote(
  ours: NodeInfo,
  theirs: NodeInfo,
  publicKey: Uint8Array,
  check: RemoteCheck,
): PeerInfo {
  let validated = theirs;
  if (check.memoryListenAddresses === true && isMemoryListenAddr(theirs.id, theirs.listenAddr)) {
    validated = { ...theirs, listenAddr: MEMORY_STAND_IN_LISTEN_ADDR };
  }
  acceptRemoteNodeInfo(ours, validated, {
    authenticatedId: check.authenticatedId,
    ...(check.dialedId === undefined ? {} : { dialedId: check.dialedId }),
  });
  return nodeInfoToPeerInfo(theirs, publicKey);
}

function isMemoryListenAddr(id: string, listenAddr: string): boolean {
  if (!listenAddr.startsWith('memory:')) return false;
  try {
    return parseNodeAddress(`${id}@${listenAddr}`).protocol === 'memory';
  } catch {
    return false;
  }
}
