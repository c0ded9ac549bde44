// Small helpers for Endpoint values: building them for each carrier, printing them for logs and errors,
// and normalising the IPv4-mapped IPv6 form (`::ffff:127.0.0.2`) a dual-stack socket reports, so that
// per-IP limits see one spelling of each address.

import { isIP } from 'node:net';
import type { Endpoint } from './types.ts';

export const TCP_PROTOCOL = 'tcp';
export const MEMORY_PROTOCOL = 'memory';

const V4_MAPPED_PREFIX = '::ffff:';

/** `::ffff:a.b.c.d` becomes `a.b.c.d`; anything else is returned unchanged. */
export function normalizeIp(address: string): string {
  if (address.toLowerCase().startsWith(V4_MAPPED_PREFIX)) {
    const v4 = address.slice(V4_MAPPED_PREFIX.length);
    if (isIP(v4) === 4) return v4;
  }
  return address;
}

export function tcpEndpoint(host: string, port: number): Endpoint {
  return { protocol: TCP_PROTOCOL, host: normalizeIp(host), port };
}

/** A memory endpoint: its name, and a connection number in `port` (0 for a listener's own endpoint). */
export function memoryEndpoint(name: string, port = 0): Endpoint {
  return { protocol: MEMORY_PROTOCOL, host: name, port };
}

/** `tcp 127.0.0.1:26656`, `tcp [::1]:26656`, `memory:name` (for logs and error messages). */
export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.protocol === MEMORY_PROTOCOL) {
    return endpoint.port === 0 ? `memory:${endpoint.host}` : `memory:${endpoint.host}#${endpoint.port}`;
  }
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.protocol} ${host}:${endpoint.port}`;
}
