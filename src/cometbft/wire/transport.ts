// Ready-made CometBFT transports: a carrier (TCP for real networks, memory for in-process simulations)
// plus the CometBFT wire, as the router uses them. Peers are addressed `id@host:port` (a `tcp://`
// prefix is accepted and stripped, docs/protocols/cometbft.md §4.6); `cometbftAddress` parses such text into the NodeAddress
// the router and the peer manager work with (memory peers keep the core's `id@memory:name` form).

import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { parseNodeAddress, type NodeAddress } from '../../core/node-address.ts';
import { MemoryCarrier, type MemoryCarrierOptions } from '../../transport/memory-carrier.ts';
import type { MemoryNetwork } from '../../transport/memory-network.ts';
import { StreamTransport } from '../../transport/stream-transport.ts';
import { TcpCarrier, type TcpCarrierOptions } from '../../transport/tcp-carrier.ts';
import { CometbftWire, type CometbftWireOptions } from './cometbft-wire.ts';
import { parseNetAddress, toNodeAddress } from './net-address.ts';

export interface CometbftTcpTransportOptions extends TcpCarrierOptions {
  /** The wire's options (chain ID, deadlines, rates...). Default: CometBFT's defaults. */
  readonly wire?: CometbftWireOptions;
}

export interface CometbftMemoryTransportOptions extends MemoryCarrierOptions {
  /**
   * The wire's options. `memoryListenAddresses` defaults to true here: memory peers announce
   * `memory:name` listen addresses, which only in-process peers ever see.
   */
  readonly wire?: CometbftWireOptions;
  /** Default: silent. */
  readonly logger?: Logger;
}

function withMetrics(
  wire: CometbftWireOptions | undefined,
  metrics: Metrics | undefined,
): CometbftWireOptions {
  const options = wire ?? {};
  return options.metrics === undefined && metrics !== undefined ? { ...options, metrics } : options;
}

/** CometBFT over TCP (`tcp` endpoints). */
export function cometbftTcpTransport(options: CometbftTcpTransportOptions = {}): StreamTransport {
  return new StreamTransport({
    carrier: new TcpCarrier(options),
    wire: new CometbftWire(withMetrics(options.wire, options.metrics)),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}

/** CometBFT over an in-process MemoryNetwork (`memory` endpoints). */
export function cometbftMemoryTransport(
  network: MemoryNetwork,
  options: CometbftMemoryTransportOptions = {},
): StreamTransport {
  const wire = { memoryListenAddresses: true, ...withMetrics(options.wire, options.metrics) };
  return new StreamTransport({
    carrier: new MemoryCarrier(network, options),
    wire: new CometbftWire(wire),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}

/**
 * Parses a CometBFT peer address, `[tcp://]id@host:port` by Go's rules (an ID is required), or an
 * in-process `id@memory:name`. Throws ERR_INVALID_ADDRESS.
 */
export function cometbftAddress(text: string): NodeAddress {
  const trimmed = text.trim();
  const withoutId = trimmed.slice(trimmed.indexOf('@') + 1);
  if (withoutId.startsWith('memory:')) {
    const address = parseNodeAddress(trimmed);
    if (address.id !== undefined) return address;
  }
  return toNodeAddress(parseNetAddress(trimmed));
}
