// StreamTransport = one carrier (bytes: TCP, memory) + one wire (framing and handshake: plain,
// CometBFT, Zcash). It implements the Transport contract the router uses, keeps track of the
// connections it made so close() can end them all, and is the only place the two halves meet, so any
// wire runs over any carrier.

import { throwIfAborted } from '../core/abort.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { noopMetrics, type Counter, type Metrics } from '../core/metrics.ts';
import type { ByteLink } from './byte-link.ts';
import type { Carrier } from './carrier.ts';
import { formatEndpoint } from './endpoint.ts';
import { TransportErrorCode } from './errors.ts';
import type { Connection, Direction, Endpoint, Transport } from './types.ts';
import type { Wire } from './wire.ts';

export interface StreamTransportOptions {
  readonly carrier: Carrier;
  readonly wire: Wire;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: no metrics. */
  readonly metrics?: Metrics;
}

export class StreamTransport implements Transport {
  readonly protocols: readonly string[];
  readonly carrier: Carrier;
  readonly wire: Wire;
  private readonly logger: Logger;
  private readonly opened: Counter;
  private readonly connections = new Set<Connection>();
  private closing: Promise<void> | undefined;

  constructor(options: StreamTransportOptions) {
    this.carrier = options.carrier;
    this.wire = options.wire;
    this.protocols = options.carrier.protocols;
    this.logger = (options.logger ?? silentLogger).child({ component: 'transport', wire: options.wire.name });
    this.opened = (options.metrics ?? noopMetrics).counter({
      name: 'peerwire_transport_connections_opened_total',
      help: 'Connections opened by the transport, before the handshake.',
      labelNames: ['protocol', 'direction', 'wire'],
    });
  }

  /** Live connections created by this transport (handshaken or not). */
  get connectionCount(): number {
    return this.connections.size;
  }

  listen(endpoint: Endpoint): Promise<Endpoint> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    this.checkProtocol(endpoint);
    return this.carrier.listen(endpoint);
  }

  listenEndpoints(): readonly Endpoint[] {
    return this.carrier.listenEndpoints();
  }

  async accept(signal: AbortSignal): Promise<Connection> {
    if (this.closing !== undefined) throw closedError();
    const link = await this.carrier.accept(signal);
    return this.wrap(link, 'inbound');
  }

  async dial(endpoint: Endpoint, signal: AbortSignal): Promise<Connection> {
    if (this.closing !== undefined) throw closedError();
    this.checkProtocol(endpoint);
    throwIfAborted(signal);
    const link = await this.carrier.dial(endpoint, signal);
    return this.wrap(link, 'outbound');
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const reason = closedError();
    for (const connection of [...this.connections]) connection.close(reason);
    await this.carrier.close();
    this.logger.debug('transport closed');
  }

  private wrap(link: ByteLink, direction: Direction): Connection {
    if (this.closing !== undefined) {
      link.close(closedError());
      throw closedError();
    }
    const connection = this.wire.connect(link, direction);
    this.connections.add(connection);
    this.opened.inc({ protocol: link.remoteEndpoint.protocol, direction, wire: this.wire.name });
    void connection.closed.then(() => this.connections.delete(connection));
    this.logger.debug({ direction, remote: formatEndpoint(link.remoteEndpoint) }, 'connection opened');
    return connection;
  }

  private checkProtocol(endpoint: Endpoint): void {
    if (!this.protocols.includes(endpoint.protocol)) {
      throw new PeerwireError(
        TransportErrorCode.UnsupportedProtocol,
        `protocol ${endpoint.protocol} is not served by this transport (${this.protocols.join(', ')})`,
        { action: 'transient' },
      );
    }
  }
}

function closedError(): PeerwireError {
  return new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' });
}
