// Address classes and group keys: the basis of the one-outbound-per-group rule and the strict book.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeAddress } from '../../../src/core/node-address.ts';
import {
  addressGroup,
  canonicalIp,
  classifyAddress,
  ipBytes,
  isRoutable,
} from '../../../src/engine/peers/address-group.ts';

const a = (text: string) => parseNodeAddress(text);

describe('address classes', () => {
  const cases: [string, string][] = [
    ['8.8.8.8:1', 'routable'],
    ['127.0.0.1:1', 'loopback'],
    ['127.9.3.4:1', 'loopback'],
    ['10.1.2.3:1', 'private'],
    ['172.16.0.1:1', 'private'],
    ['172.31.255.1:1', 'private'],
    ['172.32.0.1:1', 'routable'],
    ['192.168.1.1:1', 'private'],
    ['100.64.0.1:1', 'private'],
    ['169.254.1.1:1', 'private'],
    ['0.0.0.0:1', 'unroutable'],
    ['192.0.2.1:1', 'unroutable'],
    ['198.51.100.7:1', 'unroutable'],
    ['203.0.113.7:1', 'unroutable'],
    ['198.19.0.1:1', 'unroutable'],
    ['224.0.0.1:1', 'unroutable'],
    ['255.255.255.255:1', 'unroutable'],
    ['[::1]:1', 'loopback'],
    ['[::]:1', 'unroutable'],
    ['[fc00::1]:1', 'private'],
    ['[fd12:3456::1]:1', 'private'],
    ['[fe80::1]:1', 'private'],
    ['[ff02::1]:1', 'unroutable'],
    ['[2001:db8::1]:1', 'unroutable'],
    ['[2a00:1450:4001::1]:1', 'routable'],
    ['[::ffff:10.0.0.1]:1', 'private'],
    ['[::ffff:8.8.4.4]:1', 'routable'],
    ['[2002:0a00:0001::1]:1', 'private'],
    ['seed.example.com:1', 'name'],
    ['memory:node-a', 'memory'],
  ];
  for (const [text, kind] of cases) {
    it(`${text} is ${kind}`, () => assert.equal(classifyAddress(a(text)), kind));
  }
});

describe('address groups', () => {
  it('groups IPv4 by /16 and IPv6 by /32', () => {
    assert.equal(addressGroup(a('8.8.8.8:1')), 'ipv4:8.8');
    assert.equal(addressGroup(a('8.8.200.1:1')), addressGroup(a('8.8.8.8:1')));
    assert.notEqual(addressGroup(a('8.9.8.8:1')), addressGroup(a('8.8.8.8:1')));
    assert.equal(addressGroup(a('[2a00:1450:4001::1]:1')), 'ipv6:2a00:1450');
    assert.equal(addressGroup(a('[2a00:1450:ffff::2]:1')), 'ipv6:2a00:1450');
  });

  it('groups IPv4-mapped and 6to4 addresses with the IPv4 they carry', () => {
    assert.equal(addressGroup(a('[::ffff:8.8.4.4]:1')), 'ipv4:8.8');
    assert.equal(addressGroup(a('[2002:0808:0404::1]:1')), 'ipv4:8.8');
  });

  it('puts non-routable addresses in literal groups unless loopback is routable', () => {
    assert.equal(addressGroup(a('127.0.0.1:1')), 'local');
    assert.equal(addressGroup(a('10.0.0.1:1')), 'local');
    assert.equal(addressGroup(a('192.0.2.1:1')), 'unroutable');
    assert.equal(addressGroup(a('127.0.0.1:1'), { loopbackRoutable: true }), 'ipv4:127.0');
    assert.equal(addressGroup(a('127.9.0.1:1'), { loopbackRoutable: true }), 'ipv4:127.9');
  });

  it('groups names and memory endpoints by name', () => {
    assert.equal(addressGroup(a('Seed.Example.com.:1')), 'name:seed.example.com');
    assert.equal(addressGroup(a('memory:x')), 'memory:x');
  });

  it('routability follows the class and the loopback switch', () => {
    assert.equal(isRoutable(a('8.8.8.8:1')), true);
    assert.equal(isRoutable(a('127.0.0.1:1')), false);
    assert.equal(isRoutable(a('127.0.0.1:1'), { loopbackRoutable: true }), true);
    assert.equal(isRoutable(a('10.0.0.1:1'), { loopbackRoutable: true }), false);
    assert.equal(isRoutable(a('memory:x')), true);
  });
});

describe('IP parsing', () => {
  it('expands IPv6 forms and canonicalises mapped IPv4', () => {
    assert.deepEqual([...ipBytes('::1')!], [...new Uint8Array(15), 1]);
    assert.equal(canonicalIp('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(canonicalIp('2001:DB8::1'), '2001:db8:0:0:0:0:0:1');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80:0:0:0:0:0:0:1');
    assert.equal(canonicalIp('1::'), '1:0:0:0:0:0:0:0');
    assert.equal(canonicalIp('not-an-ip'), undefined);
  });
});

describe('address facts cache', () => {
  it('answers stay right after more distinct hosts than the cache holds (it clears, never grows past its bound)', () => {
    // 20,000 distinct hosts is more than the 16,384 the cache keeps: it clears at least once.
    const first = a('10.0.0.1:1');
    assert.equal(classifyAddress(first), 'private');
    for (let i = 0; i < 20_000; i++) {
      const host = `8.${(i >> 8) & 0xff}.${i & 0xff}.${1 + (i >> 16)}`;
      assert.equal(classifyAddress({ protocol: 'tcp', host, port: 1 }), 'routable');
      assert.equal(addressGroup({ protocol: 'tcp', host, port: 1 }), `ipv4:8.${(i >> 8) & 0xff}`);
    }
    assert.equal(classifyAddress(first), 'private');
    assert.equal(addressGroup(first), 'local');
    assert.equal(addressGroup(first, { privateRoutable: true }), 'ipv4:10.0');
  });
});
