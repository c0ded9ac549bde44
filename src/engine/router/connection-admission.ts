// The two steps between a raw connection and a routed peer, the same for dialed and accepted
// connections: the wire handshake (under the router's deadline, identity checked), then the
// PeerManager's admission. A failure at either step closes the connection with the typed reason,
// drops it from the router's live set, counts it (handshake failures by code, refusals by code) and
// logs it at debug level; aborts from stop() are neither counted nor logged.

import { deadline } from '../../core/abort.ts';
import type { Clock } from '../../core/clock.ts';
import { ErrorCode, isAbortError, toPeerwireError, type PeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { Logger } from '../../core/logger.ts';
import type { Connection, Direction, LocalNode, PeerInfo } from '../../transport/types.ts';
import { checkPeerIdentity } from './peer-identity.ts';
import type { Admission } from '../peers/types.ts';
import type { RouterMetrics } from './router-metrics.ts';

export interface AdmissionHost {
  readonly metrics: RouterMetrics;
  readonly logger: Logger;
  /** Runs the wire handshake under the deadline and checks the peer's identity. */
  handshake(conn: Connection): Promise<PeerInfo>;
  /** The PeerManager's verdict (dialed or accepted); throws the refusal. */
  admit(info: PeerInfo): Admission;
  /** Drops the connection from the router's live set. */
  forget(conn: Connection): void;
  /** Called once when the handshake fails (an outbound dial reports it to the PeerManager). */
  onHandshakeFailed?(error: PeerwireError): void;
}

export interface HandshakeGuard {
  /** The id we dialed (outbound), checked against the authenticated one. */
  readonly expectedId: NodeId | undefined;
  readonly selfId: NodeId;
  readonly timeoutMs: number;
  /** The router's stop signal: stopping aborts every handshake. */
  readonly stop: AbortSignal;
  readonly clock: Clock;
}

/** Runs the wire handshake under its deadline and checks identity: key, dialed ID, not ourselves. */
export async function runHandshake(conn: Connection, local: LocalNode, guard: HandshakeGuard): Promise<PeerInfo> {
  const timer = deadline(guard.timeoutMs, guard.stop, 'handshake', guard.clock);
  let info: PeerInfo;
  try {
    info = await conn.handshake(local, timer.signal);
  } finally {
    timer.clear();
  }
  checkPeerIdentity(info, guard.expectedId, guard.selfId);
  return info;
}

/** The admitted peer, or undefined when the connection was refused (and already closed). */
export async function handshakeAndAdmit(
  conn: Connection,
  direction: Direction,
  logFields: Readonly<Record<string, unknown>>,
  host: AdmissionHost,
): Promise<{ readonly info: PeerInfo; readonly replaces: boolean; readonly guest: boolean } | undefined> {
  let info: PeerInfo;
  try {
    info = await host.handshake(conn);
  } catch (error) {
    const typed = toPeerwireError(error, ErrorCode.HandshakeFailed);
    conn.close(typed);
    host.forget(conn);
    if (!isAbortError(typed)) {
      host.metrics.handshakeFailed(direction, typed.code);
      host.logger.debug(
        { ...logFields, code: typed.code, err: typed.message },
        `${direction} handshake failed`,
      );
    }
    host.onHandshakeFailed?.(typed);
    return undefined;
  }
  try {
    const admission = host.admit(info);
    return { info, replaces: admission.replacesExisting, guest: admission.guest === true };
  } catch (error) {
    const typed = toPeerwireError(error, ErrorCode.Rejected, 'transient');
    host.metrics.rejected(direction, typed.code);
    host.logger.debug({ peer: info.id, code: typed.code }, `peer manager refused ${direction} peer`);
    conn.close(typed);
    host.forget(conn);
    return undefined;
  }
}
