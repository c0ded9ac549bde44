// Shared fixtures for the peers tests: deterministic node ids, addresses in distinct /16 groups, peer
// info, a seeded random source, a PeerManager on a ManualClock, and the invariant checks the property
// and churn tests apply after every event.

import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { parseNodeAddress, type NodeAddress, type NodeId } from '../../../src/core/node-address.ts';
import type { Direction, PeerInfo } from '../../../src/transport/types.ts';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import { PeerManager, type PeerManagerOptions } from '../../../src/engine/peers/peer-manager.ts';
import { TendermintPolicy, type TendermintPolicyOptions } from '../../../src/engine/peers/tendermint-policy.ts';
import type { PeerRecord, PeerUpdate } from '../../../src/engine/peers/types.ts';

/** A 40-hex node id for a small number (n = 0 is used as "self" in most tests). */
export function nodeId(n: number): NodeId {
  return n.toString(16).padStart(40, '0');
}

/** An address for peer n in its own routable /16 (11+n/256 . n%256 . 0 . 1), unless `ip` is given. */
export function addrOf(n: number, ip?: string, port = 26656): NodeAddress {
  const host = ip ?? `${11 + Math.floor(n / 256)}.${n % 256}.0.1`;
  return parseNodeAddress(`${nodeId(n)}@${host}:${port}`);
}

export function infoOf(id: NodeId): PeerInfo {
  return { id, protocolVersion: '8', channels: [0x00, 0x20] };
}

/** mulberry32: a small seeded PRNG in [0, 1), so property failures replay exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SELF = nodeId(0x8000);

export interface Harness {
  readonly pm: PeerManager;
  readonly clock: ManualClock;
  readonly store: MemoryPeerStore;
  readonly policy: TendermintPolicy;
  readonly updates: PeerUpdate[];
  wakes: number;
}

export interface HarnessOptions extends Partial<Omit<PeerManagerOptions, 'clock' | 'store' | 'policy'>> {
  readonly policy?: TendermintPolicyOptions;
  readonly initial?: readonly PeerRecord[];
}

/** A started PeerManager on a ManualClock with a memory store; records every update and wake-up. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const store = new MemoryPeerStore(options.initial ?? []);
  const policy = new TendermintPolicy(options.policy ?? {});
  const pm = new PeerManager({ selfId: SELF, random: seededRandom(1), ...options, clock, store, policy });
  const h: Harness = { pm, clock, store, policy, updates: [], wakes: 0 };
  pm.subscribe((u) => h.updates.push(u));
  pm.onWake(() => {
    h.wakes++;
  });
  await pm.start();
  return h;
}

/** Dials and admits peer n as an outbound peer and marks it ready. */
export function connectOutbound(h: Harness, expected?: NodeAddress): NodeId {
  const address = h.pm.dialNext();
  assert.ok(address !== undefined, 'expected an address to dial');
  if (expected !== undefined) assert.equal(address.id, expected.id);
  const id = address.id!;
  h.pm.dialed(address, infoOf(id));
  h.pm.ready(id, infoOf(id), 'outbound');
  return id;
}

export function connectInbound(h: Harness, n: number): NodeId {
  const id = nodeId(n);
  h.pm.accepted(id, infoOf(id));
  h.pm.ready(id, infoOf(id), 'inbound');
  return id;
}

/** Asserts every limit the PeerManager promises. */
export function assertLimits(h: Harness, options: { readonly groupLimit: boolean }): void {
  const s = h.pm.stats();
  const l = h.policy.limits;
  assert.ok(s.connected <= l.maxConnected + l.maxConnectedUpgrade, `connected ${s.connected}`);
  assert.ok(
    s.outbound + s.dialing <= l.maxOutgoing + l.maxConnectedUpgrade,
    `outgoing ${s.outbound}+${s.dialing}`,
  );
  assert.ok(s.inbound <= l.maxIncoming + l.maxConnectedUpgrade, `inbound ${s.inbound}`);
  assert.ok(s.stored <= l.maxPeers, `stored ${s.stored}`);
  assert.ok(s.upgrading <= l.maxConnectedUpgrade, `upgrading ${s.upgrading}`);
  if (options.groupLimit) {
    const groups = new Map<string, number>();
    for (const p of h.pm.peers()) {
      if (!(p.dialing || h.pm.slotOf(p.id) === 'outbound')) continue;
      const g = h.pm.outboundGroup(p.id);
      if (g === undefined) continue;
      groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    for (const [g, n] of groups)
      assert.ok(n <= h.policy.maxOutboundPerGroup(g), `group ${g} has ${n} outbound`);
  }
}

export function directionOf(h: Harness, id: NodeId): Direction | undefined {
  return h.pm.peer(id)?.direction;
}
