// The peers layer's error codes and constructors. dialed() and accepted() refuse a connection by
// throwing one of these; the router closes the connection and logs the code. The action says whose
// fault it is: a full node or a duplicate is nobody's (`transient`), a banned or inactive peer is
// refused again and again (`disconnect`).

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';

export const PeersErrorCode = {
  /** The peer is banned until `details.bannedUntil`. */
  Banned: 'ERR_PEERS_BANNED',
  /** The peer was inactivated (for example an incompatible NodeInfo): never dialed or accepted. */
  Inactive: 'ERR_PEERS_INACTIVE',
  /** No slot is free and no lower-ranked peer can be evicted for this one. */
  Full: 'ERR_PEERS_FULL',
  /** dialed() for an address that dialNext() did not hand out (a router bug). */
  NotDialing: 'ERR_PEERS_NOT_DIALING',
  /** A guest (guests.ts) got its answer to one address request and was closed: we are full. */
  GuestAnswered: 'ERR_PEERS_FULL_GUEST_ANSWERED',
  /** A guest (guests.ts) did not ask for addresses before its deadline and was closed. */
  GuestExpired: 'ERR_PEERS_FULL_GUEST_EXPIRED',
} as const;

/** Logs show at most this much of a peer id (ids come from the remote). */
const ID_SHOWN = 48;

function short(id: NodeId): string {
  return id.length > ID_SHOWN ? `${id.slice(0, ID_SHOWN)}…` : id;
}

export function selfConnectionError(): PeerwireError {
  return new PeerwireError(ErrorCode.SelfConnection, 'connection to ourselves', { action: 'disconnect' });
}

export function duplicateError(id: NodeId, kept: string): PeerwireError {
  return new PeerwireError(
    ErrorCode.DuplicateConnection,
    `peer ${short(id)} already connected (keeping the ${kept} connection)`,
    {
      action: 'transient',
    },
  );
}

export function bannedError(id: NodeId, bannedUntil: number): PeerwireError {
  return new PeerwireError(PeersErrorCode.Banned, `peer ${short(id)} is banned`, {
    action: 'disconnect',
    details: { bannedUntil },
  });
}

export function inactiveError(id: NodeId): PeerwireError {
  return new PeerwireError(PeersErrorCode.Inactive, `peer ${short(id)} is inactive`, {
    action: 'disconnect',
  });
}

export function fullError(id: NodeId, direction: string): PeerwireError {
  return new PeerwireError(PeersErrorCode.Full, `no ${direction} slot for peer ${short(id)}`, {
    action: 'transient',
  });
}

/** Why a guest's connection is closed: it was answered, or its deadline passed (never its fault). */
export function guestEndError(outcome: 'answered' | 'expired'): PeerwireError {
  return outcome === 'answered'
    ? new PeerwireError(PeersErrorCode.GuestAnswered, 'full: addresses given, closing', { action: 'transient' })
    : new PeerwireError(PeersErrorCode.GuestExpired, 'full: guest deadline passed, closing', { action: 'transient' });
}

/** How a guest's visit ended, from the reason its connection closed (a fixed set, for metrics). */
export function guestOutcome(reason: PeerwireError | undefined): 'answered' | 'expired' | 'other' {
  if (reason?.code === PeersErrorCode.GuestAnswered) return 'answered';
  return reason?.code === PeersErrorCode.GuestExpired ? 'expired' : 'other';
}

export function notDialingError(address: string): PeerwireError {
  return new PeerwireError(
    PeersErrorCode.NotDialing,
    `dialed() for ${address.slice(0, 120)}, which is not being dialed`,
    {
      action: 'disconnect',
    },
  );
}

export function idMismatchError(expected: NodeId, actual: NodeId): PeerwireError {
  return new PeerwireError(
    ErrorCode.PeerIdMismatch,
    `dialed ${short(expected)} but ${short(actual)} answered`,
    {
      action: 'disconnect',
    },
  );
}
