// Two ends of one in-process byte link (a memory carrier dialing another), for tests that put a wire's
// connection or a pump directly on a link without a Transport. close() closes both carriers, and with
// them the links.

import type { ByteLink } from '../../src/transport/byte-link.ts';
import { MemoryCarrier } from '../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';

export interface MemoryLinks {
  readonly dialer: ByteLink;
  readonly acceptor: ByteLink;
  close(): Promise<void>;
}

export async function memoryLinks(signal: AbortSignal): Promise<MemoryLinks> {
  const net = new MemoryNetwork();
  const server = new MemoryCarrier(net, { name: 's' });
  const client = new MemoryCarrier(net, { name: 'c' });
  await server.listen({ protocol: 'memory', host: 's', port: 0 });
  const [dialer, acceptor] = await Promise.all([
    client.dial({ protocol: 'memory', host: 's', port: 0 }, signal),
    server.accept(signal),
  ]);
  return {
    dialer,
    acceptor,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
