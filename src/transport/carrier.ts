// A Carrier moves raw bytes: it listens, accepts and dials ByteLinks for one protocol (`tcp`,
// `memory`), knowing nothing of frames, keys or channels. A StreamTransport pairs one carrier with one
// wire. The accept backlog below is shared by carriers: inbound links wait there, bounded, until the
// router claims them with accept(); past the bound a new link is closed at once and counted, so a
// flood of connections costs a socket for a moment, never memory.

import { BoundedQueue } from '../core/bounded-queue.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { noopMetrics, type Counter, type Metrics } from '../core/metrics.ts';
import type { ByteLink } from './byte-link.ts';
import { TransportErrorCode } from './errors.ts';
import type { Endpoint } from './types.ts';

export interface Carrier {
  /** Protocols served (an endpoint's protocol picks the carrier). */
  readonly protocols: readonly string[];
  /** Starts listening; returns the bound endpoint (TCP port 0 becomes the real port). */
  listen(endpoint: Endpoint): Promise<Endpoint>;
  listenEndpoints(): readonly Endpoint[];
  /** The next inbound link. Rejects with ERR_CLOSED once closed, or the signal's typed error. */
  accept(signal: AbortSignal): Promise<ByteLink>;
  /** Connects; rejects with ERR_CONNECTION_FAILED (system code in the message), ERR_TIMEOUT or ERR_ABORTED. */
  dial(endpoint: Endpoint, signal: AbortSignal): Promise<ByteLink>;
  /** Stops listening and closes every link it created; resolves once their handles are released. */
  close(): Promise<void>;
}

/**
 * Inbound links accepted by the OS but not yet claimed. Default capacity 64: the router claims links
 * as fast as its handshake slots allow; more than that waiting means we are overloaded and new
 * arrivals are better refused than queued (the remote retries with backoff).
 */
export const DEFAULT_ACCEPT_BACKLOG = 64;

export class AcceptBacklog {
  private readonly queue: BoundedQueue<ByteLink>;
  private readonly overflow: Counter;
  private readonly protocol: string;

  /** `metrics` gets the overflow counter, `peerwire_transport_accept_overflow_total{protocol}`. */
  constructor(capacity: number, protocol: string, metrics: Metrics = noopMetrics) {
    this.protocol = protocol;
    this.overflow = metrics.counter({
      name: 'peerwire_transport_accept_overflow_total',
      help: 'Inbound connections closed because the accept backlog was full.',
      labelNames: ['protocol'],
    });
    this.queue = new BoundedQueue<ByteLink>({
      name: `${protocol} accept backlog`,
      capacity,
      policy: 'drop-newest',
      onDrop: (link) => {
        this.overflow.inc({ protocol: this.protocol });
        link.close(
          new PeerwireError(TransportErrorCode.BacklogFull, 'accept backlog full', { action: 'transient' }),
        );
      },
    });
  }

  get length(): number {
    return this.queue.length;
  }

  /** Offers a new inbound link; closes it when the backlog is full or closed. */
  offer(link: ByteLink): void {
    if (this.queue.closed) {
      link.close(new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' }));
      return;
    }
    this.queue.offer(link);
  }

  /** The next live link; links that closed while waiting are skipped. */
  async next(signal: AbortSignal): Promise<ByteLink> {
    for (;;) {
      const link = await this.queue.next(signal);
      if (link === undefined)
        throw new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' });
      if (!link.isClosed) return link;
    }
  }

  /** Wakes pending accepts with ERR_CLOSED and closes every waiting link. */
  close(): void {
    this.queue.close();
    for (const link of this.queue.drain()) {
      link.close(new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' }));
    }
  }
}
