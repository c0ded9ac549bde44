// Error codes of the Zcash connection layer (handshake, request/response matching, heartbeat), next to
// the codec's in ../errors.ts. Each maps one of Zebra's HandshakeError / PeerError variants to a
// stable code and to the action the peer manager takes: a remote that lies or is obsolete is
// disconnected; our own rare accidents (a duplicate local nonce) are transient.

import { PeerwireError } from '../../core/errors.ts';

export const ZcashPeerErrorCode = {
  /** The remote echoed a nonce from our nonce set: we dialed ourselves (Zebra RemoteNonceReuse). */
  SelfConnection: 'ERR_ZCASH_SELF_CONNECTION',
  /** Our fresh nonce collided with one already in the set (Zebra LocalDuplicateNonce; ~2^-57). */
  DuplicateNonce: 'ERR_ZCASH_DUPLICATE_NONCE',
  /** The remote's version is below the minimum for our chain tip (Zebra ObsoleteVersion). */
  ObsoleteVersion: 'ERR_ZCASH_OBSOLETE_VERSION',
  /** An outbound peer lacks NODE_NETWORK while we sync (Zebra MissingRequiredServices). */
  MissingServices: 'ERR_ZCASH_MISSING_SERVICES',
  /** The handshake did not finish within its deadline (Zebra HANDSHAKE_TIMEOUT). */
  HandshakeTimeout: 'ERR_ZCASH_HANDSHAKE_TIMEOUT',
  /** `version` or `verack` after the handshake (Zebra DuplicateHandshake). */
  DuplicateHandshake: 'ERR_ZCASH_DUPLICATE_HANDSHAKE',
  /** A request got no response within REQUEST_TIMEOUT (Zebra ConnectionReceiveTimeout). */
  RequestTimeout: 'ERR_ZCASH_REQUEST_TIMEOUT',
  /** A send could not leave within REQUEST_TIMEOUT (Zebra ConnectionSendTimeout). */
  SendTimeout: 'ERR_ZCASH_SEND_TIMEOUT',
  /** The peer answered a download request with `notfound` only (Zebra NotFoundResponse). */
  NotFound: 'ERR_ZCASH_NOT_FOUND',
  /** The heartbeat ping failed or timed out; the connection ends. */
  HeartbeatFailed: 'ERR_ZCASH_HEARTBEAT_FAILED',
} as const;

export type ZcashPeerErrorCodeValue = (typeof ZcashPeerErrorCode)[keyof typeof ZcashPeerErrorCode];

export function selfConnection(): PeerwireError {
  return new PeerwireError(
    ZcashPeerErrorCode.SelfConnection,
    'remote nonce is one of ours: self-connection',
    {
      action: 'disconnect',
    },
  );
}

export function duplicateNonce(): PeerwireError {
  return new PeerwireError(ZcashPeerErrorCode.DuplicateNonce, 'local nonce already in the nonce set', {
    action: 'transient',
  });
}

export function obsoleteVersion(remote: number, minimum: number): PeerwireError {
  return new PeerwireError(
    ZcashPeerErrorCode.ObsoleteVersion,
    `remote protocol version ${remote} is below the minimum ${minimum}`,
    { action: 'disconnect', details: { remote, minimum } },
  );
}

export function missingServices(services: bigint): PeerwireError {
  return new PeerwireError(
    ZcashPeerErrorCode.MissingServices,
    `outbound peer lacks NODE_NETWORK (services 0x${services.toString(16)}) while we sync`,
    { action: 'disconnect' },
  );
}

export function duplicateHandshake(command: string): PeerwireError {
  return new PeerwireError(ZcashPeerErrorCode.DuplicateHandshake, `${command} received after the handshake`, {
    action: 'disconnect',
  });
}
