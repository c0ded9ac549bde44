// Error codes of Zebra's peer-management rules. Admission refusals carry `transient` (a second
// connection from one IP is nobody's fault) or `disconnect` (a banned IP); a misbehaviour ban is the
// `ban` action the PeerManager turns into a ban and an eviction.

import { PeerwireError } from '../../core/errors.ts';

export const ZebraPeerErrorCode = {
  /** The IP already has `maxConnectionsPerIp` connections (Zebra keeps the old one). */
  IpLimit: 'ERR_PEERS_IP_LIMIT',
  /** The IP is banned (misbehaviour score reached 100). */
  IpBanned: 'ERR_PEERS_IP_BANNED',
  /** Misbehaviour reports reached the ban threshold. */
  Misbehavior: 'ERR_PEERS_MISBEHAVIOR',
} as const;

export function ipLimitError(ip: string, limit: number): PeerwireError {
  return new PeerwireError(
    ZebraPeerErrorCode.IpLimit,
    `already ${limit} connection(s) with ${ip.slice(0, 48)}`,
    {
      action: 'transient',
    },
  );
}

export function ipBannedError(ip: string): PeerwireError {
  return new PeerwireError(ZebraPeerErrorCode.IpBanned, `IP ${ip.slice(0, 48)} is banned`, {
    action: 'disconnect',
  });
}

export function misbehaviorError(score: number): PeerwireError {
  return new PeerwireError(
    ZebraPeerErrorCode.Misbehavior,
    `misbehaviour score ${score} reached the ban threshold`,
    {
      action: 'ban',
      details: { score },
    },
  );
}
