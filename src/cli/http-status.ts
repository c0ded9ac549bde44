// The node's diagnostics HTTP endpoint: `/metrics` (Prometheus text from the node's own PromMetrics
// registry) and `/status` (JSON: peers, channels, queue depths, peer-store size), and with the web view
// on, the live page at `/` with its server-sent events on `/events` and the latest view on `/view`
// (web/). It listens on a loopback address only when enabled (`metrics = "127.0.0.1:26660"`), answers
// GET and nothing else, never echoes request data, and closes every socket in close() so a stopped
// node leaves no handles.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { PromMetrics } from '../core/prom-metrics.ts';
import type { HostPort } from '../core/host-port.ts';
import type { EventStream } from './web/event-stream.ts';
import { PAGE_HTML } from './web/page.ts';

/** Slowest client we wait for (ms): a scrape answers in milliseconds; this bounds idle sockets. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Concurrent sockets: a Prometheus server and an operator need a handful. */
const MAX_CONNECTIONS = 32;

export interface StatusServerOptions {
  readonly listen: HostPort;
  readonly metrics: PromMetrics;
  /** The /status document, computed per request. */
  readonly status: () => unknown;
  /** The live web view's stream; the page is served at `/` only when this is given. */
  readonly web?: EventStream;
}

export class StatusServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly web: EventStream | undefined;
  private address: HostPort | undefined;

  private constructor(server: Server, web: EventStream | undefined) {
    this.server = server;
    this.web = web;
  }

  /** The bound address (port resolved when 0 was asked for). */
  get listening(): HostPort {
    if (this.address === undefined) throw new PeerwireError(ErrorCode.Closed, 'status server is not listening');
    return this.address;
  }

  get url(): string {
    const { host, port } = this.listening;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  static async start(options: StatusServerOptions): Promise<StatusServer> {
    const server = createServer((req, res) => void handle(options, req, res));
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = REQUEST_TIMEOUT_MS;
    server.maxConnections = MAX_CONNECTIONS;
    const instance = new StatusServer(server, options.web);
    server.on('connection', (socket) => {
      instance.sockets.add(socket);
      socket.once('close', () => instance.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        const code = (error as { code?: unknown }).code;
        const what = `${options.listen.host}:${options.listen.port}`;
        reject(
          new PeerwireError(
            ErrorCode.ConnectionFailed,
            code === 'EADDRINUSE' ? `metrics address ${what} is already in use` : `cannot serve metrics on ${what}: ${error.message}`,
            { cause: error, action: 'transient' },
          ),
        );
      });
      server.listen(options.listen.port, options.listen.host, () => resolve());
    });
    const bound = server.address();
    if (bound !== null && typeof bound === 'object') instance.address = { host: bound.address, port: bound.port };
    return instance;
  }

  async close(): Promise<void> {
    this.web?.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

async function handle(options: StatusServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      const text = await options.metrics.text();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text);
      return;
    }
    const web = options.web;
    if (web !== undefined && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE_HTML);
      return;
    }
    if (web !== undefined && path === '/events') {
      web.attach(req, res);
      return;
    }
    if (web !== undefined && path === '/view') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(web.latestJson() ?? '{}');
      return;
    }
    if (path === '/status' || path === '/') {
      const body = JSON.stringify(options.status(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${body}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try /status or /metrics${web === undefined ? '' : ' or /'}\n`);
  } catch {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error\n');
  }
}
