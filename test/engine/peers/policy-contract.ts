// The contract every PeerPolicy keeps, whatever network's rules it encodes: it only answers questions
// about the peers it is shown. Orderings return a subset of their input without duplicates, advertised
// addresses come from the given peers and respect the limit, numbers are usable (no NaN, no negative
// delays), the persisted fields stay JSON, limits pass validateLimits, and the same inputs with the
// same random source give the same answers. Each policy's test file calls runPolicyContract with a
// harness that makes addresses in its network's format.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError, type ErrorAction } from '../../../src/core/errors.ts';
import { formatNodeAddress, type NodeAddress } from '../../../src/core/node-address.ts';
import type { Direction } from '../../../src/transport/types.ts';
import {
  validateLimits,
  type DialCandidate,
  type PeerEvent,
  type PeerPolicy,
  type PeerView,
  type PolicyContext,
} from '../../../src/engine/peers/policy.ts';
import { seededRandom } from './peer-fixtures.ts';

export interface PolicyHarness {
  /** A fresh policy with its defaults. */
  create(): PeerPolicy;
  /** The dialable address of peer n, in the policy's network format (distinct for distinct n). */
  address(n: number): NodeAddress;
  /** The peer id that address n belongs to. */
  idOf(n: number): string;
}

/** fast-check runs per property; FC_RUNS overrides (CI may raise it). */
const RUNS = Number(process.env.FC_RUNS ?? 50);
const NOW = 1_704_067_200_000;

/** What a generated peer looks like before the policy has seen its events. */
interface PeerShape {
  readonly n: number;
  readonly score: number;
  readonly failures: number;
  readonly direction: Direction | undefined;
  readonly persistent: boolean;
  readonly lastConnectedAgoMs: number | undefined;
  readonly events: readonly ('dialing' | 'dial-failed' | 'connected' | 'disconnected' | 'good' | 'bad')[];
}

const shapeArb: fc.Arbitrary<PeerShape> = fc.record({
  n: fc.integer({ min: 1, max: 5000 }),
  score: fc.integer({ min: -100, max: 100 }),
  failures: fc.integer({ min: 0, max: 20 }),
  direction: fc.constantFrom<Direction | undefined>(undefined, 'inbound', 'outbound'),
  persistent: fc.boolean(),
  lastConnectedAgoMs: fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: undefined }),
  events: fc.array(fc.constantFrom('dialing', 'dial-failed', 'connected', 'disconnected', 'good', 'bad'), {
    maxLength: 4,
  }),
});

/** Distinct peers (by n). */
const peersArb = fc.uniqueArray(shapeArb, { selector: (s) => s.n, maxLength: 24, size: 'max' });

function context(seed: number): PolicyContext {
  return { now: NOW, random: seededRandom(seed) };
}

/** Builds a view, letting the policy fill its persisted fields through the events it observes. */
function viewOf(policy: PeerPolicy, h: PolicyHarness, shape: PeerShape): PeerView {
  const address = h.address(shape.n);
  const fields: Record<string, unknown> = {};
  const base: PeerView = {
    id: h.idOf(shape.n),
    record: {
      id: h.idOf(shape.n),
      addresses: [{ address: formatNodeAddress(address), dialFailures: shape.failures }],
      inactive: false,
      mutableScore: shape.score,
      ...(shape.lastConnectedAgoMs === undefined ? {} : { lastConnected: NOW - shape.lastConnectedAgoMs }),
      policy: fields,
    },
    persistent: shape.persistent,
    private: false,
    direction: shape.direction,
    ready: shape.direction !== undefined,
    dialing: false,
    evicting: false,
    lastDisconnected: undefined,
  };
  const ctx = context(shape.n);
  const events: PeerEvent[] = [{ type: 'added', address, source: undefined }];
  for (const kind of shape.events) events.push(eventOf(kind, address, base));
  for (const event of events) {
    const changed = policy.observe?.(base, fields, event, ctx);
    if (changed !== undefined) assert.equal(typeof changed, 'boolean');
  }
  assert.deepEqual(JSON.parse(JSON.stringify(fields)), fields, 'persisted policy fields stay JSON');
  return base;
}

function eventOf(kind: PeerShape['events'][number], address: NodeAddress, view: PeerView): PeerEvent {
  const info = { id: view.id, protocolVersion: '1', channels: [0] };
  switch (kind) {
    case 'dialing':
      return { type: 'dialing', address };
    case 'dial-failed':
      return { type: 'dial-failed', address, error: undefined };
    case 'connected':
      return { type: 'connected', direction: 'outbound', info, address };
    case 'disconnected':
      return { type: 'disconnected', reason: undefined };
    case 'good':
    case 'bad':
      return { type: 'reported', behaviour: kind };
  }
}

function candidatesOf(policy: PeerPolicy, views: readonly PeerView[]): DialCandidate[] {
  return views.map((peer) => {
    const address = peerAddress(peer);
    return {
      peer,
      address,
      addressRecord: peer.record.addresses[0]!,
      group: policy.addressGroup(address),
      eligibleAt: NOW,
    };
  });
}

function peerAddress(view: PeerView): NodeAddress {
  return addressIndex.get(view)!;
}

/** Each view's NodeAddress, kept beside it (the record only holds the text form). */
const addressIndex = new WeakMap<PeerView, NodeAddress>();

function viewsOf(policy: PeerPolicy, h: PolicyHarness, shapes: readonly PeerShape[]): PeerView[] {
  return shapes.map((shape) => {
    const view = viewOf(policy, h, shape);
    addressIndex.set(view, h.address(shape.n));
    return view;
  });
}

