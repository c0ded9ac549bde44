// The memory carrier: a Carrier over a MemoryNetwork, so the same router, wires and tests run in one
// process without sockets. It listens on `memory:name` endpoints; its outbound links come from its own
// name (the first name it listens on, or `options.name`), which is what the remote sees as the
// connecting "host" (several connections from one carrier share it, as connections from one IP do).

import { throwIfAborted } from '../core/abort.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import {
  resolveLinkOptions,
  type ByteLink,
  type LinkOptions,
  type ResolvedLinkOptions,
} from './byte-link.ts';
import { AcceptBacklog, DEFAULT_ACCEPT_BACKLOG, type Carrier } from './carrier.ts';
import { MEMORY_PROTOCOL, memoryEndpoint } from './endpoint.ts';
import type { MemoryLink } from './memory-link.ts';
import type { MemoryListener, MemoryNetwork } from './memory-network.ts';
import type { Endpoint } from './types.ts';

export interface MemoryCarrierOptions {
  /** The host name outbound links come from. Default: the first listened name, else `anon-<n>`. */
  readonly name?: string;
  /** Accepted-but-unclaimed links kept; more are closed and counted. Default 64. */
  readonly acceptBacklog?: number;
  /** Write buffering and linger of each link (see byte-link.ts for defaults). */
  readonly link?: LinkOptions;
  /** Default: no metrics. */
  readonly metrics?: Metrics;
}

export class MemoryCarrier implements Carrier, MemoryListener {
  readonly protocols: readonly string[] = [MEMORY_PROTOCOL];
  readonly network: MemoryNetwork;
  readonly linkOptions: ResolvedLinkOptions;
  private readonly backlog: AcceptBacklog;
  private readonly names: string[] = [];
  private readonly links = new Set<MemoryLink>();
  private readonly fixedName: string | undefined;
  private anonymousName: string | undefined;
  private closed = false;

  constructor(network: MemoryNetwork, options: MemoryCarrierOptions = {}) {
    this.network = network;
    this.fixedName = options.name;
    this.linkOptions = resolveLinkOptions(options.link);
    this.backlog = new AcceptBacklog(options.acceptBacklog ?? DEFAULT_ACCEPT_BACKLOG, MEMORY_PROTOCOL, options.metrics);
  }

  /** The name outbound links come from. */
  get name(): string {
    if (this.fixedName !== undefined) return this.fixedName;
    if (this.names[0] !== undefined) return this.names[0];
    this.anonymousName ??= this.network.anonymousName();
    return this.anonymousName;
  }

  async listen(endpoint: Endpoint): Promise<Endpoint> {
    await Promise.resolve();
    if (this.closed) throw closedError();
    this.network.listen(endpoint.host, this);
    this.names.push(endpoint.host);
    return memoryEndpoint(endpoint.host);
  }

  listenEndpoints(): readonly Endpoint[] {
    return this.names.map((name) => memoryEndpoint(name));
  }

  accept(signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) return Promise.reject(closedError());
    return this.backlog.next(signal);
  }

  async dial(endpoint: Endpoint, signal: AbortSignal): Promise<ByteLink> {
    if (this.closed) throw closedError();
    throwIfAborted(signal);
    // A connection takes one round trip to set up when the network has a delay.
    const delay = this.network.faults.delayMs ?? 0;
    if (delay > 0) await this.network.clock.sleep(2 * delay, signal);
    else await Promise.resolve();
    throwIfAborted(signal);
    if (this.closed) throw closedError();
    return this.track(this.network.connect(this.name, endpoint.host, this.linkOptions));
  }

  /** @internal Called by the network with the listener's end of a new link. */
  incoming(link: MemoryLink): void {
    if (this.closed) {
      link.close(closedError());
      return;
    }
    this.backlog.offer(this.track(link));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const name of this.names) this.network.unlisten(name, this);
    this.names.length = 0;
    this.backlog.close();
    for (const link of [...this.links]) link.close(closedError());
    return Promise.resolve();
  }

  private track(link: MemoryLink): MemoryLink {
    this.links.add(link);
    void link.closed.then(() => this.links.delete(link));
    return link;
  }
}

function closedError(): PeerwireError {
  return new PeerwireError(ErrorCode.Closed, 'transport closed', { action: 'transient' });
}
