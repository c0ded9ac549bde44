// A simulated node: one real peerwire node assembly (the same code `peerwire node` runs) bound to a
// simulated host, with the simulation's clock, a random stream of its own, a key drawn from the
// seed and a carrier that never touches a socket. The observer sees every node through this small
// interface, whatever the wire: who it is connected to (by remote IP, which names the simulated
// host), how many addresses it knows, and the limits it must respect.

import type { NodeAddress } from '../core/node-address.ts';
import { NodeKey } from '../core/node-key.ts';
import { bytesFrom, SeededRandom } from '../core/random.ts';
import type { Metrics } from '../core/metrics.ts';
import { MemoryPeerStore } from '../engine/peers/memory-peer-store.ts';
import type { PeerManager } from '../engine/peers/peer-manager.ts';
import type { PeerPolicy } from '../engine/peers/policy.ts';
import type { PeerStatusView } from '../engine/router/routed-peer.ts';
import type { Router } from '../engine/router/router.ts';
import type { AddressExchangeOptions } from '../engine/services/address-exchange.ts';
import type { Direction } from '../transport/types.ts';
import type { SimHost, SimNetwork } from './sim-network.ts';

export type WireName = 'cometbft' | 'zcash';
/** `real`: the network's own wire; `fast`: the plain authenticated test wire with the same services. */
export type WireModel = 'real' | 'fast';

/** Listen ports: each network's default p2p port. */
export const SIM_PORT: Record<WireName, number> = { cometbft: 26_656, zcash: 8_233 };

/** How a node behaves; attackers differ only in the options their real node assembly gets. */
export interface Behaviour {
  readonly kind: 'honest' | 'attacker';
  /** Outbound and inbound limits (default: the network's own). */
  readonly maxOutbound?: number;
  readonly maxInbound?: number;
  /** CometBFT PEX pacing overrides (a flooder asks every 100 ms). */
  readonly pex?: Partial<Omit<AddressExchangeOptions, 'codec'>>;
  /** Zcash crawl pacing overrides, ms. */
  readonly crawlIntervalMs?: number;
  readonly minCrawlIntervalMs?: number;
  /** CometBFT seed mode: answer PEX requests, then hang up (how CometBFT networks run their seeds). */
  readonly seedMode?: boolean;
  /** Also told every attacker at start (attackers learn each other: address poisoning). */
  readonly knowsAttackers?: boolean;
}

/** A host and the node id it runs with (CometBFT addresses carry the id). */
export interface KnownHost {
  readonly host: SimHost;
  readonly id: string;
}

export interface SimNodeSpec {
  readonly host: SimHost;
  readonly behaviour: Behaviour;
  readonly key: NodeKey;
  /** Hosts the node is told at start (the seeds, plus the attackers for an attacker). */
  readonly bootstrap: readonly KnownHost[];
  /** The node's random stream derives from this and its generation (restarts draw anew, deterministically). */
  readonly seed: number;
}

export interface SimNodeLimits {
  readonly maxOutbound: number;
  readonly maxInbound: number;
  /** Connected peers of both slots together (may be less than the two limits' sum). */
  readonly maxConnected: number;
  /** Temporary extra connections while upgrading to a better peer. */
  readonly maxUpgrade: number;
  readonly maxOutboundPerGroup: number;
  /** What an address group is for that limit: an IPv4 /16 (CometBFT) or one IP (Zebra). */
  readonly groupBy: 'slash16' | 'ip';
}

/** A connected peer as the observer sees it. */
export interface SimPeer {
  readonly ip: string;
  /** The current connection's direction. */
  readonly direction: Direction;
  /**
   * The budget the peer counts against in the PeerManager: the direction it was admitted in. It
   * differs from `direction` after a simultaneous dial both ways, when the connection that wins the
   * tie-break replaces the first and the peer keeps its slot (engine/peers/connection-table.ts).
   */
  readonly slot: Direction;
}

export interface SimNode {
  readonly spec: SimNodeSpec;
  readonly limits: SimNodeLimits;
  readonly router: Router;
  /** The node assembly behind it (EngineNode or ZcashNode), for tests and debugging. */
  readonly inner: unknown;
  start(): void;
  /** Graceful stop: everything closed, nothing left scheduled. */
  stop(): Promise<void>;
  /** Crash: links severed without goodbye, then the node's objects are stopped. */
  crash(): Promise<void>;
  peers(): SimPeer[];
  /** Addresses this node knows (its peer store or address book). */
  known(): number;
}

/** Everything a node builder needs from the simulation. */
export interface SimContext {
  readonly network: SimNetwork;
  readonly metrics: Metrics;
  readonly wire: WireName;
  readonly model: WireModel;
  /** Peer stores surviving a restart, by host index (a node's `peers.dat`). */
  readonly stores: Map<number, MemoryPeerStore>;
}

/** A node key drawn from a seeded stream. */
export function drawKey(random: SeededRandom): NodeKey {
  return NodeKey.fromSeed(random.bytes(32));
}

/** The random stream of one generation of a node (generation 0 at first start, +1 per restart). */
export function nodeRandom(spec: SimNodeSpec, generation: number): SeededRandom {
  return new SeededRandom(spec.seed).fork(generation);
}

/** The ephemeral-key source of a node (drawn from its stream). */
export function ephemeralSource(random: SeededRandom): (n: number) => Uint8Array {
  return bytesFrom(random.next);
}

/**
 * The peers of a router, as remote IPs, directions and slots (guests, answered and closed while full,
 * are no peers). A routed peer the PeerManager does not hold has no slot; it counts in its direction.
 */
export function routerPeers(router: Router, peerManager: PeerManager): SimPeer[] {
  return router.peerStatus().filter((p) => !p.guest).map((p: PeerStatusView) => ({
    ip: p.remote.slice(0, p.remote.lastIndexOf(':')),
    direction: p.direction,
    slot: peerManager.slotOf(p.id) ?? p.direction,
  }));
}

/** Limits of an engine policy. */
export function policyLimits(policy: PeerPolicy, perGroup: number, groupBy: 'slash16' | 'ip'): SimNodeLimits {
  return {
    groupBy,
    maxOutbound: policy.limits.maxOutgoing,
    maxInbound: policy.limits.maxIncoming,
    maxConnected: policy.limits.maxConnected,
    maxUpgrade: policy.limits.maxConnectedUpgrade,
    maxOutboundPerGroup: perGroup,
  };
}

/** A CometBFT-style address of a host with a key id. */
export function hostAddress(host: SimHost, port: number, id?: string): NodeAddress {
  return { protocol: 'tcp', host: host.ip, port, ...(id === undefined ? {} : { id }) };
}
