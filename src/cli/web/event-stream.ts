// Server-sent events for the live web view: each open page holds one `GET /events` response, and
// publish() writes the latest view to all of them as one `data:` line. Bounded two ways: at most
// MAX_EVENT_CLIENTS pages at once (more are answered 503), and a page that does not read is skipped
// while its socket holds more than MAX_UNSENT_BYTES (it gets the next view it has room for; the
// server never queues views for a slow reader). A new page gets the latest view at once.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Pages served at once: an operator or two, a test browser; each costs one socket. */
export const MAX_EVENT_CLIENTS = 16;
/** Bytes a page's socket may hold unsent before views are skipped for it (a few views of a large testnet). */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** A comment line this often (ms) keeps proxies and the browser from timing the stream out. */
export const KEEPALIVE_MS = 15_000;

export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private latest: string | undefined;
  private readonly keepAlive: NodeJS.Timeout;

  constructor() {
    this.keepAlive = setInterval(() => {
      for (const res of this.clients) if (res.writableLength < MAX_UNSENT_BYTES) res.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    this.keepAlive.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Serves one `GET /events` request. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= MAX_EVENT_CLIENTS) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many open views\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // Ask the browser to reconnect after 2 s if the stream breaks.
    res.write('retry: 2000\n\n');
    if (this.latest !== undefined) res.write(this.latest);
    this.clients.add(res);
    const forget = (): void => {
      this.clients.delete(res);
    };
    req.socket.setTimeout(0);
    res.once('close', forget);
  }

  /** Sends `view` to every page with room for it and keeps it for pages that open later. */
  publish(view: unknown): void {
    this.latest = `data: ${JSON.stringify(view)}\n\n`;
    for (const res of this.clients) if (res.writableLength < MAX_UNSENT_BYTES) res.write(this.latest);
  }

  /** The latest view as JSON (for `GET /view`), or undefined before the first. */
  latestJson(): string | undefined {
    return this.latest === undefined ? undefined : this.latest.slice('data: '.length, -2);
  }

  /** Ends every stream and the keep-alive timer. */
  close(): void {
    clearInterval(this.keepAlive);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
