// The Zcash peer set: power-of-two-choices by load, inventory-aware routing of single-item downloads
// (advertisers first, never a peer that reported the item missing, ERR_ZCASH_NOT_FOUND_REGISTRY
// without sending anything), ⌈n/3⌉ and all-peer broadcasts, and the no-ready-peers error with its
// demand signal.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import { InventoryRegistry } from '../../../src/zcash/services/inventory-registry.ts';
import { PeerSet } from '../../../src/zcash/services/peer-set.ts';
import type { ConnectionRequest, PeerClient, ZcashResponse } from '../../../src/zcash/services/requests.ts';
import { seededRandom } from '../../engine/peers/peer-fixtures.ts';

const H1 = 'ab'.repeat(32);
const B1 = Buffer.from(H1, 'hex');
const T2 = { txid: Buffer.from('cd'.repeat(32), 'hex') };
const signal = new AbortController().signal;

interface Recorder {
  readonly sent: { peer: string; request: ConnectionRequest }[];
  client(peer: string, respond?: () => Promise<ZcashResponse>): PeerClient;
}

function recorder(): Recorder {
  const sent: { peer: string; request: ConnectionRequest }[] = [];
  return {
    sent,
    client: (peer, respond = () => Promise.resolve({ kind: 'nil' })) => ({
      request: (request) => {
        sent.push({ peer, request });
        return respond();
      },
    }),
  };
}

function setup(peers: number, options: { regtest?: boolean } = {}) {
  const clock = new ManualClock();
  const registry = new InventoryRegistry({ clock });
  let demands = 0;
  const set = new PeerSet({
    clock,
    registry,
    random: seededRandom(7),
    networkKind: options.regtest === true ? 'regtest' : 'mainnet',
    onDemand: () => demands++,
  });
  const rec = recorder();
  for (let i = 0; i < peers; i++) set.add(`p${i}`, rec.client(`p${i}`));
  return { clock, registry, set, rec, demands: () => demands };
}

const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof PeerwireError && e.code === code;

describe('PeerSet', () => {
  it('fails with ERR_ZCASH_NO_READY_PEERS and signals demand when nobody is ready', async () => {
    const s = setup(0);
    await assert.rejects(s.set.route({ kind: 'peers' }, signal), isCode('ERR_ZCASH_NO_READY_PEERS'));
    assert.equal(s.demands(), 1);
  });

  it('routes by power of two choices, preferring the less loaded peer', async () => {
    const s = setup(0);
    const rec = s.rec;
    let release: (() => void) | undefined;
    s.set.add(
      'busy',
      rec.client('busy', () => new Promise((resolve) => (release = () => resolve({ kind: 'nil' })))),
    );
    s.set.add('idle', rec.client('idle'));
    // With two peers both are always the choices: the first request goes somewhere; make "busy" busy.
    const pending = s.set.route({ kind: 'mempool-transaction-ids' }, signal);
    const first = rec.sent[0]!.peer;
    if (first !== 'busy') {
      // Route until the slow peer holds a request in flight.
      for (let i = 0; i < 20 && rec.sent.every((x) => x.peer !== 'busy'); i++)
        await s.set.route({ kind: 'mempool-transaction-ids' }, signal);
    }
    assert.ok((s.set.load('busy') ?? 0) > (s.set.load('idle') ?? 0));
    const before = rec.sent.length;
    for (let i = 0; i < 10; i++) await s.set.route({ kind: 'find-headers', locator: [] }, signal);
    assert.ok(
      rec.sent.slice(before).every((x) => x.peer === 'idle'),
      'the loaded peer is avoided',
    );
    release?.();
    await pending.catch(() => undefined);
  });

  it('sends a single-item download to a peer that advertised it', async () => {
    const s = setup(10);
    s.registry.send({ kind: 'available', peer: 'p7', hashes: [H1] });
    for (let i = 0; i < 5; i++) await s.set.route({ kind: 'blocks-by-hash', hashes: [B1] }, signal);
    assert.ok(s.rec.sent.every((x) => x.peer === 'p7'));
  });

  it('never sends it to a peer that reported it missing, and fails without sending when all did', async () => {
    const s = setup(3);
    s.registry.send({ kind: 'missing', peer: 'p0', hashes: [H1] });
    s.registry.send({ kind: 'missing', peer: 'p1', hashes: [H1] });
    for (let i = 0; i < 5; i++)
      await s.set.route({ kind: 'transactions-by-id', ids: [{ txid: B1 }] }, signal);
    assert.ok(s.rec.sent.every((x) => x.peer === 'p2'));
    s.registry.send({ kind: 'missing', peer: 'p2', hashes: [H1] });
    const before = s.rec.sent.length;
    await assert.rejects(
      s.set.route({ kind: 'transactions-by-id', ids: [{ txid: B1 }] }, signal),
      isCode('ERR_ZCASH_NOT_FOUND_REGISTRY'),
    );
    assert.equal(s.rec.sent.length, before, 'no request was sent');
    // Multi-item downloads are not registry-routed.
    await s.set.route({ kind: 'transactions-by-id', ids: [{ txid: B1 }, T2] }, signal);
    assert.equal(s.rec.sent.length, before + 1);
  });

  it('forgets inventory marks of removed peers', async () => {
    const s = setup(2);
    s.registry.send({ kind: 'available', peer: 'p0', hashes: [H1] });
    s.set.remove('p0');
    assert.deepEqual(s.registry.advertisingPeers(H1), []);
    await s.set.route({ kind: 'blocks-by-hash', hashes: [B1] }, signal);
    assert.equal(s.rec.sent[0]!.peer, 'p1');
  });

  it('broadcasts transaction ids to ⌈n/3⌉ random peers (all on Regtest) and blocks to all', async () => {
    for (const n of [1, 3, 7, 10]) {
      const s = setup(n);
      assert.deepEqual(
        await s.set.route({ kind: 'advertise-transaction-ids', ids: [{ txid: B1 }] }, signal),
        {
          kind: 'nil',
        },
      );
      const peers = s.rec.sent.map((x) => x.peer);
      assert.equal(peers.length, Math.ceil(n / 3));
      assert.equal(new Set(peers).size, peers.length, 'distinct peers');
    }
    const r = setup(7, { regtest: true });
    await r.set.route({ kind: 'advertise-transaction-ids', ids: [{ txid: B1 }] }, signal);
    assert.equal(r.rec.sent.length, 7);
    const all = setup(7);
    await all.set.route({ kind: 'advertise-block-to-all', hash: B1 }, signal);
    assert.equal(new Set(all.rec.sent.map((x) => x.peer)).size, 7);
    assert.ok(
      all.rec.sent.every((x) => x.request.kind === 'advertise-block'),
      'peers are sent AdvertiseBlock',
    );
    const third = setup(7);
    await third.set.route({ kind: 'advertise-block', hash: B1 }, signal);
    assert.equal(third.rec.sent.length, 3);
  });

  it('turns a Peers response into book addresses for the crawler', async () => {
    const s = setup(0);
    s.set.add(
      'p0',
      s.rec.client('p0', () =>
        Promise.resolve({
          kind: 'peers',
          addrs: [
            { ip: '20.1.2.3', port: 8233, services: 1n, time: 1000 },
            { ip: '2001:db8::1', port: 8233, services: 1n, time: 1001 },
          ],
        }),
      ),
    );
    assert.deepEqual(await s.set.requestPeers(signal), [
      { addr: '20.1.2.3:8233', services: 1n, lastSeen: 1000 },
      { addr: '[2001:db8::1]:8233', services: 1n, lastSeen: 1001 },
    ]);
  });
});
