// Address exchange from the PeerManager's side: which stored addresses may be shared with a peer that
// asks (never the asker, ourselves, private, inactive or banned peers; only addresses we hold), with
// the policy choosing among them (Tendermint: by score and bucket; Zebra: recent and reachable) and
// the result re-checked here, so a policy's mistake cannot leak a private peer.

import { formatNodeAddress, peerIdOf, type NodeAddress, type NodeId } from '../../core/node-address.ts';
import type { BookEntry } from './peer-book.ts';
import type { PeerState } from './peer-state.ts';
import type { PeerView } from './policy.ts';

/** Up to `limit` addresses to send `asker` (PeerManagerApi.advertise). */
export function advertisedAddresses(
  state: PeerState,
  selfId: NodeId,
  asker: NodeId,
  limit: number,
): NodeAddress[] {
  const max = Math.max(
    0,
    Math.min(Math.trunc(limit), state.policy.limits.maxPeers * state.policy.limits.maxAddressesPerPeer),
  );
  if (max === 0) return [];
  const now = state.clock.now();
  const shareable = (entry: BookEntry | undefined): entry is BookEntry =>
    entry !== undefined &&
    entry.record.id !== asker &&
    entry.record.id !== selfId &&
    !entry.private &&
    !entry.record.inactive &&
    (entry.record.bannedUntil ?? 0) <= now;
  const peers: PeerView[] = [];
  for (const entry of state.book.values())
    if (shareable(entry) && entry.record.addresses.length > 0) peers.push(state.view(entry));
  const chosen = state.policy.selectAdvertised(peers, max, state.context());
  const out: NodeAddress[] = [];
  const seen = new Set<string>();
  for (const address of chosen) {
    const text = formatNodeAddress(address);
    const entry = state.book.get(peerIdOf(address));
    if (seen.has(text) || !shareable(entry) || !entry.parsed.has(text)) continue;
    seen.add(text);
    out.push(address);
    if (out.length >= max) break;
  }
  return out;
}
