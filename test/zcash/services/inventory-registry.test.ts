// The inventory registry: Available/Missing marks, rotation every 53 s, the 1,000-hash and 70-peer
// caps under an inv flood, Missing never overwritten by Available within an interval, current
// preferred over prev, the bounded input queue, and peer removal.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { InventoryRegistry } from '../../../src/zcash/services/inventory-registry.ts';

function hash(n: number): string {
  return n.toString(16).padStart(64, '0');
}

function registry(queueCapacity = 200): { clock: ManualClock; reg: InventoryRegistry } {
  const clock = new ManualClock();
  const reg = new InventoryRegistry({ clock, queueCapacity });
  reg.start();
  return { clock, reg };
}

describe('InventoryRegistry', () => {
  it('records availability and keeps it for 53–106 s', async () => {
    const { clock, reg } = registry();
    reg.send({ kind: 'available', peer: 'a', hashes: [hash(1)] });
    assert.deepEqual(reg.advertisingPeers(hash(1)), ['a']);
    await clock.advance(53_000);
    assert.deepEqual(reg.sizes(), { current: 0, prev: 1 });
    assert.deepEqual(reg.advertisingPeers(hash(1)), ['a'], 'still known from prev');
    await clock.advance(53_000);
    assert.deepEqual(reg.advertisingPeers(hash(1)), []);
    reg.stop();
    assert.equal(clock.pendingTimers, 0);
  });

  it('never lets Available overwrite Missing from the same peer within the interval', async () => {
    const { clock, reg } = registry();
    reg.send({ kind: 'missing', peer: 'a', hashes: [hash(1)] });
    reg.send({ kind: 'available', peer: 'a', hashes: [hash(1)] });
    reg.send({ kind: 'available', peer: 'b', hashes: [hash(1)] });
    assert.equal(reg.status(hash(1), 'a'), 'missing');
    assert.deepEqual(reg.advertisingPeers(hash(1)), ['b']);
    assert.deepEqual(reg.missingPeers(hash(1)), ['a']);
    // In the next interval a fresh Available is recorded and preferred over prev's Missing.
    await clock.advance(53_000);
    reg.send({ kind: 'available', peer: 'a', hashes: [hash(1)] });
    assert.equal(reg.status(hash(1), 'a'), 'available');
    assert.deepEqual(reg.missingPeers(hash(1)), []);
    reg.stop();
  });

  it('stays within 1,000 hashes per map and 70 peers per hash under a 100k-hash flood', () => {
    const { reg } = registry();
    let n = 0;
    for (let peer = 0; peer < 100; peer++) {
      for (let msg = 0; msg < 10; msg++) {
        const hashes = Array.from({ length: 100 }, () => hash(n++));
        reg.send({ kind: 'available', peer: `p${peer}`, hashes });
      }
      reg.drain();
    }
    assert.equal(n, 100_000);
    assert.deepEqual(reg.sizes(), { current: 1000, prev: 0 });
    assert.deepEqual(reg.advertisingPeers(hash(0)), [], 'the oldest hashes were evicted');
    assert.deepEqual(reg.advertisingPeers(hash(99_999)), ['p99']);
    // One hash advertised by 200 peers keeps the newest 70.
    for (let peer = 0; peer < 200; peer++)
      reg.send({ kind: 'available', peer: `q${peer}`, hashes: [hash(7)] });
    const peers = reg.advertisingPeers(hash(7));
    assert.equal(peers.length, 70);
    assert.ok(peers.includes('q199') && !peers.includes('q0'));
    reg.stop();
  });

  it('drops the oldest changes when its queue is full, and counts them', () => {
    const { reg } = registry(5);
    for (let i = 0; i < 8; i++) reg.send({ kind: 'available', peer: 'a', hashes: [hash(i)] });
    assert.equal(reg.dropped, 3);
    assert.deepEqual(reg.advertisingPeers(hash(0)), []);
    assert.deepEqual(reg.advertisingPeers(hash(7)), ['a']);
    reg.send({ kind: 'available', peer: 'a', hashes: ['not-a-hash', 'AB'.repeat(32)] });
    reg.drain();
    assert.equal(reg.malformed, 2);
    reg.stop();
  });

  it('forgets a disconnected peer everywhere', async () => {
    const { clock, reg } = registry();
    reg.send({ kind: 'available', peer: 'a', hashes: [hash(1), hash(2)] });
    await clock.advance(53_000);
    reg.send({ kind: 'missing', peer: 'a', hashes: [hash(3)] });
    reg.send({ kind: 'available', peer: 'b', hashes: [hash(1)] });
    reg.removePeer('a');
    assert.deepEqual(reg.advertisingPeers(hash(1)), ['b']);
    assert.deepEqual(reg.advertisingPeers(hash(2)), []);
    assert.deepEqual(reg.missingPeers(hash(3)), []);
    assert.deepEqual(reg.sizes(), { current: 1, prev: 0 }, 'emptied hashes are dropped');
    reg.stop();
  });
});
