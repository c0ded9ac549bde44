// Dialing one node address, as Tendermint's dialPeer does: resolve it (under its own deadline) to one or
// more endpoints, then try each in order with its own dial deadline, the endpoint's protocol picking the
// transport that serves it. The first connection wins; if all fail, the last error is thrown.

import { deadline } from '../../core/abort.ts';
import type { Clock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { NodeAddress } from '../../core/node-address.ts';
import type { Connection, Transport } from '../../transport/types.ts';
import { resolveAddress, type HostResolver } from './resolve.ts';

export interface DialAddressOptions {
  readonly transportFor: (protocol: string) => Transport | undefined;
  readonly resolver: HostResolver;
  readonly resolveTimeoutMs: number;
  readonly dialTimeoutMs: number;
  /** The router's stop signal: aborts resolution and every dial. */
  readonly stop: AbortSignal;
  /** Times the resolve and dial deadlines. */
  readonly clock: Clock;
}

export async function dialAddress(address: NodeAddress, options: DialAddressOptions): Promise<Connection> {
  const { stop } = options;
  const resolving = deadline(options.resolveTimeoutMs, stop, 'resolve', options.clock);
  let endpoints;
  try {
    endpoints = await resolveAddress(address, resolving.signal, options.resolver);
  } finally {
    resolving.clear();
  }
  let lastError: PeerwireError | undefined;
  for (const endpoint of endpoints) {
    const transport = options.transportFor(endpoint.protocol);
    if (transport === undefined) {
      lastError = new PeerwireError(ErrorCode.ConnectionFailed, `no transport serves ${endpoint.protocol}`, {
        action: 'transient',
      });
      continue;
    }
    const dialing = deadline(options.dialTimeoutMs, stop, 'dial', options.clock);
    try {
      return await transport.dial(endpoint, dialing.signal);
    } catch (error) {
      lastError = toPeerwireError(error, ErrorCode.ConnectionFailed, 'transient');
      if (stop.aborted) throw lastError;
    } finally {
      dialing.clear();
    }
  }
  throw (
    lastError ?? new PeerwireError(ErrorCode.ConnectionFailed, 'no endpoint to dial', { action: 'transient' })
  );
}
