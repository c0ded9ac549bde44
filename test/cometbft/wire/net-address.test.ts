// Peer address parsing (`[scheme://]id@host:port`) against the Go case table, plus the pieces around
// it: SplitHostPort, canonical IP text, DNS resolution through an injected resolver, PEX entries.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import {
  canonicalIp,
  formatNetAddress,
  netAddressFromPex,
  parseNetAddress,
  resolveNetAddress,
  splitHostPort,
  toNodeAddress,
} from '../../../src/cometbft/wire/net-address.ts';
import { fcRuns, loadVector } from './vectors.ts';

interface Cases {
  readonly cases: readonly {
    readonly name: string;
    readonly input: string;
    readonly expect: string | null;
  }[];
}

const ID = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
const invalidAddress = (e: unknown): boolean =>
  e instanceof PeerwireError && e.code === ErrorCode.InvalidAddress;

for (const c of loadVector<Cases>('netaddress_parse_cases.json').cases) {
  test(`parse: ${c.name}`, () => {
    if (c.expect === null) assert.throws(() => parseNetAddress(c.input), invalidAddress);
    else assert.equal(formatNetAddress(parseNetAddress(c.input)), c.expect);
  });
}

test('IPv6, upper-case IDs, ports and names', () => {
  assert.equal(formatNetAddress(parseNetAddress(`${ID}@[::1]:26656`)), `${ID}@[::1]:26656`);
  assert.equal(formatNetAddress(parseNetAddress(`${ID}@[2001:0DB8:0:0::1]:1`)), `${ID}@[2001:db8::1]:1`);
  assert.equal(formatNetAddress(parseNetAddress(`${ID}@[::ffff:127.0.0.1]:5`)), `${ID}@127.0.0.1:5`);
  assert.equal(parseNetAddress(`${ID.toUpperCase()}@127.0.0.1:1`).id, ID);
  assert.equal(parseNetAddress(`${ID}@127.0.0.1:0`).port, 0);
  assert.equal(parseNetAddress(`${ID}@127.0.0.1:065535`).port, 65535);
  assert.deepEqual(parseNetAddress(`mconn://${ID}@node-1.example:26656`), {
    id: ID,
    host: 'node-1.example',
    port: 26656,
  });
  assert.deepEqual(toNodeAddress(parseNetAddress(`${ID}@10.0.0.1:7`)), {
    protocol: 'tcp',
    id: ID,
    host: '10.0.0.1',
    port: 7,
  });
  for (const bad of [
    `${ID}@::1:26656`,
    `${ID}@[::1]26656`,
    `${ID}@[::1`,
    `${ID}@127.0.0.1:+1`,
    `${ID}@127.0.0.1:`,
    `${ID}@a]b:1`,
    `${ID}@fe80::1%eth0:1`,
    `${ID}@[fe80::1%eth0]:1`,
    `${ID}@${ID}@127.0.0.1:1`,
    'x'.repeat(600),
  ]) {
    assert.throws(() => parseNetAddress(bad), invalidAddress, bad);
  }
});

test('splitHostPort follows Go', () => {
  assert.deepEqual(splitHostPort('a:1'), { host: 'a', port: '1' });
  assert.deepEqual(splitHostPort('[::1]:1'), { host: '::1', port: '1' });
  assert.deepEqual(splitHostPort(':1'), { host: '', port: '1' });
  assert.deepEqual(splitHostPort('a:'), { host: 'a', port: '' });
  for (const bad of ['a', '::1:1', '[::1]', '[::1]x:1', '[a]:1]', 'a[:1'])
    assert.equal(splitHostPort(bad), undefined, bad);
  assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
});

test('resolveNetAddress uses the first IP of the injected resolver', async () => {
  const signal = AbortSignal.timeout(10_000);
  const named = parseNetAddress(`${ID}@seed.example:26656`);
  const resolved = await resolveNetAddress(named, signal, async () => ['not-an-ip', '::1', '127.0.0.1']);
  assert.equal(formatNetAddress(resolved), `${ID}@[::1]:26656`);
  const literal = parseNetAddress(`${ID}@127.0.0.1:1`);
  assert.equal(
    await resolveNetAddress(literal, signal, async () => assert.fail('no lookup for literals')),
    literal,
  );
  await assert.rejects(
    resolveNetAddress(named, signal, async () => []),
    invalidAddress,
  );
  await assert.rejects(
    resolveNetAddress(named, signal, async () => {
      throw new Error('ENOTFOUND');
    }),
    invalidAddress,
  );
  const aborted = AbortSignal.abort();
  await assert.rejects(
    resolveNetAddress(named, aborted, async () => ['127.0.0.1']),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.Aborted,
  );
});

test('PEX entries: textual IP, port < 65536, valid ID', () => {
  assert.deepEqual(netAddressFromPex({ id: ID, ip: '127.0.0.1', port: 9090 }), {
    id: ID,
    host: '127.0.0.1',
    port: 9090,
  });
  assert.throws(() => netAddressFromPex({ id: '1', ip: '127.0.0.1', port: 9090 }), invalidAddress);
  assert.throws(() => netAddressFromPex({ id: ID, ip: 'localhost', port: 9090 }), invalidAddress);
  assert.throws(() => netAddressFromPex({ id: ID, ip: '127.0.0.1', port: 65536 }), invalidAddress);
});

test('property: parse never throws anything but PeerwireError; format/parse round trip', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120, size: 'max' }), (text) => {
      try {
        const parsed = parseNetAddress(text);
        assert.deepEqual(parseNetAddress(formatNetAddress(parsed)), parsed);
      } catch (error) {
        assert.ok(error instanceof PeerwireError);
      }
    }),
    { numRuns: fcRuns(2000) },
  );
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 65535 }), (ip, port) => {
      const text = ip.includes(':') ? `${ID}@[${ip}]:${port}` : `${ID}@${ip}:${port}`;
      const parsed = parseNetAddress(text);
      assert.deepEqual(parseNetAddress(formatNetAddress(parsed)), parsed);
    }),
    { numRuns: fcRuns(500) },
  );
});
