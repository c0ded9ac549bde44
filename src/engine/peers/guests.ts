// Guests: newcomers let in while the inbound side is full, only to be given addresses. A node whose
// inbound slots are all taken used to refuse a newcomer right after the handshake, and a newcomer
// that knew nothing but full nodes learned nothing and stalled for good (found by the simulator with
// ordinary full nodes as bootstrap peers, docs/simulation.md). CometBFT's seed mode shows the way:
// accept, answer one address request, hang up. Here a full node does that for a few newcomers at a
// time: the PeerManager admits the connection as a guest (bounded by the policy's maxInboundGuests,
// never a banned or inactive peer, never a second connection of one peer), announces it to services
// with `guest: true`, and forgets it when it leaves. A guest is not a peer: it takes no slot, is never
// evicted, upgraded or rotated, and leaves no trace in the book. The router (router.ts) bounds its
// visit with a deadline and keeps its pending-handshake slot meanwhile; address exchange answers it
// once and closes it (address-exchange.ts).

import type { NodeId } from '../../core/node-address.ts';
import type { PeerInfo } from '../../transport/types.ts';
import type { PeerState } from './peer-state.ts';
import type { PeerUpdate } from './types.ts';

/** Admits `id` as a guest when the policy allows one more; returns whether it did. */
export function admitGuest(state: PeerState, id: NodeId, info: PeerInfo): boolean {
  if (state.table.guests.size >= (state.policy.limits.maxInboundGuests ?? 0)) return false;
  state.table.guests.set(id, { info, announced: false });
  state.metrics.guests.inc();
  return true;
}

/** The guest is routed: the update to announce it, or undefined when `id` is no guest (or announced). */
export function guestReady(state: PeerState, id: NodeId, info: PeerInfo): PeerUpdate | undefined {
  const guest = state.table.guests.get(id);
  if (guest === undefined || guest.announced) return undefined;
  guest.announced = true;
  guest.info = info;
  return { id, status: 'up', direction: 'inbound', info, guest: true };
}

/**
 * The guest left: forgets it. Returns undefined when `id` is no guest, else the 'down' update owed to
 * subscribers (null when it was never announced).
 */
export function guestLeft(state: PeerState, id: NodeId): PeerUpdate | null | undefined {
  const guest = state.table.guests.get(id);
  if (guest === undefined) return undefined;
  state.table.guests.delete(id);
  return guest.announced ? { id, status: 'down', guest: true } : null;
}
