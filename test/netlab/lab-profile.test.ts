// The node-side pieces the network lab relies on, tested without namespaces: the lab profile (private
// addresses grouped by /16, only private and loopback addresses admitted, on both policies), the
// clock offset behind the clock-skew scenario, and the two config keys that turn them on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, OffsetClock } from '../../src/core/clock.ts';
import { parseNodeAddress } from '../../src/core/node-address.ts';
import { PeerwireError } from '../../src/core/errors.ts';
import { ERR_CONFIG_INVALID, loadConfig, validateConfig } from '../../src/cli/config.ts';
import { addressGroup, isPrivateOrLoopback, isRoutable } from '../../src/engine/peers/address-group.ts';
import { labNetworkProfile, TendermintPolicy } from '../../src/engine/peers/tendermint-policy.ts';
import { ZebraPolicy, zebraLabNetworkProfile } from '../../src/zcash/policy/zebra-policy.ts';

const ID = 'a'.repeat(40);

test('privateRoutable groups private addresses by /16 and counts them routable; default keeps them local', () => {
  const a = parseNodeAddress('10.201.0.2:26656');
  const b = parseNodeAddress('10.201.7.9:26656');
  const c = parseNodeAddress('10.202.0.2:26656');
  assert.equal(addressGroup(a), 'local');
  assert.equal(isRoutable(a), false);
  assert.equal(addressGroup(a, { privateRoutable: true }), 'ipv4:10.201');
  assert.equal(addressGroup(b, { privateRoutable: true }), 'ipv4:10.201');
  assert.equal(addressGroup(c, { privateRoutable: true }), 'ipv4:10.202');
  assert.equal(isRoutable(a, { privateRoutable: true }), true);
  assert.equal(isPrivateOrLoopback(a), true);
  assert.equal(isPrivateOrLoopback(parseNodeAddress('127.0.0.1:1')), true);
  assert.equal(isPrivateOrLoopback(parseNodeAddress('8.8.8.8:1')), false);
  assert.equal(isPrivateOrLoopback(parseNodeAddress('seed.example.org:1')), false);
});

test('CometBFT lab profile: one outbound per private /16, gossiped private addresses admitted, nothing public', () => {
  const policy = new TendermintPolicy(labNetworkProfile);
  assert.equal(policy.maxOutboundPerGroup('ipv4:10.201'), 1);
  assert.equal(policy.addressGroup(parseNodeAddress(`${ID}@10.201.0.2:26656`)), 'ipv4:10.201');
  assert.equal(policy.admitAddress(parseNodeAddress(`${ID}@10.201.0.2:26656`), 'b'.repeat(40)), true);
  // Neither gossip nor the operator can make a lab node dial out of the lab.
  assert.equal(policy.admitAddress(parseNodeAddress(`${ID}@8.8.8.8:26656`), 'b'.repeat(40)), false);
  assert.equal(policy.admitAddress(parseNodeAddress(`${ID}@8.8.8.8:26656`), undefined), false);
  assert.equal(policy.admitAddress(parseNodeAddress(`${ID}@seed.example.org:26656`), undefined), false);
  // The default profile still refuses gossiped private addresses.
  assert.equal(new TendermintPolicy().admitAddress(parseNodeAddress(`${ID}@10.201.0.2:26656`), 'b'.repeat(40)), false);
});

test('Zebra lab profile: one connection per IP kept, only private and loopback addresses admitted', () => {
  const policy = new ZebraPolicy(zebraLabNetworkProfile);
  assert.equal(policy.options.maxConnectionsPerIp, 1);
  assert.equal(policy.options.reconnectionDelay, 1000);
  assert.equal(policy.admitAddress(parseNodeAddress('10.201.0.2:8233'), undefined), true);
  assert.equal(policy.admitAddress(parseNodeAddress('127.0.0.1:8233'), undefined), true);
  assert.equal(policy.admitAddress(parseNodeAddress('20.0.0.4:8233'), undefined), false);
  assert.equal(new ZebraPolicy().admitAddress(parseNodeAddress('20.0.0.4:8233'), undefined), true);
});

test('OffsetClock shifts now() only; timers keep the base clock', async () => {
  const base = new ManualClock(1_000_000);
  const ahead = new OffsetClock(base, 600_000);
  const behind = new OffsetClock(base, -600_000);
  assert.equal(ahead.now(), 1_600_000);
  assert.equal(behind.now(), 400_000);
  let fired = false;
  ahead.setTimer(50, () => (fired = true));
  await base.advance(49);
  assert.equal(fired, false);
  await base.advance(1);
  assert.equal(fired, true);
});

test('lab_network and clock_offset config keys: negative offsets from text, bounds, one profile only', async () => {
  const config = await loadConfig({ env: { PEERWIRE_WIRE: 'zcash', PEERWIRE_LAB_NETWORK: 'true', PEERWIRE_CLOCK_OFFSET: '-600' } });
  assert.equal(config.lab_network, true);
  assert.equal(config.clock_offset, -600);
  assert.equal(validateConfig({ wire: 'zcash' }).clock_offset, 0);
  const refused = (raw: Record<string, unknown>, pattern: RegExp): void =>
    assert.throws(
      () => validateConfig(raw),
      (error: unknown) => error instanceof PeerwireError && error.code === ERR_CONFIG_INVALID && pattern.test(error.message),
    );
  refused({ wire: 'zcash', clock_offset: 100_000 }, /clock_offset/);
  refused({ wire: 'zcash', clock_offset: 1.5 }, /clock_offset/);
  refused({ wire: 'zcash', lab_network: true, local_network: true }, /two different profiles/);
});
