// Node addresses: parse/format round trips for every written form (`id@host:port`,
// `tcp://id@host:port`, `host:port`, `[::1]:8233`, `memory:name`, `id@memory:name`), typed rejection
// of bad IDs, ports and hosts, and the parser never throwing anything but a PeerwireError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import {
  MAX_ADDRESS_TEXT,
  formatNodeAddress,
  parseNodeAddress,
  peerIdOf,
  type NodeAddress,
} from '../../src/core/node-address.ts';

const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const ID = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
const isInvalid = (e: unknown): boolean => e instanceof PeerwireError && e.code === ErrorCode.InvalidAddress;

const cases: [text: string, address: NodeAddress, canonical: string][] = [
  [
    `${ID}@127.0.0.1:26656`,
    { protocol: 'tcp', id: ID, host: '127.0.0.1', port: 26656 },
    `${ID}@127.0.0.1:26656`,
  ],
  [
    `tcp://${ID}@127.0.0.1:26656`,
    { protocol: 'tcp', id: ID, host: '127.0.0.1', port: 26656 },
    `${ID}@127.0.0.1:26656`,
  ],
  [
    `${ID.toUpperCase()}@seed.example.com:26656`,
    { protocol: 'tcp', id: ID, host: 'seed.example.com', port: 26656 },
    `${ID}@seed.example.com:26656`,
  ],
  ['127.0.0.1:8233', { protocol: 'tcp', host: '127.0.0.1', port: 8233 }, '127.0.0.1:8233'],
  [
    'mainnet.seeder.zfnd.org:8233',
    { protocol: 'tcp', host: 'mainnet.seeder.zfnd.org', port: 8233 },
    'mainnet.seeder.zfnd.org:8233',
  ],
  ['[::1]:8233', { protocol: 'tcp', host: '::1', port: 8233 }, '[::1]:8233'],
  [
    `${ID}@[2001:db8::7]:26656`,
    { protocol: 'tcp', id: ID, host: '2001:db8::7', port: 26656 },
    `${ID}@[2001:db8::7]:26656`,
  ],
  ['memory:node-1', { protocol: 'memory', host: 'node-1', port: 0 }, 'memory:node-1'],
  [`${ID}@memory:node-1`, { protocol: 'memory', id: ID, host: 'node-1', port: 0 }, `${ID}@memory:node-1`],
  ['memory://a.b:c', { protocol: 'memory', host: 'a.b:c', port: 0 }, 'memory:a.b:c'],
  [
    `udp://${ID}@127.0.0.1:1`,
    { protocol: 'udp', id: ID, host: '127.0.0.1', port: 1 },
    `udp://${ID}@127.0.0.1:1`,
  ],
  [' 127.0.0.1:65535 ', { protocol: 'tcp', host: '127.0.0.1', port: 65535 }, '127.0.0.1:65535'],
  ['tcp://memory:6', { protocol: 'tcp', host: 'memory', port: 6 }, 'tcp://memory:6'],
];

test('every written form parses to its address and formats to its canonical text', () => {
  for (const [text, address, canonical] of cases) {
    assert.deepEqual(parseNodeAddress(text), address, text);
    assert.equal(formatNodeAddress(address), canonical, text);
    assert.deepEqual(parseNodeAddress(canonical), address, `${text}: canonical text parses back`);
  }
});

test('the default protocol applies to unprefixed addresses', () => {
  assert.deepEqual(parseNodeAddress('127.0.0.1:1', 'quic'), { protocol: 'quic', host: '127.0.0.1', port: 1 });
  assert.equal(parseNodeAddress('memory:x', 'quic').protocol, 'memory');
});

test('peerIdOf is the node ID when there is one, otherwise the canonical address', () => {
  assert.equal(peerIdOf(parseNodeAddress(`tcp://${ID}@127.0.0.1:26656`)), ID);
  assert.equal(peerIdOf(parseNodeAddress('[::1]:08233')), '[::1]:8233');
});

test('bad IDs, ports and hosts are rejected with ERR_INVALID_ADDRESS', () => {
  const bad = [
    '',
    ' ',
    'x'.repeat(MAX_ADDRESS_TEXT + 1),
    // IDs
    'deadbeef@127.0.0.1:26656',
    `${ID}0@127.0.0.1:26656`,
    `xxxx${ID.slice(4)}@127.0.0.1:26656`,
    `tcp://@127.0.0.1:26656`,
    `@127.0.0.1:1`,
    `${ID}@${ID}@127.0.0.1:1`,
    // ports
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:123456',
    '127.0.0.1:notaport',
    '127.0.0.1:-1',
    '127.0.0.1:1e3',
    '[::1]',
    '[::1]:',
    '[::1]8233',
    '8082',
    // hosts
    ':8233',
    '::1:8233',
    '[1.2.3.4]:80',
    '[not-ipv6]:80',
    '-leading-hyphen.example:1',
    'under score!.example:1',
    'a..b:1',
    `${'a'.repeat(64)}.example:1`,
    'tcp//127.0.0.1:8080',
    'tcp://:26656',
    // memory names
    'memory:',
    'memory:has space',
    `memory:${'n'.repeat(129)}`,
    'memory:a/b',
  ];
  for (const text of bad) assert.throws(() => parseNodeAddress(text), isInvalid, JSON.stringify(text));
});

test('the error message quotes at most 80 characters of the input', () => {
  try {
    parseNodeAddress(`${'z'.repeat(300)}:0`);
    assert.fail('must throw');
  } catch (error) {
    assert.ok(isInvalid(error));
    assert.ok((error as Error).message.length < 200);
  }
});

const addressArb: fc.Arbitrary<NodeAddress> = fc.oneof(
  fc
    .record({
      id: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: undefined }),
      host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
      port: fc.integer({ min: 1, max: 65535 }),
      protocol: fc.constantFrom('tcp', 'udp', 'quic'),
    })
    .map(({ id, host, port, protocol }) =>
      id === undefined ? { protocol, host, port } : { protocol, id, host, port },
    ),
  fc
    .record({
      id: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: undefined }),
      name: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/, { size: 'max' }),
    })
    .map(({ id, name }) =>
      id === undefined
        ? { protocol: 'memory', host: name, port: 0 }
        : { protocol: 'memory', id, host: name, port: 0 },
    ),
);

test('format then parse returns the same address (property)', () => {
  fc.assert(
    fc.property(addressArb, (address) => {
      assert.deepEqual(parseNodeAddress(formatNodeAddress(address)), address);
    }),
    { numRuns: FC_RUNS },
  );
});

test('parse never throws anything but ERR_INVALID_ADDRESS, and what parses has a stable canonical form', () => {
  const piece = fc.constantFrom(
    ...'0123456789abcdefABx:.@[]/%-_ '.split(''),
    'tcp://',
    'memory:',
    '::1',
    `${ID}@`,
    '127.0.0.1',
    ':8233',
  );
  const input = fc.oneof(
    fc.string({ maxLength: 60, size: 'max' }),
    fc.string({ unit: piece, maxLength: 12, size: 'max' }),
    fc.string({ unit: 'binary', maxLength: 40, size: 'max' }),
  );
  fc.assert(
    fc.property(input, (text) => {
      let address: NodeAddress;
      try {
        address = parseNodeAddress(text);
      } catch (error) {
        assert.ok(isInvalid(error), `threw ${String(error)}`);
        return;
      }
      const canonical = formatNodeAddress(address);
      assert.deepEqual(parseNodeAddress(canonical), address);
      assert.equal(formatNodeAddress(parseNodeAddress(canonical)), canonical);
    }),
    { numRuns: FUZZ_RUNS },
  );
});
