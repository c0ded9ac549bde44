// NodeInfo validation and compatibility (docs/protocols/cometbft.md §4.3-4.4), exactly as CometBFT's
// DefaultNodeInfo.Validate and CompatibleWith decide, plus the identity checks its transport runs in
// between (the NodeInfo ID must be the authenticated ID, the dialed ID, and not our own). The one
// deliberate difference: Go resolves a listen_addr host name with DNS while validating; here a name
// passes on DNS syntax alone (validateNodeInfo) unless the caller asks for the lookup
// (validateNodeInfoResolving), so a remote cannot make our handshake wait on a resolver.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { parseNetAddress, resolveNetAddress, stripScheme, type HostResolver } from './net-address.ts';
import type { NodeInfo } from './node-info.ts';

/** Go's maxNumChannels: a NodeInfo may list at most 16 channels. */
export const MAX_NODE_INFO_CHANNELS = 16;

export const NodeInfoErrorCode = {
  /** The remote NodeInfo breaks a Validate rule (Go: ErrRejected isNodeInfoInvalid). */
  Invalid: 'ERR_NODE_INFO_INVALID',
  /** Different block version, chain ID or no common channel (Go: ErrRejected isIncompatible). */
  Incompatible: 'ERR_NODE_INFO_INCOMPATIBLE',
} as const;

function invalid(message: string): PeerwireError {
  return new PeerwireError(NodeInfoErrorCode.Invalid, `node info: ${message}`, { action: 'disconnect' });
}

function incompatible(message: string): PeerwireError {
  return new PeerwireError(NodeInfoErrorCode.Incompatible, message, { action: 'disconnect' });
}

/** Go's IsASCIIText: non-empty and every character printable ASCII (0x20..0x7E). */
export function isAsciiText(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Printable ASCII with at least one non-space (Go: IsASCIIText && ASCIITrim != ""). */
function isPrintableNotBlank(text: string): boolean {
  return isAsciiText(text) && text.replaceAll(' ', '').length > 0;
}

/** The ID+listen_addr address Go builds for the check: `id@listen_addr` without its scheme. */
export function nodeInfoAddressText(info: NodeInfo): string {
  return `${info.id}@${stripScheme(info.listenAddr)}`;
}

/**
 * Validates a remote NodeInfo (rules of §4.3, in Go's order). Throws ERR_NODE_INFO_INVALID. A listen_addr
 * host name is accepted on DNS syntax alone (see the file comment).
 */
export function validateNodeInfo(info: NodeInfo): void {
  try {
    parseNetAddress(nodeInfoAddressText(info));
  } catch (error) {
    throw invalid(`bad id or listen_addr: ${error instanceof Error ? error.message : 'invalid'}`);
  }
  if (info.version.length > 0 && !isPrintableNotBlank(info.version)) {
    throw invalid('version must be printable ASCII and not blank');
  }
  if (info.channels.length > MAX_NODE_INFO_CHANNELS) {
    throw invalid(`${info.channels.length} channels, at most ${MAX_NODE_INFO_CHANNELS} allowed`);
  }
  const seen = new Set<number>();
  for (const channel of info.channels) {
    if (seen.has(channel)) throw invalid(`duplicate channel 0x${channel.toString(16).padStart(2, '0')}`);
    seen.add(channel);
  }
  if (!isPrintableNotBlank(info.moniker)) throw invalid('moniker must be printable ASCII and not blank');
  const txIndex = info.other.txIndex;
  if (txIndex !== '' && txIndex !== 'on' && txIndex !== 'off')
    throw invalid('tx_index must be "on", "off" or empty');
  const rpc = info.other.rpcAddress;
  if (rpc.length > 0 && !isPrintableNotBlank(rpc))
    throw invalid('rpc_address must be printable ASCII and not blank');
}

/** validateNodeInfo plus Go's DNS lookup of a listen_addr host name (first IP must exist). */
export async function validateNodeInfoResolving(
  info: NodeInfo,
  signal: AbortSignal,
  resolve?: HostResolver,
): Promise<void> {
  validateNodeInfo(info);
  try {
    await resolveNetAddress(parseNetAddress(nodeInfoAddressText(info)), signal, resolve);
  } catch (error) {
    if (
      error instanceof PeerwireError &&
      (error.code === ErrorCode.Aborted || error.code === ErrorCode.Timeout)
    )
      throw error;
    throw invalid(
      `listen_addr does not resolve: ${error instanceof Error ? error.message : 'lookup failed'}`,
    );
  }
}

/**
 * `ours.CompatibleWith(theirs)`: same block protocol version, same network, and at least one common
 * channel when we list any. p2p/app versions and the version string are not compared. Throws
 * ERR_NODE_INFO_INCOMPATIBLE with Go's wording.
 */
export function checkNodeInfoCompatible(ours: NodeInfo, theirs: NodeInfo): void {
  if (ours.protocolVersion.block !== theirs.protocolVersion.block) {
    throw incompatible(
      `peer is on a different Block version. Got ${theirs.protocolVersion.block}, expected ${ours.protocolVersion.block}`,
    );
  }
  if (ours.network !== theirs.network) {
    throw incompatible(
      `peer is on a different network. Got ${theirs.network.slice(0, 100)}, expected ${ours.network}`,
    );
  }
  if (ours.channels.length === 0) return;
  for (const channel of ours.channels) if (theirs.channels.includes(channel)) return;
  throw incompatible(
    `peer has no common channels. Our channels: ${hex(ours.channels)} ; Peer channels: ${hex(theirs.channels)}`,
  );
}

export function isNodeInfoCompatible(ours: NodeInfo, theirs: NodeInfo): boolean {
  try {
    checkNodeInfoCompatible(ours, theirs);
    return true;
  } catch {
    return false;
  }
}

export interface RemoteNodeInfoCheck {
  /** The node ID proven by the SecretConnection handshake. */
  readonly authenticatedId: string;
  /** The ID we dialed, for outbound connections. */
  readonly dialedId?: string;
}

/**
 * The whole acceptance sequence of CometBFT's transport for a remote NodeInfo: Validate; the NodeInfo ID
 * equals the authenticated ID (ERR_PEER_ID_MISMATCH) and the dialed ID (ERR_PEER_ID_MISMATCH); it is
 * not our own ID (ERR_SELF_CONNECTION); then CompatibleWith.
 */
export function acceptRemoteNodeInfo(ours: NodeInfo, theirs: NodeInfo, check: RemoteNodeInfoCheck): void {
  validateNodeInfo(theirs);
  if (theirs.id !== check.authenticatedId) {
    throw new PeerwireError(
      ErrorCode.PeerIdMismatch,
      `conn.ID (${check.authenticatedId}) NodeInfo.ID (${theirs.id.slice(0, 64)}) mismatch`,
      { action: 'disconnect' },
    );
  }
  if (check.dialedId !== undefined && theirs.id !== check.dialedId) {
    throw new PeerwireError(
      ErrorCode.PeerIdMismatch,
      `dialed ID ${check.dialedId} but peer is ${theirs.id}`,
      {
        action: 'disconnect',
      },
    );
  }
  if (theirs.id === ours.id) {
    throw new PeerwireError(ErrorCode.SelfConnection, 'connected to ourselves', { action: 'disconnect' });
  }
  checkNodeInfoCompatible(ours, theirs);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
