// The CometBFT wire against the shared transport compliance suite, over the memory carrier and over
// TCP on 127.0.0.1. The suite's nodes announce `memory:name` listen addresses (memoryListenAddresses),
// and one test sends on a channel the receiver did not advertise, which needs the wire's test-only
// sendOnAnyChannel switch; a real node sets neither.

import { MemoryCarrier } from '../../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../../src/transport/memory-network.ts';
import { TcpCarrier } from '../../../src/transport/tcp-carrier.ts';
import { cometbftMemoryTransport, cometbftTcpTransport } from '../../../src/cometbft/wire/transport.ts';
import type { CometbftWireOptions } from '../../../src/cometbft/wire/cometbft-wire.ts';
import { runTransportCompliance } from '../../transport/compliance.ts';
import { createServer } from 'node:net';

const wire: CometbftWireOptions = {
  memoryListenAddresses: true,
  sendOnAnyChannel: true,
};

let network = new MemoryNetwork();
runTransportCompliance('memory + cometbft', () => {
  network = new MemoryNetwork();
  return {
    create: (name) => cometbftMemoryTransport(network, { name, wire }),
    listenEndpoint: (name) => ({ protocol: 'memory', host: name, port: 0 }),
    unreachableEndpoint: () => Promise.resolve({ protocol: 'memory', host: 'nobody-here', port: 0 }),
    createCarrier: (name) => new MemoryCarrier(network, { name }),
  };
});

/** A loopback port nobody listens on: bind one, note it, close it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

runTransportCompliance('tcp + cometbft', () => ({
  create: () => cometbftTcpTransport({ wire }),
  listenEndpoint: () => ({ protocol: 'tcp', host: '127.0.0.1', port: 0 }),
  unreachableEndpoint: async () => ({ protocol: 'tcp', host: '127.0.0.1', port: await freePort() }),
  createCarrier: () => new TcpCarrier(),
}));
