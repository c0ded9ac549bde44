// Turns a node address into the endpoints to try, in order. An IP or memory name is one endpoint; a DNS
// name may resolve to several (all A/AAAA records), each then dialed with its own timeout, as
// Tendermint's dialPeer does. The resolver is injectable so tests never touch real DNS.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { raceAbort } from '../../core/abort.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { NodeAddress } from '../../core/node-address.ts';
import type { Endpoint } from '../../transport/types.ts';

export type HostResolver = (host: string, signal: AbortSignal) => Promise<string[]>;

/** Most endpoints tried for one address: a hostile DNS answer cannot make us dial hundreds of IPs. */
export const MAX_ENDPOINTS_PER_ADDRESS = 8;

export const systemResolver: HostResolver = async (host, signal) => {
  const results = await raceAbort(lookup(host, { all: true, verbatim: true }), signal);
  return results.map((r) => r.address);
};

export async function resolveAddress(
  address: NodeAddress,
  signal: AbortSignal,
  resolver: HostResolver = systemResolver,
): Promise<Endpoint[]> {
  if (address.protocol === 'memory' || isIP(address.host) !== 0) {
    return [{ protocol: address.protocol, host: address.host, port: address.port }];
  }
  let hosts: string[];
  try {
    hosts = await resolver(address.host, signal);
  } catch (error) {
    throw toPeerwireError(error, ErrorCode.ConnectionFailed, 'transient');
  }
  if (hosts.length === 0) {
    throw new PeerwireError(ErrorCode.ConnectionFailed, `${address.host} resolved to no endpoints`, {
      action: 'transient',
    });
  }
  return hosts
    .slice(0, MAX_ENDPOINTS_PER_ADDRESS)
    .map((host) => ({ protocol: address.protocol, host, port: address.port }));
}
