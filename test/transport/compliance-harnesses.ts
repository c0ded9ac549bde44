// Compliance harnesses for a wire over the two carriers: the in-process memory network and TCP on
// 127.0.0.1. A wire's compliance test names its wire (and any adapter) once and runs the suite over
// both; only loopback addresses are ever dialed.

import { MemoryCarrier } from '../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';
import { StreamTransport } from '../../src/transport/stream-transport.ts';
import { TcpCarrier } from '../../src/transport/tcp-carrier.ts';
import type { Wire } from '../../src/transport/wire.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';
import type { TransportHarness } from './compliance.ts';

/** What a harness adds besides its transports (adapter, expected PeerInfo, high-water mark). */
export type HarnessExtras = Omit<TransportHarness, 'create' | 'listenEndpoint' | 'unreachableEndpoint' | 'createCarrier'>;

/** The wire over a fresh MemoryNetwork per harness; `wireFor(name)` builds each transport's wire. */
export function memoryHarness(
  wireFor: (name: string) => Wire,
  extras: HarnessExtras = {},
): TransportHarness {
  const network = new MemoryNetwork();
  return {
    ...extras,
    create: (name) => new StreamTransport({ carrier: new MemoryCarrier(network, { name }), wire: wireFor(name) }),
    listenEndpoint: (name) => ({ protocol: 'memory', host: name, port: 0 }),
    unreachableEndpoint: () => Promise.resolve({ protocol: 'memory', host: 'nobody-here', port: 0 }),
    createCarrier: (name) => new MemoryCarrier(network, { name }),
  };
}

/** The wire over TCP on 127.0.0.1. */
export function tcpHarness(wireFor: (name: string) => Wire, extras: HarnessExtras = {}): TransportHarness {
  return {
    ...extras,
    create: (name) => new StreamTransport({ carrier: new TcpCarrier(), wire: wireFor(name) }),
    listenEndpoint: () => ({ protocol: 'tcp', host: '127.0.0.1', port: 0 }),
    unreachableEndpoint: async () => ({ protocol: 'tcp', host: '127.0.0.1', port: await freeLoopbackPort() }),
    createCarrier: () => new TcpCarrier(),
  };
}
