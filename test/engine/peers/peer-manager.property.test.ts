// Properties of the PeerManager over random event sequences (run count from FC_RUNS, default 200):
// it never exceeds a limit, never dials itself, a connected, dialing, inactive or banned peer, keeps
// one outbound connection per group (unless the local profile), dials in score order, keeps
// nextDialTime consistent with dialNext, advertises neither the asker nor private peers, evicts
// persistent peers only for their own errors, and always comes back to persistent peers.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import type { NodeAddress, NodeId } from '../../../src/core/node-address.ts';
import { retryDelay } from '../../../src/engine/peers/backoff.ts';
import { DialPlanner, type DialChoice } from '../../../src/engine/peers/dial-planner.ts';
import type { OutboundRotation } from '../../../src/engine/peers/outbound-rotation.ts';
import type { PeerState } from '../../../src/engine/peers/peer-state.ts';
import { localNetworkProfile } from '../../../src/engine/peers/tendermint-policy.ts';
import {
  addrOf,
  assertLimits,
  harness,
  infoOf,
  nodeId,
  seededRandom,
  type Harness,
} from './peer-fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const PEERS = 12;

/** Peer p (0..PEERS-1): ids on both sides of SELF (0x8000), addresses in a few shared groups. */
const peerNumber = (p: number): number => (p % 2 === 0 ? p + 1 : 0x9000 + p);
const idOf = (p: number): NodeId => nodeId(peerNumber(p));

type Command =
  | { t: 'add'; p: number; gossip: boolean }
  | { t: 'dial' }
  | { t: 'dialDone'; i: number; outcome: 'ok' | 'fail' | 'mismatch' }
  | { t: 'accept'; p: number }
  | { t: 'ready'; p: number }
  | { t: 'disconnect'; p: number; ban: boolean }
  | { t: 'evict' }
  | { t: 'error'; p: number; action: 'transient' | 'disconnect' | 'ban' }
  | { t: 'report'; p: number; good: boolean }
  | { t: 'inactivate'; p: number }
  | { t: 'advance'; ms: number }
  | { t: 'advertise'; p: number; limit: number };

const peer = fc.integer({ min: 0, max: PEERS - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('add' as const), p: peer, gossip: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('dial' as const) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('dialDone' as const),
      i: fc.nat(20),
      outcome: fc.constantFrom('ok' as const, 'ok' as const, 'fail' as const, 'mismatch' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('accept' as const), p: peer }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ready' as const), p: peer }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('disconnect' as const), p: peer, ban: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('evict' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('error' as const),
      p: peer,
      action: fc.constantFrom('transient' as const, 'disconnect' as const, 'ban' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('report' as const), p: peer, good: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('inactivate' as const), p: peer }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 40 * 60_000 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('advertise' as const),
      p: peer,
      limit: fc.integer({ min: -1, max: 20 }),
    }),
  },
);

