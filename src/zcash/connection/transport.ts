// Ready-made Zcash transports (a carrier plus the Zcash wire), and the address forms Zcash peers use:
// `host:port`, IPv6 in brackets (`[::1]:8233`), and `memory:name` for in-process peers.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { memoryEndpoint, tcpEndpoint } from '../../transport/endpoint.ts';
import { MemoryCarrier, type MemoryCarrierOptions } from '../../transport/memory-carrier.ts';
import type { MemoryNetwork } from '../../transport/memory-network.ts';
import { StreamTransport } from '../../transport/stream-transport.ts';
import { TcpCarrier, type TcpCarrierOptions } from '../../transport/tcp-carrier.ts';
import type { Endpoint } from '../../transport/types.ts';
import { ZcashWire, type ZcashWireOptions } from './zcash-wire.ts';
import { isIP } from 'node:net';

export interface ZcashTcpTransportOptions extends TcpCarrierOptions, ZcashWireOptions {}

export interface ZcashMemoryTransportOptions extends MemoryCarrierOptions, ZcashWireOptions {
  /** Default: silent. */
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export function zcashTcpTransport(options: ZcashTcpTransportOptions): StreamTransport {
  return new StreamTransport({
    carrier: new TcpCarrier(options),
    wire: new ZcashWire(options),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}

export function zcashMemoryTransport(
  network: MemoryNetwork,
  options: ZcashMemoryTransportOptions,
): StreamTransport {
  return new StreamTransport({
    carrier: new MemoryCarrier(network, options),
    wire: new ZcashWire(options),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}

function invalidAddress(text: string, why: string): PeerwireError {
  return new PeerwireError(
    ErrorCode.InvalidAddress,
    `invalid Zcash peer address "${text.slice(0, 80)}": ${why}`,
    {
      action: 'transient',
    },
  );
}

/** Parses `host:port`, `[ipv6]:port` (TCP) or `memory:name` into an endpoint. Host names are kept as given. */
export function parseZcashAddress(text: string): Endpoint {
  if (text.startsWith('memory:')) {
    const name = text.slice('memory:'.length);
    if (name === '') throw invalidAddress(text, 'empty memory name');
    return memoryEndpoint(name);
  }
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') throw invalidAddress(text, 'expected [ipv6]:port');
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw invalidAddress(text, 'not an IPv6 address');
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw invalidAddress(text, 'expected host:port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw invalidAddress(text, 'IPv6 addresses need brackets');
  }
  if (!/^\d{1,5}$/.test(portText)) throw invalidAddress(text, 'bad port');
  const port = Number(portText);
  if (port < 1 || port > 0xffff) throw invalidAddress(text, 'port out of range');
  return tcpEndpoint(host, port);
}
