// Ready-made transports: a carrier plus a wire, defaulting to the plain test wire, so a test writes
// `const t = memoryTransport(net)` or `tcpTransport()`. Any other wire is passed as `wire`. These live
// with the plain wire (not in transport/) because the transport layer must not import a wire.

import type { Logger } from '../core/logger.ts';
import { MemoryCarrier, type MemoryCarrierOptions } from '../transport/memory-carrier.ts';
import type { MemoryNetwork } from '../transport/memory-network.ts';
import { StreamTransport } from '../transport/stream-transport.ts';
import { TcpCarrier, type TcpCarrierOptions } from '../transport/tcp-carrier.ts';
import type { Wire } from '../transport/wire.ts';
import { plainWire } from './wire.ts';

export interface TcpTransportOptions extends TcpCarrierOptions {
  /** Default: the plain wire with its defaults. */
  readonly wire?: Wire;
}

export interface MemoryTransportOptions extends MemoryCarrierOptions {
  /** Default: the plain wire with its defaults. */
  readonly wire?: Wire;
  /** Default: silent. */
  readonly logger?: Logger;
}

export function tcpTransport(options: TcpTransportOptions = {}): StreamTransport {
  return new StreamTransport({
    carrier: new TcpCarrier(options),
    wire: options.wire ?? plainWire(),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}

export function memoryTransport(
  network: MemoryNetwork,
  options: MemoryTransportOptions = {},
): StreamTransport {
  return new StreamTransport({
    carrier: new MemoryCarrier(network, options),
    wire: options.wire ?? plainWire(),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}
