// TendermintPolicy on its own: defaults, the local-network profile, scores, backoff caps, error
// verdicts, eviction and pruning order, address admission and the advertise filter.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerwireError } from '../../../src/core/errors.ts';
import { formatNodeAddress, parseNodeAddress } from '../../../src/core/node-address.ts';
import type { PeerView } from '../../../src/engine/peers/policy.ts';
import { localNetworkProfile, TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import type { PeerAddressRecord } from '../../../src/engine/peers/types.ts';
import { addrOf, nodeId } from './peer-fixtures.ts';

function view(
  n: number,
  options: {
    score?: number;
    failures?: number;
    persistent?: boolean;
    bannedUntil?: number;
    ip?: string;
  } = {},
): PeerView {
  const addresses: PeerAddressRecord[] = [
    { address: formatNodeAddress(addrOf(n, options.ip)), dialFailures: options.failures ?? 0 },
  ];
  return {
    id: nodeId(n),
    record: {
      id: nodeId(n),
      addresses,
      inactive: false,
      mutableScore: options.score ?? 0,
      ...(options.bannedUntil === undefined ? {} : { bannedUntil: options.bannedUntil }),
    },
    persistent: options.persistent ?? false,
    private: false,
    direction: 'inbound',
    ready: true,
    dialing: false,
    evicting: false,
    lastDisconnected: undefined,
  };
}

const ctx = { now: 1_000, random: () => 0.5 };

describe('TendermintPolicy', () => {
  it("has Tendermint v0.35's defaults", () => {
    const p = new TendermintPolicy();
    assert.deepEqual(p.limits, {
      maxConnected: 64,
      maxOutgoing: 12,
      maxIncoming: 52,
      maxConnectedUpgrade: 4,
      maxPeers: 260,
      maxAddressesPerPeer: 16,
      minDialInterval: 0,
      // Not v0.35: the outbound rotation that re-merges a split network (outbound-rotation.ts).
      outboundRotationInterval: 5 * 60_000,
      // Not v0.35: newcomers answered as guests while the inbound side is full (guests.ts).
      maxInboundGuests: 4,
    });
    assert.equal(p.options.minRetryTime, 250);
    assert.equal(p.options.maxRetryTime, 30 * 60_000);
    assert.equal(p.options.maxRetryTimePersistent, 5 * 60_000);
    assert.equal(p.options.disconnectCooldown, 2000);
    assert.equal(p.options.banDuration, 24 * 3600_000);
    assert.equal(p.maxOutboundPerGroup('ipv4:1.2'), 1);
    assert.equal(p.options.loopbackRoutable, false);
  });

  it('has a named local-network profile that is not the default', () => {
    const p = new TendermintPolicy(localNetworkProfile);
    assert.equal(p.maxOutboundPerGroup('ipv4:127.0'), Infinity);
    assert.equal(p.options.loopbackRoutable, true);
    assert.equal(p.options.minRetryTime, 50);
    assert.equal(p.options.disconnectCooldown, 100);
    assert.ok(Object.isFrozen(localNetworkProfile));
    assert.equal(p.admitAddress(addrOf(1, '127.0.0.1'), nodeId(2)), true);
    assert.equal(new TendermintPolicy().admitAddress(addrOf(1, '127.0.0.1'), nodeId(2)), false);
  });

  it('scores: mutable score minus failures; persistent at the top', () => {
    const p = new TendermintPolicy();
    assert.equal(p.score(view(1, { score: 3, failures: 5 })), -2);
    assert.equal(p.score(view(1, { score: -32768, failures: 5 })), -32768);
    assert.equal(p.score(view(1, { score: -100, persistent: true })), 32767);
  });

  it('caps backoff lower for persistent peers', () => {
    const p = new TendermintPolicy();
    const rec: PeerAddressRecord = { address: 'x', dialFailures: 40 };
    assert.equal(
      p.retryDelay(view(1), rec, () => 0),
      30 * 60_000,
    );
    assert.equal(
      p.retryDelay(view(1, { persistent: true }), rec, () => 0),
      5 * 60_000,
    );
    assert.ok(p.retryDelay(view(1), rec, () => 0.99) <= 30 * 60_000 + 5000);
  });

  it('maps error actions to verdicts', () => {
    const p = new TendermintPolicy({ banDuration: 1234 });
    const e = (action: 'transient' | 'disconnect' | 'ban') => new PeerwireError('ERR_T', 't', { action });
    assert.deepEqual(p.judgeError(undefined, e('ban')), { evict: true, banFor: 1234, scoreDelta: 0 });
    assert.deepEqual(p.judgeError(undefined, e('disconnect')), { evict: true, banFor: 0, scoreDelta: 0 });
    assert.deepEqual(p.judgeError(undefined, e('transient')), { evict: false, banFor: 0, scoreDelta: -1 });
  });

  it('evicts lowest score first, never persistent peers; upgrades need a strictly better score', () => {
    const p = new TendermintPolicy();
    const peers = [
      view(1, { score: 2 }),
      view(2, { score: -1 }),
      view(3, { persistent: true }),
      view(4, { score: 0 }),
    ];
    assert.deepEqual(
      p.evictionOrder(peers, ctx).map((v) => v.id),
      [nodeId(2), nodeId(4), nodeId(1)],
    );
    assert.equal(p.mayReplace(view(5, { score: 1 }), view(4)), true);
    assert.equal(p.mayReplace(view(5), view(4)), false);
    assert.equal(p.mayReplace(view(5, { persistent: true }), view(3, { persistent: true })), false);
  });

  it('prunes address-less peers first and banned peers last', () => {
    const p = new TendermintPolicy();
    const empty = {
      ...view(1, { score: 5 }),
      record: { id: nodeId(1), addresses: [], inactive: false, mutableScore: 5 },
    };
    const banned = view(2, { score: -50, bannedUntil: ctx.now + 1 });
    const order = p.pruneOrder([banned, view(3, { score: -2 }), empty, view(4)], ctx).map((v) => v.id);
    assert.deepEqual(order, [nodeId(1), nodeId(3), nodeId(4), nodeId(2)]);
    // Asked for one (a full book learning one address), the same first peer, without ranking them all.
    const peers = [banned, view(3, { score: -2 }), empty, view(4), view(5, { persistent: true, score: -99 })];
    assert.deepEqual(p.pruneOrder(peers, ctx, 1).map((v) => v.id), [nodeId(1)]);
    assert.deepEqual(p.pruneOrder(peers.slice(0, 2), ctx, 1).map((v) => v.id), [nodeId(3)]);
    assert.deepEqual(p.pruneOrder([peers[4]!], ctx, 1), []);
  });

  it('admits only addresses with ids and ports, and routable ones from gossip', () => {
    const p = new TendermintPolicy();
    assert.equal(p.admitAddress(parseNodeAddress('8.8.8.8:26656'), undefined), false);
    assert.equal(p.admitAddress(addrOf(1, '8.8.8.8'), nodeId(2)), true);
    assert.equal(p.admitAddress(addrOf(1, '192.0.2.1'), nodeId(2)), false);
    assert.equal(p.admitAddress(addrOf(1, '192.168.0.1'), undefined), true);
    assert.equal(p.admitAddress(parseNodeAddress(`${nodeId(1)}@memory:a`), nodeId(2)), true);
  });

  it('advertises one routable address per peer, at most limit', () => {
    const p = new TendermintPolicy();
    const peers = [view(1), view(2, { ip: '10.0.0.1' }), view(3), view(4)];
    const got = p.selectAdvertised(peers, 2, { now: 0, random: Math.random });
    assert.equal(got.length, 2);
    assert.ok(got.every((a) => a.id !== nodeId(2)));
    assert.equal(p.selectAdvertised(peers, 10, ctx).length, 3);
  });

  it('advertises the same as a fresh policy when asked again (parsed addresses are remembered)', () => {
    const warm = new TendermintPolicy();
    // A peer with two routable addresses and one private one; which routable address is best follows
    // the failure counts, which change between the two questions.
    const peer = view(5);
    const second = formatNodeAddress(addrOf(5, '20.1.0.5'));
    const privateOne = formatNodeAddress(addrOf(5, '10.0.0.5'));
    const addresses = peer.record.addresses as PeerAddressRecord[];
    addresses.push({ address: second, dialFailures: 1 }, { address: privateOne, dialFailures: 0 });
    const answer = (policy: TendermintPolicy): string[] =>
      policy.selectAdvertised([peer, view(6, { ip: '10.0.0.6' })], 10, ctx).map(formatNodeAddress);
    assert.deepEqual(answer(warm), [addresses[0]!.address]);
    addresses[0]!.dialFailures = 3;
    assert.deepEqual(answer(warm), [second], 'the cache holds parsed text, not the choice');
    assert.deepEqual(answer(warm), answer(new TendermintPolicy()));
  });
});
