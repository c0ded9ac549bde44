// ConnectedAddr: how we reached a peer, which decides what the connection may tell the rest of the
// node (docs/protocols/zcash.md §3.4, Zebra handshake.rs). Three questions, one answer each per kind:
//   - address-book address: the key under which the address book may record this peer (only direct
//     connections have one; it comes from the socket, never from what the peer says about itself);
//   - transient id: identifies the connection while it is open (peer set, inventory registry, logs);
//   - alternate addresses: addresses the handshake suggests for later reconnection (the peer's
//     self-reported canonical address, the inbound IP with that port). They go only into the
//     per-connection address cache, never directly into the address book.
//
// Security reasons (why these rules, from Zebra's comments):
//   - the address book must reflect our own observations of listener addresses we can dial. If its
//     key were derived from the peer's self-reported canonical address, a peer could mark other
//     peers' entries failed or fill the book with fake addresses;
//   - an inbound remote address carries an ephemeral port: it is recorded with is_inbound = true,
//     which keeps it out of gossip, and usually fails the outbound validity checks anyway;
//   - alternate addresses are guesses or claims: they are only offered when we later ask that same
//     connection for peers, subject to the normal 37-address response limit;
//   - proxy connections share the proxy's address between many peers, so they have no book address;
//   - Isolated connections (e.g. over Tor) must never change peer-set or address-book state, so they
//     have no identifier at all and reveal nothing in their version message.
//
// Zebra's handshake.rs excerpt gives InboundDirect no book address; the spec (§3.4, §3.5) and this
// project record inbound peers with is_inbound = true, as current Zebra does: we follow the spec.

import { isIP } from 'node:net';
import { MEMORY_PROTOCOL, TCP_PROTOCOL } from '../../transport/endpoint.ts';
import type { Endpoint } from '../../transport/types.ts';

export type ConnectedAddr =
  /** We dialed `addr` directly: in an honest network a peer listens on exactly this address. */
  | { readonly kind: 'outbound-direct'; readonly addr: Endpoint }
  /** `addr` dialed our listener: its IP may be a peer's, its port is an ephemeral outbound port. */
  | { readonly kind: 'inbound-direct'; readonly addr: Endpoint }
  /** We dialed through `proxy`; our own local address identifies the connection while it lasts. */
  | { readonly kind: 'outbound-proxy'; readonly proxy: Endpoint; readonly transientLocal: Endpoint }
  /** A peer reached us through an inbound proxy whose ephemeral address is `transient`. */
  | { readonly kind: 'inbound-proxy'; readonly transient: Endpoint }
  /** Deliberately without metadata. */
  | { readonly kind: 'isolated' };

export type ConnectedAddrKind = ConnectedAddr['kind'];

export const ConnectedAddrs = {
  outboundDirect: (addr: Endpoint): ConnectedAddr => ({ kind: 'outbound-direct', addr }),
  inboundDirect: (addr: Endpoint): ConnectedAddr => ({ kind: 'inbound-direct', addr }),
  outboundProxy: (proxy: Endpoint, transientLocal: Endpoint): ConnectedAddr => ({
    kind: 'outbound-proxy',
    proxy,
    transientLocal,
  }),
  inboundProxy: (transient: Endpoint): ConnectedAddr => ({ kind: 'inbound-proxy', transient }),
  isolated: (): ConnectedAddr => ({ kind: 'isolated' }),
} as const;

/**
 * Text of a peer address: `ip:port`, `[ipv6]:port`; memory endpoints as `memory:name` (listener) or
 * `memory:name#n` (one connection), as formatEndpoint prints them.
 */
export function formatPeerAddr(endpoint: Endpoint): string {
  if (endpoint.protocol === MEMORY_PROTOCOL) {
    return endpoint.port === 0 ? `memory:${endpoint.host}` : `memory:${endpoint.host}#${endpoint.port}`;
  }
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}

/** The address-book key: only direct connections have one (see the security notes above). */
export function addressBookAddr(connected: ConnectedAddr): Endpoint | undefined {
  switch (connected.kind) {
    case 'outbound-direct':
    case 'inbound-direct':
      return connected.addr;
    default:
      return undefined;
  }
}

/** Identifies the connection while it is open; never a permanent identifier or a dial target. */
export function transientAddr(connected: ConnectedAddr): Endpoint | undefined {
  switch (connected.kind) {
    case 'outbound-direct':
    case 'inbound-direct':
      return connected.addr;
    case 'outbound-proxy':
      return connected.transientLocal;
    case 'inbound-proxy':
      return connected.transient;
    case 'isolated':
      return undefined;
  }
}

/** Short label for logs and metrics (a bounded set). */
export function connectedAddrLabel(connected: ConnectedAddr): string {
  switch (connected.kind) {
    case 'outbound-direct':
      return 'Out';
    case 'inbound-direct':
      return 'In';
    case 'outbound-proxy':
      return 'ProxOut';
    case 'inbound-proxy':
      return 'ProxIn';
    case 'isolated':
      return 'Isol';
  }
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function sameAddr(a: Endpoint, b: Endpoint): boolean {
  return a.protocol === b.protocol && a.host === b.host && a.port === b.port;
}

/**
 * Alternate addresses for reconnection, from the connection and the peer's canonical address
 * (`version.addr_from`): OutboundDirect fills an unspecified IP or port 0 from the dialed address
 * and offers the result only if it differs from the dialed address; InboundDirect offers the
 * canonical address and the inbound IP with the canonical port (one if they are equal); proxies
 * offer the canonical address; Isolated offers nothing.
 */
export function alternateAddrs(connected: ConnectedAddr, canonicalRemote: Endpoint): Endpoint[] {
  switch (connected.kind) {
    case 'outbound-direct': {
      const addr = connected.addr;
      let canonical = canonicalRemote;
      if (isUnspecified(canonical.host))
        canonical = { ...canonical, protocol: addr.protocol, host: addr.host };
      if (canonical.port === 0) canonical = { ...canonical, port: addr.port };
      return sameAddr(canonical, addr) ? [] : [canonical];
    }
    case 'inbound-direct': {
      const guess: Endpoint = {
        protocol: connected.addr.protocol,
        host: connected.addr.host,
        port: canonicalRemote.port,
      };
      return sameAddr(canonicalRemote, guess) ? [canonicalRemote] : [canonicalRemote, guess];
    }
    case 'outbound-proxy':
    case 'inbound-proxy':
      return [canonicalRemote];
    case 'isolated':
      return [];
  }
}

/** The canonical address a version message's `addr_from` describes, as a TCP endpoint. */
export function canonicalEndpoint(addrFrom: { readonly ip: string; readonly port: number }): Endpoint {
  return { protocol: TCP_PROTOCOL, host: addrFrom.ip, port: addrFrom.port };
}