function assertSubset<T>(output: readonly T[], input: readonly T[], what: string): void {
  const allowed = new Set(input);
  assert.equal(new Set(output).size, output.length, `${what}: no duplicates`);
  for (const item of output) assert.ok(allowed.has(item), `${what}: only items it was given`);
}

const ACTIONS: readonly ErrorAction[] = ['transient', 'disconnect', 'ban'];

export function runPolicyContract(name: string, h: PolicyHarness): void {
  describe(`peer policy contract: ${name}`, () => {
    it('declares limits the PeerManager accepts', () => {
      const policy = h.create();
      validateLimits(policy.limits, policy.name, 0);
      assert.equal(typeof policy.name, 'string');
    });

    it('rankCandidates returns a subset of its candidates, without duplicates, reproducibly', () => {
      fc.assert(
        fc.property(peersArb, fc.integer(), (shapes, seed) => {
          const policy = h.create();
          const candidates = candidatesOf(policy, viewsOf(policy, h, shapes));
          const ranked = policy.rankCandidates(candidates, context(seed));
          assertSubset(ranked, candidates, 'rankCandidates');
          assert.deepEqual(policy.rankCandidates(candidates, context(seed)), ranked);
        }),
        { numRuns: RUNS },
      );
    });

    it('evictionOrder and pruneOrder return subsets of the peers they are shown, reproducibly', () => {
      fc.assert(
        fc.property(peersArb, fc.integer(), fc.integer({ min: 0, max: 30 }), (shapes, seed, needed) => {
          const policy = h.create();
          const views = viewsOf(policy, h, shapes);
          const connected = views.filter((v) => v.direction !== undefined);
          const evict = policy.evictionOrder(connected, context(seed));
          assertSubset(evict, connected, 'evictionOrder');
          assert.deepEqual(policy.evictionOrder(connected, context(seed)), evict);
          const stored = views.filter((v) => v.direction === undefined);
          assertSubset(policy.pruneOrder(stored, context(seed)), stored, 'pruneOrder');
          assertSubset(policy.pruneOrder(stored, context(seed), needed), stored, 'pruneOrder(needed)');
        }),
        { numRuns: RUNS },
      );
    });

    it('selectAdvertised picks at most `limit` addresses, all of them the given peers’', () => {
      fc.assert(
        fc.property(peersArb, fc.integer({ min: 0, max: 30 }), fc.integer(), (shapes, limit, seed) => {
          const policy = h.create();
          const views = viewsOf(policy, h, shapes);
          const known = new Set(views.map((v) => formatNodeAddress(peerAddress(v))));
          const picked = policy.selectAdvertised(views, limit, context(seed));
          assert.ok(picked.length <= limit, `${picked.length} > ${limit}`);
          for (const address of picked) assert.ok(known.has(formatNodeAddress(address)));
        }),
        { numRuns: RUNS },
      );
    });

    it('scores, delays and groups are usable numbers and strings', () => {
      fc.assert(
        fc.property(peersArb, (shapes) => {
          const policy = h.create();
          for (const view of viewsOf(policy, h, shapes)) {
            assert.ok(Number.isFinite(policy.score(view)), 'score is finite');
            const retry = policy.retryDelay(view, view.record.addresses[0]!, seededRandom(1));
            assert.ok(retry >= 0, `retryDelay ${retry} is >= 0 (Infinity allowed)`);
            const cooldown = policy.redialCooldown(view);
            assert.ok(Number.isFinite(cooldown) && cooldown >= 0, `redialCooldown ${cooldown}`);
            const address = peerAddress(view);
            const group = policy.addressGroup(address);
            assert.equal(typeof group, 'string');
            assert.equal(policy.addressGroup(address), group, 'a group is stable');
            const perGroup = policy.maxOutboundPerGroup(group);
            const countable = Number.isInteger(perGroup) && perGroup >= 0;
            assert.ok(
              countable || perGroup === Infinity,
              `maxOutboundPerGroup ${perGroup} (Infinity = no limit)`,
            );
            const notBefore = policy.notBefore?.(view, view.record.addresses[0]!, context(1));
            if (notBefore !== undefined) assert.ok(!Number.isNaN(notBefore), 'notBefore is a time');
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('judgeError gives a usable verdict for every error code and action, known peer or not', () => {
      const policy = h.create();
      const [view] = viewsOf(policy, h, [
        {
          n: 7,
          score: 0,
          failures: 0,
          direction: 'outbound',
          persistent: false,
          lastConnectedAgoMs: 0,
          events: [],
        },
      ]);
      for (const code of Object.values(ErrorCode)) {
        for (const action of ACTIONS) {
          const error = new PeerwireError(code, `contract ${code}`, { action });
          for (const peer of [view, undefined]) {
            const verdict = policy.judgeError(peer, error);
            assert.equal(typeof verdict.evict, 'boolean');
            assert.ok(verdict.banFor >= 0, `banFor ${verdict.banFor} for ${code}/${action}`);
            assert.ok(Number.isFinite(verdict.scoreDelta), `scoreDelta for ${code}/${action}`);
          }
        }
      }
    });

    it('mayReplace answers for any two peers, and never prefers a peer over itself', () => {
      fc.assert(
        fc.property(peersArb, (shapes) => {
          const policy = h.create();
          const views = viewsOf(policy, h, shapes);
          for (let i = 0; i + 1 < views.length; i++) {
            assert.equal(typeof policy.mayReplace(views[i]!, views[i + 1]!), 'boolean');
            assert.equal(policy.mayReplace(views[i]!, views[i]!), false);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
}
