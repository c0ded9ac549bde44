// How the engine's peer events become Zebra's MetaAddr changes: the PeerManager reports dialing, dial
// failures, connections and disconnections, and the Zcash address-book service passes the wire's own
// changes (gossiped addresses, heartbeat answers, misbehaviour) as event details, which are checked
// here before the policy applies them, so a malformed detail changes nothing.

import type { Direction, PeerInfo } from '../../transport/types.ts';
import type { PeerEvent } from '../../engine/peers/policy.ts';
import type { MetaChange } from './meta-addr.ts';

/** The MetaAddr change a PeerManager lifecycle event means, if any. */
export function metaChangeOf(event: PeerEvent): MetaChange | undefined {
  switch (event.type) {
    case 'added':
      return asMetaChange(event.detail) ?? { kind: 'new-initial' };
    case 'dialing':
      return { kind: 'update-attempt' };
    case 'dial-failed':
    case 'disconnected':
      // Zebra marks a closed connection Failed (`new_shutdown`), so it is not redialed at once.
      return { kind: 'update-failed' };
    case 'connected':
      return connectedChange(event.direction, event.info);
    case 'policy':
      return asMetaChange(event.detail);
    default:
      return undefined;
  }
}

/** The MetaChange carried by an `added`/`policy` event detail, when it is a well-formed one. */
export function asMetaChange(detail: unknown): MetaChange | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const d = detail as Record<string, unknown>;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const optionalBigint = (v: unknown): boolean => v === undefined || typeof v === 'bigint';
  switch (d.kind) {
    case 'new-initial':
    case 'update-attempt':
      return { kind: d.kind };
    case 'new-gossiped':
      return typeof d.services === 'bigint' && finite(d.untrustedLastSeen)
        ? { kind: d.kind, services: d.services, untrustedLastSeen: d.untrustedLastSeen }
        : undefined;
    case 'update-connected':
      return typeof d.isInbound === 'boolean' &&
        optionalBigint(d.services) &&
        (d.userAgent === undefined || typeof d.userAgent === 'string') &&
        (d.negotiatedVersion === undefined || finite(d.negotiatedVersion))
        ? (detail as MetaChange)
        : undefined;
    case 'update-ping-sent':
      return finite(d.at) ? { kind: d.kind, at: d.at } : undefined;
    case 'update-responded':
      return finite(d.rttMs) ? { kind: d.kind, rttMs: d.rttMs } : undefined;
    case 'update-failed':
      return optionalBigint(d.services) ? (detail as MetaChange) : undefined;
    case 'update-misbehavior':
      return finite(d.score) ? { kind: d.kind, score: d.score } : undefined;
    default:
      return undefined;
  }
}

function connectedChange(direction: Direction, info: PeerInfo): MetaChange {
  const version = Number.parseInt(info.protocolVersion, 10);
  const wire = info.wire;
  const services =
    typeof wire === 'object' && wire !== null && typeof (wire as { services?: unknown }).services === 'bigint'
      ? (wire as { services: bigint }).services
      : undefined;
  return {
    kind: 'update-connected',
    isInbound: direction === 'inbound',
    ...(info.userAgent === undefined ? {} : { userAgent: info.userAgent }),
    ...(Number.isSafeInteger(version) && version >= 0 ? { negotiatedVersion: version } : {}),
    ...(services === undefined ? {} : { services }),
  };
}
