// CometBFT peer addresses (docs/protocols/cometbft.md §4.6, §5.2): `id@host:port`, optionally behind any
// `scheme://` prefix, which is stripped. This follows Go's NewNetAddressString step by step, since the
// same rules decide whether a remote's NodeInfo listen_addr is valid (§4.3): exactly one `@`; an ID
// that hex-decodes to 20 bytes; `host:port` split like Go's net.SplitHostPort; a non-empty host; a
// decimal port below 65536. Go resolves a host name with DNS on the spot; here parsing is pure and a
// name stays a name (`resolveNetAddress` does the lookup when the caller wants it), so no remote
// input can make the handshake wait on DNS. IDs are normalized to lower case, the form the handshake
// compares. The canonical text is `id@ip:port` with IPv6 in brackets, as Go prints it.

import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { raceAbort, throwIfAborted } from '../../core/abort.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeAddress } from '../../core/node-address.ts';

/** A node ID is the hex of 20 bytes (SHA-256-20 of the Ed25519 public key). */
export const NODE_ID_BYTES = 20;

/**
 * Longest address text parsed: a 40-char ID, `@`, a 253-char DNS name or bracketed IPv6, a port and a
 * scheme fit well within it; anything longer is refused before any work.
 */
export const MAX_NET_ADDRESS_TEXT = 512;

export interface NetAddress {
  /** Lower-case hex node ID. */
  readonly id: string;
  /** IP literal (canonical text, no brackets) or, before resolution, a DNS name. */
  readonly host: string;
  readonly port: number;
}

function invalid(text: string, why: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidAddress, `invalid address "${text.slice(0, 80)}": ${why}`, {
    action: 'transient',
  });
}

const HEX_ID = /^[0-9a-fA-F]*$/;
const DNS_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
const DECIMAL = /^[0-9]+$/;

/** Go's removeProtocolIfDefined: the text between the first and a possible second `://`. */
export function stripScheme(text: string): string {
  return text.includes('://') ? text.split('://')[1]! : text;
}

/** True when `id` hex-decodes to exactly 20 bytes (either case, as Go's hex decoder accepts). */
export function isValidNodeIdText(id: string): boolean {
  return id.length === NODE_ID_BYTES * 2 && HEX_ID.test(id);
}

/** True when `host` is an IP literal as Go's net.ParseIP reads it (no zone, no brackets). */
export function isIpLiteral(host: string): boolean {
  return !host.includes('%') && isIP(host) !== 0;
}

/** True for a syntactically valid DNS name (what Go would hand to its resolver). */
export function isDnsName(host: string): boolean {
  return DNS_NAME.test(host);
}

/** The canonical text of an IP literal as Go prints it: dotted IPv4 (also for v4-mapped), RFC 5952 IPv6. */
export function canonicalIp(ip: string): string {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return ip;
  const compressed = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped !== null) {
    const high = parseInt(mapped[1]!, 16);
    const low = parseInt(mapped[2]!, 16);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return compressed;
}

/** Go's net.SplitHostPort. Returns undefined where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return undefined;
  return { host, port: hostport.slice(i + 1) };
}

/**
 * Parses `[scheme://]id@host:port` exactly as CometBFT's NewNetAddressString does, except that a host
 * name is checked for DNS syntax instead of being resolved. Throws ERR_INVALID_ADDRESS.
 */
export function parseNetAddress(text: string): NetAddress {
  if (text.length > MAX_NET_ADDRESS_TEXT) throw invalid(text, 'too long');
  const rest = stripScheme(text);
  const parts = rest.split('@');
  if (parts.length !== 2) throw invalid(text, 'expected exactly one "@" after the node ID');
  const [idText, hostPortText] = parts as [string, string];
  if (idText.length === 0) throw invalid(text, 'no node ID');
  if (!isValidNodeIdText(idText)) throw invalid(text, `node ID must be the hex of ${NODE_ID_BYTES} bytes`);
  const split = splitHostPort(hostPortText);
  if (split === undefined) throw invalid(text, 'expected host:port');
  if (split.host.length === 0) throw invalid(text, 'host is empty');
  let host: string;
  if (isIpLiteral(split.host)) host = canonicalIp(split.host);
  else if (isDnsName(split.host)) host = split.host;
  else throw invalid(text, 'host is neither an IP address nor a DNS name');
  if (!DECIMAL.test(split.port)) throw invalid(text, 'port is not a decimal number');
  const port = Number(split.port.length > 6 ? 'Infinity' : split.port);
  if (port > 0xffff) throw invalid(text, 'port is out of range');
  return { id: idText.toLowerCase(), host, port };
}

/** `id@ip:port`, IPv6 in brackets (Go's NetAddress.String). */
export function formatNetAddress(address: NetAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${address.id}@${host}:${address.port}`;
}

/** The same address as the core's NodeAddress (protocol `tcp`). */
export function toNodeAddress(address: NetAddress): NodeAddress {
  return { protocol: 'tcp', id: address.id, host: address.host, port: address.port };
}

/** Resolves a host name to IP addresses; injectable so tests never touch DNS. */
export type HostResolver = (host: string, signal: AbortSignal) => Promise<readonly string[]>;

/** The system resolver (getaddrinfo through node:dns). */
export const systemResolver: HostResolver = async (host, signal) => {
  const results = await raceAbort(dnsLookup(host, { all: true, verbatim: true }), signal);
  return results.map((r) => r.address);
};

/** Replaces a DNS name by its first resolved IP (Go uses the first IP). IP literals come back unchanged. */
export async function resolveNetAddress(
  address: NetAddress,
  signal: AbortSignal,
  resolve: HostResolver = systemResolver,
): Promise<NetAddress> {
  throwIfAborted(signal);
  if (isIpLiteral(address.host)) return address;
  let ips: readonly string[];
  try {
    ips = await resolve(address.host, signal);
  } catch (error) {
    if (error instanceof PeerwireError) throw error;
    throw new PeerwireError(ErrorCode.InvalidAddress, `cannot resolve ${address.host.slice(0, 80)}`, {
      cause: error,
      action: 'transient',
    });
  }
  const first = ips.find((ip) => isIpLiteral(ip));
  if (first === undefined) {
    throw new PeerwireError(ErrorCode.InvalidAddress, `${address.host.slice(0, 80)} has no IP address`, {
      action: 'transient',
    });
  }
  return { id: address.id, host: canonicalIp(first), port: address.port };
}

/**
 * Checks an address gossiped by PEX (proto NetAddress{id, ip, port}) as Go's NetAddressFromProto and
 * address validity do: a textual IP, a port below 65536 and a valid node ID. Throws ERR_INVALID_ADDRESS
 * (the caller treats the whole PexAddrs as invalid).
 */
export function netAddressFromPex(entry: {
  readonly id: string;
  readonly ip: string;
  readonly port: number;
}): NetAddress {
  const text = `${entry.id.slice(0, 48)}@${entry.ip.slice(0, 64)}:${entry.port}`;
  if (!isIpLiteral(entry.ip)) throw invalid(text, 'ip is not an IP address');
  if (!Number.isInteger(entry.port) || entry.port < 0 || entry.port > 0xffff)
    throw invalid(text, 'port is out of range');
  if (!isValidNodeIdText(entry.id)) throw invalid(text, `node ID must be the hex of ${NODE_ID_BYTES} bytes`);
  return { id: entry.id.toLowerCase(), host: canonicalIp(entry.ip), port: entry.port };
}