const scenario = fc.record({
  seed: fc.integer(),
  local: fc.boolean(),
  jitter: fc.boolean(),
  maxConnected: fc.integer({ min: 2, max: 6 }),
  outgoingShare: fc.double({ min: 0, max: 1, noNaN: true }),
  upgrade: fc.integer({ min: 0, max: 2 }),
  persistent: fc.subarray([0, 1, 2]),
  privates: fc.subarray([3, 4, 5, 6]),
  groups: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: PEERS, maxLength: PEERS }),
  commands: fc.array(command, { minLength: 30, maxLength: 200, size: 'max' }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface Model {
  readonly h: Harness;
  readonly s: Scenario;
  readonly addresses: NodeAddress[];
  readonly inflight: NodeAddress[];
  /** Peers marked for eviction by their own errors since they connected. */
  readonly marked: Set<NodeId>;
  readonly persistentIds: Set<NodeId>;
  readonly privateIds: Set<NodeId>;
  /** Peers visiting as guests (admitted while full, guests.ts): busy, so never dialed meanwhile. */
  readonly guests: Set<NodeId>;
}

async function setup(s: Scenario): Promise<Model> {
  const maxOutgoing = Math.max(1, Math.round(s.outgoingShare * s.maxConnected));
  const addresses = Array.from({ length: PEERS }, (_, p) => {
    const g = s.groups[p]!;
    return addrOf(peerNumber(p), s.local ? `127.${g}.0.${p + 1}` : `20.${g}.0.${p + 1}`);
  });
  const h = await harness({
    random: seededRandom(s.seed),
    policy: {
      ...(s.local ? localNetworkProfile : {}),
      maxConnected: s.maxConnected,
      maxOutgoing,
      maxConnectedUpgrade: s.upgrade,
      ...(s.jitter ? {} : { retryJitter: 0 }),
    },
    persistentPeers: s.persistent.map((p) => addresses[p]!),
    privatePeerIds: s.privates.map(idOf),
  });
  return {
    h,
    s,
    addresses,
    inflight: [],
    guests: new Set(),
    marked: new Set(),
    persistentIds: new Set(s.persistent.map(idOf)),
    privateIds: new Set(s.privates.map(idOf)),
  };
}

/** True when `q` could be dialed now by the rules (requires retryJitter 0 so retry times are known). */
function eligibleNow(m: Model, id: NodeId, groupsInUse: Map<string, number>): boolean {
  const { h } = m;
  const v = h.pm.peer(id);
  const now = h.clock.now();
  if (v === undefined || v.record.inactive || v.dialing || v.direction !== undefined || m.guests.has(id)) return false;
  if ((v.record.bannedUntil ?? 0) > now) return false;
  if (v.lastDisconnected !== undefined && v.lastDisconnected + h.policy.options.disconnectCooldown > now)
    return false;
  const o = h.policy.options;
  const cap = v.persistent ? o.maxRetryTimePersistent : o.maxRetryTime;
  return v.record.addresses.some((a) => {
    const group = h.policy.addressGroup(
      m.addresses.find((x) => `${x.id}@${x.host}:${x.port}` === a.address) ?? m.addresses[0]!,
    );
    if ((groupsInUse.get(group) ?? 0) >= h.policy.maxOutboundPerGroup(group)) return false;
    if (a.dialFailures === 0 || a.lastDialFailure === undefined) return true;
    return (
      a.lastDialFailure +
        retryDelay(
          a.dialFailures,
          { minRetryTime: o.minRetryTime, maxRetryTime: cap, retryJitter: 0 },
          () => 0,
        ) <=
      now
    );
  });
}

function groupsInUse(m: Model): Map<string, number> {
  const groups = new Map<string, number>();
  for (const v of m.h.pm.peers()) {
    if (!(v.dialing || m.h.pm.slotOf(v.id) === 'outbound')) continue;
    const g = m.h.pm.outboundGroup(v.id);
    if (g !== undefined) groups.set(g, (groups.get(g) ?? 0) + 1);
  }
  return groups;
}

function dial(m: Model): void {
  const { h } = m;
  const now = h.clock.now();
  const promised = h.pm.nextDialTime();
  const before = new Map(h.pm.peers().map((v) => [v.id, v]));
  const groups = groupsInUse(m);
  const rotatingBefore = h.pm.stats().rotating;
  const address = h.pm.dialNext();
  assert.equal(
    address !== undefined,
    promised !== undefined && promised <= now,
    'nextDialTime agrees with dialNext',
  );
  if (address === undefined) return;
  const id = address.id!;
  const was = before.get(id);
  assert.ok(was, 'dials only known peers');
  assert.notEqual(id, h.pm.selfId);
  assert.equal(was.dialing, false, 'never dials a dialing peer');
  assert.equal(was.direction, undefined, 'never dials a connected peer');
  assert.equal(was.record.inactive, false, 'never dials an inactive peer');
  assert.ok((was.record.bannedUntil ?? 0) <= now, 'never dials a banned peer');
  // A rotation dial picks a random eligible address on purpose (outbound-rotation.ts).
  const rotation = h.pm.stats().rotating > rotatingBefore;
  if (!m.s.jitter && !rotation) {
    const score = h.policy.score(was);
    for (const other of before.values()) {
      if (other.id === id || !eligibleNow(m, other.id, groups)) continue;
      assert.ok(
        h.policy.score(other) <= score,
        `skipped a better candidate (${h.policy.score(other)} > ${score})`,
      );
    }
  }
  m.inflight.push(address);
}

function run(m: Model, c: Command): Promise<void> | undefined {
  const { h } = m;
  switch (c.t) {
    case 'add':
      h.pm.add(m.addresses[c.p]!, c.gossip ? idOf((c.p + 1) % PEERS) : undefined);
      return;
    case 'dial':
      dial(m);
      return;
    case 'dialDone': {
      if (m.inflight.length === 0) return;
      const [address] = m.inflight.splice(c.i % m.inflight.length, 1);
      const id = address!.id!;
      if (c.outcome === 'fail') {
        h.pm.dialFailed(address!);
        return;
      }
      try {
        // A replacement keeps an eviction mark: the peer, not the connection, misbehaved.
        h.pm.dialed(address!, infoOf(c.outcome === 'mismatch' ? nodeId(0x7777) : id));
        h.pm.ready(id, infoOf(id), 'outbound');
      } catch (error) {
        assert.ok(error instanceof PeerwireError, 'refusals are typed');
      }
      return;
    }
    case 'accept': {
      const id = idOf(c.p);
      try {
        if (h.pm.accepted(id, infoOf(id)).guest === true) {
          m.guests.add(id);
          assert.ok(h.pm.stats().guests <= (h.policy.limits.maxInboundGuests ?? 0), 'guests bounded');
        }
      } catch (error) {
        assert.ok(error instanceof PeerwireError);
      }
      return;
    }
    case 'ready': {
      const v = h.pm.peer(idOf(c.p));
      if (v?.direction !== undefined && !v.ready) h.pm.ready(v.id, infoOf(v.id), v.direction);
      return;
    }
    case 'disconnect': {
      const id = idOf(c.p);
      h.pm.disconnected(id, c.ban ? new PeerwireError('ERR_T', 'bad frame', { action: 'ban' }) : undefined);
      m.marked.delete(id);
      m.guests.delete(id);
      return;
    }
    case 'evict': {
      const id = h.pm.evictNext();
      if (id === undefined) return;
      const v = h.pm.peer(id)!;
      assert.ok(v.direction !== undefined && v.ready, 'evicts only connected, ready peers');
      if (m.persistentIds.has(id))
        assert.ok(m.marked.has(id), 'persistent peers are evicted only for their own errors');
      h.pm.disconnected(id);
      m.marked.delete(id);
      return;
    }
    case 'error': {
      const id = idOf(c.p);
      if (c.action !== 'transient' && h.pm.peer(id)?.direction !== undefined) m.marked.add(id);
      h.pm.errored(id, new PeerwireError('ERR_T', 't', { action: c.action }));
      return;
    }
    case 'report':
      h.pm.report(idOf(c.p), c.good ? 'good' : 'bad');
      return;
    case 'inactivate': {
      const id = idOf(c.p);
      if (h.pm.peer(id)?.direction !== undefined) m.marked.add(id);
      h.pm.inactivate(id);
      return;
    }
    case 'advance':
      return h.clock.advance(c.ms);
    case 'advertise': {
      const asker = idOf(c.p);
      const got = h.pm.advertise(asker, c.limit);
      assert.ok(got.length <= Math.max(0, c.limit));
      const now = h.clock.now();
      for (const a of got) {
        assert.notEqual(a.id, asker, 'never the asker');
        assert.ok(!m.privateIds.has(a.id!), 'never a private peer');
        const v = h.pm.peer(a.id!)!;
        assert.ok(!v.record.inactive && (v.record.bannedUntil ?? 0) <= now);
      }
      return;
    }
  }
}

interface PlannerPair {
  readonly indexed: DialPlanner;
  readonly scanning: DialPlanner;
}

/**
 * The PeerManager's own planner (TendermintPolicy declares upgradeBar, so it keeps a score index) and
 * a second planner over the same book and connection table whose policy hides upgradeBar: the one that
 * collects every candidate, as the planner did before the index.
 */
function scanningPlanner(pm: Harness['pm']): PlannerPair {
  const inside = pm as unknown as { state: PeerState; planner: DialPlanner; rotation: OutboundRotation };
  const policy = inside.state.policy;
  // The policy's own methods still see upgradeBar (mayReplace uses it); only the planner does not.
  const withoutBar = new Proxy(policy, {
    get: (target, key) => {
      if (key === 'upgradeBar') return undefined;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    indexed: inside.planner,
    scanning: new DialPlanner(inside.state.book, inside.state.table, withoutBar, inside.state.viewOf, inside.rotation),
  };
}

/** What must be equal between two answers whose ties were broken by different random draws. */
function shape(m: Model, choice: DialChoice | undefined): string {
  if (choice === undefined) return 'none';
  const victim = choice.victim === undefined ? undefined : m.h.pm.score(choice.victim);
  const score = choice.rotation ? 'any' : m.h.policy.score(choice.candidate.peer);
  return `rotation=${choice.rotation} candidate score=${score} victim score=${victim}`;
}

function assertPlannersAgree(m: Model, pair: PlannerPair, seed: number): void {
  const now = m.h.clock.now();
  const context = (): { now: number; random: () => number } => ({ now, random: seededRandom(seed) });
  assert.equal(pair.indexed.earliest(context()), pair.scanning.earliest(context()), 'earliest');
  assert.equal(shape(m, pair.indexed.choose(context())), shape(m, pair.scanning.choose(context())), 'choose');
}

describe('PeerManager properties', () => {
  it('random event sequences keep every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const m = await setup(s);
        for (const c of s.commands) {
          await run(m, c);
          assertLimits(m.h, { groupLimit: !s.local });
        }
        await m.h.pm.stop();
      }),
      { numRuns: RUNS },
    );
  });

  it('the planner with its score index answers as a scan of the whole book would', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const m = await setup(s);
        const reference = scanningPlanner(m.h.pm);
        for (const c of s.commands) {
          await run(m, c);
          assertPlannersAgree(m, reference, s.seed);
        }
        await m.h.pm.stop();
      }),
      { numRuns: RUNS },
    );
  });

  it('persistent peers are always redialed after failures and disconnects', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const m = await setup({ ...s, persistent: s.persistent.length === 0 ? [0] : s.persistent });
        const { h } = m;
        for (const c of s.commands) await run(m, c);
        // The faults stop: every connection drops, every dial in flight fails.
        for (const address of m.inflight.splice(0)) h.pm.dialFailed(address);
        for (const v of h.pm.peers()) if (v.direction !== undefined) h.pm.disconnected(v.id);
        for (const id of m.guests) h.pm.disconnected(id);
        const o = h.policy.options;
        const waitMs = o.maxRetryTimePersistent + o.retryJitter + o.disconnectCooldown + 1;
        const dialed = new Set<NodeId>();
        for (let round = 0; round < 2; round++) {
          await h.clock.advance(waitMs);
          for (let address = h.pm.dialNext(); address !== undefined; address = h.pm.dialNext()) {
            dialed.add(address.id!);
            h.pm.dialFailed(address);
          }
        }
        for (const id of m.persistentIds) {
          const v = h.pm.peer(id)!;
          if (v.record.inactive || (v.record.bannedUntil ?? 0) > h.clock.now()) continue;
          assert.ok(dialed.has(id), `persistent peer ${id} was not redialed`);
        }
        await h.pm.stop();
      }),
      { numRuns: Math.max(1, Math.floor(RUNS / 2)) },
    );
  });

  it('eviction follows scores: the lowest-scored evictable peer goes first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 2, maxLength: 8 }),
        fc.subarray([0, 1, 2]),
        fc.integer(),
        async (scores, persistent, seed) => {
          const n = scores.length;
          const h = await harness({
            random: seededRandom(seed),
            // Guests off: a newcomer that cannot replace anyone is refused (guests.test.ts covers guests).
            policy: { maxConnected: n, maxOutgoing: 0, maxConnectedUpgrade: 1, maxInboundGuests: 0 },
            persistentPeers: persistent.filter((p) => p < n).map((p) => addrOf(p + 1)),
          });
          for (let p = 0; p < n; p++) {
            const id = nodeId(p + 1);
            h.pm.accepted(id, infoOf(id));
            h.pm.ready(id, infoOf(id), 'inbound');
            for (let k = 0; k < Math.abs(scores[p]!); k++) h.pm.report(id, scores[p]! > 0 ? 'good' : 'bad');
          }
          const newcomer = nodeId(0x100);
          let admitted = true;
          try {
            h.pm.accepted(newcomer, infoOf(newcomer));
            h.pm.ready(newcomer, infoOf(newcomer), 'inbound');
          } catch {
            admitted = false;
          }
          const evictable = h.pm
            .peers()
            .filter((v) => v.direction !== undefined && !v.persistent && v.id !== newcomer);
          const lowest = Math.min(...evictable.map((v) => h.pm.score(v.id)!));
          if (!admitted) {
            assert.ok(
              evictable.length === 0 || lowest >= 0,
              'refused only when nobody scores below the newcomer',
            );
            return;
          }
          const victim = h.pm.evictNext()!;
          assert.ok(victim !== undefined);
          assert.equal(h.pm.peer(victim)!.persistent, false);
          assert.equal(h.pm.score(victim), lowest);
          await h.pm.stop();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
