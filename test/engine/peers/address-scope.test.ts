// Address hygiene: which peer-learned addresses a node may dial under the public scope (routable
// only) and the local-network scope (loopback and private only), and how both policies apply it to
// gossip, dialing and advertising, with operator-configured addresses exempt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import { dialableInScope, subnetOf } from '../../../src/engine/peers/address-group.ts';
import { localNetworkProfile, TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import { ZebraPolicy, zebraLocalNetworkProfile } from '../../../src/zcash/policy/zebra-policy.ts';
import { NEVER_PUBLIC } from '../../helpers/address-samples.ts';

const a = (text: string) => parseNodeAddress(text);


test('public scope: only routable addresses with a port are dialable', () => {
  for (const text of NEVER_PUBLIC) assert.equal(dialableInScope(a(text), 'public'), false, text);
  assert.equal(dialableInScope({ protocol: 'tcp', host: '8.8.8.8', port: 0 }, 'public'), false);
  for (const text of ['8.8.8.8:26656', '[2a00:1450::1]:8233', '1.2.3.4:1', '[::ffff:8.8.8.8]:1'])
    assert.equal(dialableInScope(a(text), 'public'), true, text);
});

test('local scope: only loopback and private addresses, never the internet or a name', () => {
  for (const text of ['127.0.0.1:1', '127.5.6.7:1', '10.0.0.5:26656', '192.168.0.2:1', '[::1]:1', '[fd00::2]:1'])
    assert.equal(dialableInScope(a(text), 'local'), true, text);
  for (const text of ['8.8.8.8:26656', '203.0.113.9:1', '224.0.0.1:1', '0.0.0.0:1', 'example.org:26656'])
    assert.equal(dialableInScope(a(text), 'local'), false, text);
  assert.equal(dialableInScope({ protocol: 'tcp', host: '10.0.0.5', port: 0 }, 'local'), false);
});

test('subnets for pending-handshake fairness: IPv4 /16 (mapped too), IPv6 /32', () => {
  assert.equal(subnetOf('127.1.2.3'), subnetOf('127.1.9.9'));
  assert.notEqual(subnetOf('127.1.2.3'), subnetOf('127.2.2.3'));
  assert.equal(subnetOf('::ffff:127.1.2.3'), subnetOf('127.1.0.1'));
  assert.equal(subnetOf('2001:db8:1::1'), subnetOf('2001:db8:ffff::2'));
  assert.notEqual(subnetOf('2001:db8::1'), subnetOf('2001:db9::1'));
});

const ID = 'ab'.repeat(20);
const SOURCE = 'cd'.repeat(20);

test('Tendermint policy: gossip within scope only; configured addresses exempt; local profile never learns the internet', () => {
  const strict = new TendermintPolicy();
  assert.equal(strict.admitAddress(a(`${ID}@203.0.113.5:26656`), SOURCE), false);
  assert.equal(strict.admitAddress(a(`${ID}@10.0.0.5:26656`), SOURCE), false);
  assert.equal(strict.admitAddress(a(`${ID}@8.8.8.8:26656`), SOURCE), true);
  assert.equal(strict.admitAddress(a(`${ID}@10.0.0.5:26656`), undefined), true);
  const local = new TendermintPolicy(localNetworkProfile);
  assert.equal(local.admitAddress(a(`${ID}@8.8.8.8:26656`), SOURCE), false);
  assert.equal(local.admitAddress(a(`${ID}@10.0.0.5:26656`), SOURCE), true);
  assert.equal(local.admitAddress(a(`${ID}@127.0.0.1:26656`), SOURCE), true);
  assert.equal(local.admitAddress(a(`${ID}@8.8.8.8:26656`), undefined), true);
});

test('Tendermint policy: a stored out-of-scope address is never dialed unless configured or persistent', () => {
  const local = new TendermintPolicy(localNetworkProfile);
  const record = { id: ID, addresses: [], inactive: false, mutableScore: 0 };
  const view = (policy: Record<string, unknown> | undefined, persistent = false) => ({
    id: ID,
    record: policy === undefined ? record : { ...record, policy },
    persistent,
    private: false,
    direction: undefined,
    ready: false,
    dialing: false,
    evicting: false,
    lastDisconnected: undefined,
  });
  const context = { now: 1_000, random: () => 0.5 };
  const publicAddress = { address: `${ID}@8.8.8.8:26656`, dialFailures: 0 };
  assert.equal(local.notBefore(view(undefined), publicAddress, context), Number.POSITIVE_INFINITY);
  assert.equal(local.notBefore(view({ configured: true }), publicAddress, context), 1_000);
  assert.equal(local.notBefore(view(undefined, true), publicAddress, context), 1_000);
  assert.equal(local.notBefore(view(undefined), { address: `${ID}@10.0.0.9:26656`, dialFailures: 0 }, context), 1_000);
  // Adding without a source marks the peer configured.
  const fields: Record<string, unknown> = {};
  assert.equal(local.observe(view(undefined), fields, { type: 'added', address: a(`${ID}@8.8.8.8:1`), source: undefined }), true);
  assert.equal(fields.configured, true);
});

test('Zebra policy: gossiped addresses within scope only; start-up peers exempt', () => {
  const gossiped = { kind: 'new-gossiped', services: 1n, untrustedLastSeen: 0 };
  const initial = { kind: 'new-initial' };
  const strict = new ZebraPolicy();
  assert.equal(strict.admitAddress(a('203.0.113.5:8233'), undefined, gossiped), false);
  assert.equal(strict.admitAddress(a('127.0.0.1:8233'), undefined, gossiped), false);
  assert.equal(strict.admitAddress(a('8.8.8.8:8233'), undefined, gossiped), true);
  assert.equal(strict.admitAddress(a('127.0.0.1:8233'), undefined, initial), true);
  const local = new ZebraPolicy(zebraLocalNetworkProfile);
  assert.equal(local.admitAddress(a('8.8.8.8:8233'), undefined, gossiped), false);
  assert.equal(local.admitAddress(a('10.0.0.7:8233'), undefined, gossiped), true);
  assert.equal(local.admitAddress(a('8.8.8.8:8233'), undefined, initial), true);
});
