// A loopback TCP port for tests that need one nobody listens on, or a port to hand a child process.

import { createServer } from 'node:net';

/** A 127.0.0.1 port that was free a moment ago: bound to port 0, noted, released. */
export function freeLoopbackPort(): Promise<number> {
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
