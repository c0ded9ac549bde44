// Node addresses, the way operators write them and peers gossip them:
//   CometBFT peers  `id@host:port` or `tcp://id@host:port`
//   Zcash peers     `host:port` (IPv6 in brackets: `[::1]:8233`)
//   in-process      `memory:name` or `id@memory:name`
// A host may be a name that resolves to several endpoints (the router resolves it); the protocol picks
// the transport. A peer's identity is its node ID when the address carries one, otherwise (Zcash) the
// address itself: Zebra identifies a peer by its connected address.

import { isIP } from 'node:net';
import { ErrorCode, PeerwireError } from './errors.ts';

export type NodeId = string;

export interface NodeAddress {
  /** `tcp`, `memory`, or another transport's protocol name. */
  readonly protocol: string;
  /** The node ID when the wire authenticates one (CometBFT), otherwise undefined. */
  readonly id?: NodeId;
  /** IP literal or DNS name (without brackets), or the memory endpoint's name. */
  readonly host: string;
  /** TCP port; 0 for memory addresses. */
  readonly port: number;
}

/** Longest address text accepted: DNS names are at most 253 characters, plus ID, scheme and port. */
export const MAX_ADDRESS_TEXT = 400;

function invalid(text: string, why: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidAddress, `invalid address "${text.slice(0, 80)}": ${why}`, {
    action: 'transient',
  });
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
const MEMORY_NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const ID_TEXT = /^[0-9a-fA-F]{40}$/;

/** Parses an address; throws ERR_INVALID_ADDRESS with the reason. */
export function parseNodeAddress(text: string, defaultProtocol = 'tcp'): NodeAddress {
  if (text.length === 0 || text.length > MAX_ADDRESS_TEXT) throw invalid(text, 'empty or too long');
  let rest = text.trim();
  let protocol = defaultProtocol;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(rest);
  if (scheme !== null) {
    protocol = scheme[1]!;
    rest = rest.slice(scheme[0].length);
  }
  let id: NodeId | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const idText = rest.slice(0, at);
    if (!ID_TEXT.test(idText)) throw invalid(text, 'node ID must be 40 hex characters');
    id = idText.toLowerCase();
    rest = rest.slice(at + 1);
  }
  if (scheme === null && rest.startsWith('memory:')) {
    protocol = 'memory';
    rest = rest.slice('memory:'.length);
  }
  if (protocol === 'memory') {
    if (!MEMORY_NAME.test(rest)) throw invalid(text, 'memory name must be 1-128 characters of [A-Za-z0-9._:-]');
    return id === undefined ? { protocol, host: rest, port: 0 } : { protocol, id, host: rest, port: 0 };
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw invalid(text, 'IPv6 address must be written [addr]:port');
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (isIP(host) !== 6) throw invalid(text, 'bracketed host is not an IPv6 address');
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw invalid(text, 'missing port');
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) throw invalid(text, 'IPv6 address must be written [addr]:port');
    if (isIP(host) === 0 && !HOST_NAME.test(host)) throw invalid(text, 'host is neither an IP address nor a DNS name');
  }
  if (!/^\d{1,5}$/.test(portText)) throw invalid(text, 'port must be a number');
  const port = Number(portText);
  if (port < 1 || port > 65535) throw invalid(text, 'port must be 1-65535');
  return id === undefined ? { protocol, host, port } : { protocol, id, host, port };
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The canonical text of an address (`id@host:port`, `host:port`, `id@memory:name`, `proto://...`). */
export function formatNodeAddress(address: NodeAddress): string {
  const idPart = address.id === undefined ? '' : `${address.id}@`;
  if (address.protocol === 'memory') return `${idPart}memory:${address.host}`;
  // A TCP host literally named `memory` keeps its scheme: `memory:6` would parse as a memory address.
  if (address.protocol === 'tcp' && address.host !== 'memory') {
    return `${idPart}${hostPort(address.host, address.port)}`;
  }
  return `${address.protocol}://${idPart}${hostPort(address.host, address.port)}`;
}

/** The identity the peer manager files this address under: its node ID, or the address itself. */
export function peerIdOf(address: NodeAddress): NodeId {
  return address.id ?? formatNodeAddress(address);
}
