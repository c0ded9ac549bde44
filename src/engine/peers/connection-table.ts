// The PeerManager's explicit connection state sets (Tendermint v0.35's dialing / upgrading /
// connected / ready / evict / evicting, which were the good part of its design): which peers are being
// dialed (and, for an upgrade, which connected peer the dial hopes to replace), which are connected in
// which direction, which are routed (ready) and announced to services, which are marked for eviction
// and which were handed to the router for eviction. Every set is keyed by peers we dial or admitted,
// so all are bounded by the connection limits, and a disconnect clears every trace of the peer.

import type { NodeAddress, NodeId } from '../../core/node-address.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';

export interface DialState {
  readonly address: NodeAddress;
  /** Canonical address text. */
  readonly text: string;
  readonly group: string;
  /** An upgrade dial (made while full): it holds an upgrade slot until it completes. */
  readonly upgrade: boolean;
  /** For an upgrade dial: the connected peer it means to replace (cleared if that peer leaves first). */
  upgradeVictim: NodeId | undefined;
  /** A rotation dial (outbound-rotation.ts): an upgrade whose victim need not rank below it. */
  readonly rotation: boolean;
}

export interface ConnState {
  /** The direction of the current connection (services see it). */
  direction: Direction;
  /**
   * The budget the peer counts against (maxIncoming or maxOutgoing): the direction it was admitted
   * in. A duplicate that replaces the connection keeps the slot, so a tie-break never pushes a
   * budget over its limit and never causes an eviction (which would make the pair flap).
   */
  readonly slot: Direction;
  /**
   * The address group of the dialed address when the peer holds an outbound slot (undefined for an
   * inbound slot). Kept when a duplicate replaces the connection: the slot, and so the group's share
   * of the outbound budget, stays with the peer whichever way its current connection was dialed.
   */
  readonly group: string | undefined;
  /** Routed by the router (ready() was called for the current connection). */
  ready: boolean;
  /** An 'up' update was sent to subscribers (a 'down' is owed when it goes away). */
  announced: boolean;
  info: PeerInfo;
  since: number;
  /** The address text we dialed (outbound connections), for backoff when the connection dies young. */
  readonly dialedAddress: string | undefined;
  /** That address's failed dials before this connection reset them (restored if it dies young). */
  readonly failuresBefore: number;
}

/** A guest (guests.ts): admitted while the inbound side is full, only to be answered and closed. */
export interface GuestState {
  info: PeerInfo;
  /** An 'up' update was sent to subscribers (a 'down' is owed when it goes away). */
  announced: boolean;
}

export class ConnectionTable {
  readonly dialing = new Map<NodeId, DialState>();
  readonly connected = new Map<NodeId, ConnState>();
  /** Marked for eviction (error, ban, inactivation); returned by evictNext first once ready. */
  readonly evictMarks = new Set<NodeId>();
  /** Returned by evictNext; the router is closing them. */
  readonly evicting = new Set<NodeId>();
  /** Guests: never counted as connected peers; bounded by the policy's maxInboundGuests. */
  readonly guests = new Map<NodeId, GuestState>();

  /** Connected peers, optionally only those in one slot (see ConnState.slot). */
  count(direction?: Direction): number {
    if (direction === undefined) return this.connected.size;
    let n = 0;
    for (const c of this.connected.values()) if (c.slot === direction) n++;
    return n;
  }

  /** Connected peers that are not being evicted, optionally of one slot. */
  countStaying(direction?: Direction): number {
    let n = 0;
    for (const [id, c] of this.connected) {
      if (this.evicting.has(id)) continue;
      if (direction === undefined || c.slot === direction) n++;
    }
    return n;
  }

  /** Outbound connections plus dials in progress: what the outbound limit counts. */
  outgoing(): number {
    return this.count('outbound') + this.dialing.size;
  }

  /**
   * Outbound slots and dials in progress in one address group. Counted by slot, not by the current
   * connection's direction: a peer we dialed keeps its outbound slot (and its group) when its own
   * simultaneous dial replaces ours, and must still count against the group's limit.
   */
  outgoingInGroup(group: string): number {
    let n = 0;
    for (const d of this.dialing.values()) if (d.group === group) n++;
    for (const c of this.connected.values()) if (c.slot === 'outbound' && c.group === group) n++;
    return n;
  }

  upgradesInFlight(): number {
    let n = 0;
    for (const d of this.dialing.values()) if (d.upgrade) n++;
    return n;
  }

  /** Is a rotation dial in progress? (One at a time.) */
  rotationInFlight(): boolean {
    for (const d of this.dialing.values()) if (d.rotation) return true;
    return false;
  }

  /** Connected peers already chosen as the victim of an upgrade dial in progress. */
  claimedVictims(): Set<NodeId> {
    const claimed = new Set<NodeId>();
    for (const d of this.dialing.values()) if (d.upgradeVictim !== undefined) claimed.add(d.upgradeVictim);
    return claimed;
  }

  isBusy(id: NodeId): boolean {
    return this.dialing.has(id) || this.connected.has(id) || this.guests.has(id);
  }

  connect(
    id: NodeId,
    direction: Direction,
    group: string | undefined,
    info: PeerInfo,
    now: number,
    dialedAddress?: string,
    failuresBefore = 0,
  ): void {
    this.connected.set(id, {
      dialedAddress,
      failuresBefore,
      direction,
      slot: direction,
      group,
      ready: false,
      announced: false,
      info,
      since: now,
    });
  }

  /** Forgets the peer's connection; returns what it was. Upgrade dials that targeted it keep dialing. */
  disconnect(id: NodeId): ConnState | undefined {
    const state = this.connected.get(id);
    this.connected.delete(id);
    this.evictMarks.delete(id);
    this.evicting.delete(id);
    for (const d of this.dialing.values()) if (d.upgradeVictim === id) d.upgradeVictim = undefined;
    return state;
  }
}
