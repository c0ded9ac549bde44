// The TCP carrier: node:net servers and sockets as ByteLinks. It listens on any number of endpoints,
// queues accepted sockets in a bounded backlog, dials with abort (the socket is destroyed the moment
// the signal fires), optionally from a chosen source address (tests of per-IP limits dial from
// 127.0.0.2, 127.0.0.3, ...), and on close() releases every server and socket it created.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { abortReason } from '../core/abort.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import {
  resolveLinkOptions,
  type ByteLink,
  type LinkOptions,
  type ResolvedLinkOptions,
} from './byte-link.ts';
import { AcceptBacklog, DEFAULT_ACCEPT_BACKLOG, type Carrier } from './carrier.ts';
import { formatEndpoint, TCP_PROTOCOL, tcpEndpoint } from './endpoint.ts';
import { TransportErrorCode } from './errors.ts';
import { TcpLink } from './tcp-link.ts';
import type { Endpoint } from './types.ts';

export interface TcpCarrierOptions {
  /** Source address for outbound connections (e.g. `127.0.0.2`). Default: chosen by the OS. */
  readonly localAddress?: string;
  /** Accepted-but-unclaimed connections kept; more are closed and counted. Default 64. */
  readonly acceptBacklog?: number;
  /** Write buffering and linger of each socket (see byte-link.ts for defaults). */
  readonly link?: LinkOptions;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: no metrics. */
  readonly metrics?: Metrics;
}

/**
 * The kernel's listen() queue, in connections: beyond it the OS drops SYNs until we accept, and the
 * dialer's kernel retries only after 1 s, then 3 s. Sockets that reconnect as soon as they are dropped
 * arrive in bursts of hundreds, so the queue must hold such a burst: 4,096 (Go's net package, hence
 * CometBFT, asks for the kernel's maximum, somaxconn, 4,096 by default since Linux 5.4; the kernel
 * caps a larger request at somaxconn). Node's default, 511, overflowed under the 1,000-socket probe.
 */
const LISTEN_BACKLOG = 4_096;

export class TcpCarrier implements Carrier {
  readonly protocols: readonly string[] = [TCP_PROTOCOL];
  private readonly localAddress: string | undefined;
  private readonly linkOptions: ResolvedLinkOptions;
  private readonly backlog: AcceptBacklog;
  private readonly logger: Logger;
  private readonly servers = new Map<Server, Endpoint>();
  private readonly links = new Set<TcpLink>();
  /** Drops a link whose socket closed; one function for every link (no closure per connection). */
  private readonly forget = (link: TcpLink): void => {
    this.links.delete(link);
  };
  private readonly dialing = new Set<Socket>();
  private closed = false;

  constructor(options: TcpCarrierOptions = {}) {
    this.localAddress = options.localAddress;
    this.linkOptions = resolveLinkOptions(options.link);
    this.logger = (options.logger ?? silentLogger).child({ component: 'tcp-carrier' });
    this.backlog = new AcceptBacklog(options.acceptBacklog ?? DEFAULT_ACCEPT_BACKLOG, TCP_PROTOCOL, options.metrics);
  }

  listen(endpoint: Endpoint): Promise<Endpoint> {
    if (this.closed) return Promise.reject(closedError());
    const server = createServer({ noDelay: true });
    server.on('connection', (socket) => this.onConnection(socket));
    return new Promise<Endpoint>((resolve, reject) => {
      const onError = (error: Error & { code?: string }): void => {
        server.close();
        const code =
          error.code === 'EADDRINUSE' ? TransportErrorCode.AddressInUse : ErrorCode.ConnectionFailed;
        reject(toPeerwireError(error, code, 'transient'));
      };
      server.once('error', onError);
      server.listen({ host: endpoint.host, port: endpoint.port, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', onError);
        server.on('error', (error) => this.logger.warn({ err: error }, 'server error'));
        const address = server.address();
        const bound =
          address !== null && typeof address === 'object'
            ? tcpEndpoint(address.address, address.port)
            : endpoint;
        if (this.closed) {
          server.close();
          reject(closedError());
          return;
        }
        this.servers.set(server, bound);
        this.logger.debug({ endpoint: formatEndpoint(bound) }, 'listening');
        resolve(bound);
      });
    });
  }

  listenEndpoints(): readonly Endpoint[] {
    return [...this.servers.values()];
  }

  accept(signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) return Promise.reject(closedError());
    return this.backlog.next(signal);
  }

  dial(endpoint: Endpoint, signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) return Promise.reject(closedError());
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<ByteLink>((resolve, reject) => {
      const socket = connect({
        host: endpoint.host,
        port: endpoint.port,
        ...(this.localAddress === undefined ? {} : { localAddress: this.localAddress }),
      });
      this.dialing.add(socket);
      const cleanup = (): void => {
        this.dialing.delete(socket);
        signal.removeEventListener('abort', onAbort);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        // A late error from a socket we gave up on must not become an uncaught exception.
        socket.on('error', ignore);
      };
      const onConnect = (): void => {
        cleanup();
        if (this.closed) {
          socket.destroy();
          reject(closedError());
          return;
        }
        resolve(this.track(socket));
      };
      const onError = (error: Error): void => {
        cleanup();
        socket.destroy();
        reject(toPeerwireError(error, ErrorCode.ConnectionFailed, 'transient'));
      };
      const onAbort = (): void => {
        cleanup();
        socket.destroy();
        reject(abortReason(signal));
      };
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.backlog.close();
    const waits: Promise<void>[] = [];
    for (const server of this.servers.keys()) {
      waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    }
    this.servers.clear();
    for (const socket of this.dialing) {
      waits.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
      socket.destroy(closedError());
    }
    for (const link of this.links) {
      link.close(closedError());
      waits.push(link.finished);
    }
    await Promise.all(waits);
  }

  private onConnection(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.backlog.offer(this.track(socket));
  }

  private track(socket: Socket): TcpLink {
    const link = new TcpLink(socket, this.linkOptions, this.forget);
    this.links.add(link);
    return link;
  }
}

function closedError(): PeerwireError {
  return new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' });
}

function ignore(): void {
  // Intentionally empty.
}
