// Admission of a handshaken connection, the PeerManager's central rule: refuse banned and inactive
// peers; settle a duplicate connection deterministically (the connection dialed by the node with the
// lower id wins on both sides, so a simultaneous dial both ways keeps one connection without
// flapping); ask the policy's own rule (Zebra: one connection per IP); then apply the limits, which
// may admit the peer over a limit by marking a lower-ranked peer for eviction, or admit an inbound
// newcomer as a guest when full (guests.ts). Nothing here can take the node above its declared limits.

import { formatNodeAddress, peerIdOf, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';
import { checkAdmission } from './eviction.ts';
import { admitGuest } from './guests.ts';
import type { BookEntry } from './peer-book.ts';
import * as refuse from './peer-errors.ts';
import type { PeerState } from './peer-state.ts';
import type { PeerView } from './policy.ts';
import type { Admission } from './types.ts';

/**
 * Admits a handshaken connection or throws the (counted) reason it is refused. `failuresBeforeDial`
 * are the dialed address's failures before this handshake reset them (restored if it is short-lived).
 */
export function admitConnection(
  state: PeerState,
  selfId: NodeId,
  entry: BookEntry,
  direction: Direction,
  info: PeerInfo,
  group: string | undefined,
  upgradeVictim: NodeId | undefined,
  address: NodeAddress | undefined,
  failuresBeforeDial: number,
  rotation = false,
): Admission {
  const id = entry.record.id;
  const now = state.clock.now();
  if ((entry.record.bannedUntil ?? 0) > now)
    throw state.refused(refuse.bannedError(id, entry.record.bannedUntil!));
  if (entry.record.inactive) throw state.refused(refuse.inactiveError(id));
  if (state.table.guests.has(id)) throw state.refused(refuse.duplicateError(id, 'guest'));
  const existing = state.table.connected.get(id);
  if (existing !== undefined) {
    const newWins =
      existing.direction !== direction && (direction === 'outbound' ? selfId < id : id < selfId);
    if (!newWins) throw state.refused(refuse.duplicateError(id, existing.direction));
    // The slot and its address group stay (connection-table.ts); only the connection changes.
    existing.direction = direction;
    existing.info = info;
    existing.ready = false;
    if (state.table.evicting.delete(id)) state.table.evictMarks.add(id);
    state.logger.debug({ peer: id, direction }, 'duplicate connection replaces the existing one');
    state.refreshGauges();
    return { replacesExisting: true };
  }
  const context = state.context();
  if (state.policy.admitConnection !== undefined) {
    const others: PeerView[] = [];
    for (const otherId of state.table.connected.keys()) {
      const other = state.book.get(otherId);
      if (other !== undefined) others.push(state.view(other));
    }
    const refusal = state.policy.admitConnection(state.view(entry), direction, others, context);
    if (refusal !== undefined) throw state.refused(refusal);
  }
  const check = checkAdmission(
    state.table,
    state.book,
    state.policy,
    state.viewOf,
    context,
    state.view(entry),
    direction,
    upgradeVictim,
    rotation,
  );
  if (check.kind === 'full') {
    // Full inbound: a newcomer may still get addresses, as a guest (guests.ts).
    if (direction === 'inbound' && admitGuest(state, id, info)) return { replacesExisting: false, guest: true };
    throw state.refused(refuse.fullError(id, direction));
  }
  const victim = check.kind === 'replace' ? check.victim : undefined;
  state.table.connect(
    id,
    direction,
    group,
    info,
    now,
    address === undefined ? undefined : formatNodeAddress(address),
    address === undefined ? 0 : failuresBeforeDial,
  );
  if (victim !== undefined) {
    state.table.evictMarks.add(victim);
    state.logger.debug({ peer: id, victim }, 'admitted over the limit; evicting a lower-ranked peer');
  }
  entry.record.lastConnected = now;
  state.observe(entry, { type: 'connected', direction, info, address });
  state.book.save(entry);
  state.refreshGauges();
  if (victim !== undefined) state.wake();
  return { replacesExisting: false };
}

/**
 * Admits a connection we dialed: our own address coming back is forgotten, a different authenticated
 * id counts as a failed dial, a success resets the address's failures (remembered for admission).
 */
export function admitDialed(
  state: PeerState,
  selfId: NodeId,
  text: string,
  address: NodeAddress,
  info: PeerInfo,
  group: string,
  upgradeVictim: NodeId | undefined,
  rotation: boolean,
): Admission {
  const id = peerIdOf(address);
  const entry = state.book.get(id) ?? state.configure(state.book.create(id));
  if (info.id === selfId) {
    // Our own address came back to us (gossip, or a wire that names peers by address): forget it.
    state.book.removeAddress(entry, text);
    if (entry.record.addresses.length === 0 && !entry.persistent) state.book.remove(id);
    else state.book.save(entry);
    throw state.refused(refuse.selfConnectionError());
  }
  if (address.id !== undefined && info.id !== id) {
    state.recordFailure(entry, text);
    state.book.save(entry);
    throw state.refused(refuse.idMismatchError(id, info.id));
  }
  const record = state.book.addressRecord(entry, text);
  const failuresBeforeDial = record?.dialFailures ?? 0;
  if (record !== undefined) {
    record.dialFailures = 0;
    record.lastDialSuccess = state.clock.now();
    entry.retryAt.delete(text);
  }
  state.book.save(entry);
  state.metrics.dials.inc({ result: 'connected' });
  return admitConnection(
    state,
    selfId,
    entry,
    'outbound',
    info,
    group,
    upgradeVictim,
    address,
    failuresBeforeDial,
    rotation,
  );
}
