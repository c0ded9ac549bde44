// Zcash address-book keys: the canonical `ip:port` text of a socket address (IPv4-mapped IPv6 written
// as IPv4, IPv6 per RFC 5952 in brackets), which is also the peer's id in the PeerManager. One socket
// address has exactly one spelling, so `::ffff:1.2.3.4`, `1.2.3.4` and an upper-case IPv6 literal can
// never become three entries. Also here: Zebra's "valid for outbound" rule (zebra-network
// peer/priority.rs; docs/protocols/zcash.md §4.2), which decides what may enter the book and what may be dialed.

import { isIP } from 'node:net';
import type { NodeAddress } from '../../core/node-address.ts';
import { canonicalIp } from '../wire/ip-address.ts';
import { type NetworkParams } from '../params/network-params.ts';
import { REFUSED_PORTS } from './constants.ts';

export interface SocketAddr {
  /** Canonical IP text (wire form: IPv4-mapped → IPv4, RFC 5952 IPv6). */
  readonly ip: string;
  readonly port: number;
}

/** The canonical book address of an IP literal and port, or undefined when `ip` is not an IP literal. */
export function bookAddressOf(ip: string, port: number): string | undefined {
  if (isIP(ip) === 0 || ip.includes('%') || !Number.isInteger(port) || port < 0 || port > 0xffff)
    return undefined;
  const canonical = canonicalIp(ip);
  return isIP(canonical) === 6 ? `[${canonical}]:${port}` : `${canonical}:${port}`;
}

/** Parses `a.b.c.d:port` or `[v6]:port` (any spelling) into its canonical parts; undefined if malformed. */
export function parseSocketAddr(text: string): SocketAddr | undefined {
  if (text.length > 64) return undefined;
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (isIP(host) !== 4) return undefined;
  }
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 0xffff || host.includes('%')) return undefined;
  return { ip: canonicalIp(host), port };
}

/** The canonical spelling of a book address text, or undefined when it is not `ip:port`. */
export function canonicalBookAddress(text: string): string | undefined {
  const parsed = parseSocketAddr(text);
  return parsed === undefined ? undefined : bookAddressOf(parsed.ip, parsed.port);
}

/** The socket address of a NodeAddress when it is a plain TCP `ip:port` without a node id. */
export function socketAddrOf(address: NodeAddress): SocketAddr | undefined {
  if (address.protocol !== 'tcp' || address.id !== undefined || isIP(address.host) === 0) return undefined;
  if (address.host.includes('%')) return undefined;
  return { ip: canonicalIp(address.host), port: address.port };
}

/** True when the NodeAddress is spelled exactly as its canonical book address (so ids never alias). */
export function isCanonical(address: NodeAddress): boolean {
  const socket = socketAddrOf(address);
  return socket !== undefined && socket.ip === address.host;
}

/** The NodeAddress (peer id = its text) for a book address, or undefined when malformed. */
export function nodeAddressOf(text: string): NodeAddress | undefined {
  const parsed = parseSocketAddr(text);
  return parsed === undefined ? undefined : { protocol: 'tcp', host: parsed.ip, port: parsed.port };
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/**
 * Zebra's "valid for outbound": the IP is specified, the port is not 0, and the port is either the
 * network's default port or not one of the refused ports (REFUSED_PORTS). Loopback and private
 * addresses are valid, as in Zebra (operators run local networks).
 */
export function isValidForOutbound(socket: SocketAddr, network: NetworkParams): boolean {
  if (isUnspecified(socket.ip) || socket.port === 0) return false;
  if (socket.port === network.defaultPort) return true;
  return !REFUSED_PORTS.has(socket.port);
}

/** The 16 bytes of an IP (IPv4 as IPv4-mapped), for the reconnection order's IP tie-break. */
export function ipSortKey(ip: string): string {
  // Fixed-width hex of the 16-byte form compares like the bytes (IPv4 sorts as ::ffff:a.b.c.d).
  if (isIP(ip) === 4) {
    return `00000000000000000000ffff${ip
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('')}`;
  }
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(fill).fill('0'), ...right].map((g) => g.padStart(4, '0')).join('');
}
