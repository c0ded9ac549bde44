// Decoder robustness: random and mutated input never throws anything but a `disconnect`
// PeerwireError, decoded lists never exceed what the input bytes can hold, and the streaming decoder
// holds at most about twice the bytes it received whatever the headers claim. Run count from
// FUZZ_RUNS (default 10,000).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  DECODE_ONLY_COMMANDS,
  ENCODABLE_COMMANDS,
  type KnownCommand,
  ZCASH_MAINNET,
  ZcashCodec,
  type ZcashMessage,
  decodeMessageBody,
  sha256d,
  writeFrameHeader,
} from '../../../src/zcash/index.ts';
import { fuzzRuns, hex, loadHexFile, loadJson } from './vectors.ts';

const COMMANDS: KnownCommand[] = [...ENCODABLE_COMMANDS, ...DECODE_ONLY_COMMANDS];
const CTX = { protocolVersion: 170160 };

function assertPeerwire(err: unknown): void {
  if (!(err instanceof PeerwireError))
    throw new Error(`decoder threw a non-PeerwireError: ${String(err)}`, { cause: err });
  assert.equal(err.action, 'disconnect', err.message);
}

/** Items a decoded message holds, each of which needs at least this many input bytes. */
function itemCount(m: ZcashMessage): { items: number; minBytes: number } {
  switch (m.command) {
    case 'addr':
      return { items: m.addrs.length, minBytes: 30 };
    case 'addrv2':
      return { items: m.addrs.length + m.skipped, minBytes: 9 };
    case 'inv':
    case 'getdata':
    case 'notfound':
      return { items: m.items.length, minBytes: 36 };
    case 'getblocks':
    case 'getheaders':
      return { items: m.locator.length, minBytes: 32 };
    case 'headers':
      return { items: m.headers.length, minBytes: 178 };
    default:
      return { items: 0, minBytes: 1 };
  }
}

/** Valid bodies to mutate, from the vectors. */
function seedBodies(): [KnownCommand, Uint8Array][] {
  const seeds: [KnownCommand, Uint8Array][] = [];
  const codec = loadJson<{ cases: { name: string; frame?: string; body?: string }[] }>(
    'zebra-codec-messages.json',
  );
  for (const c of codec.cases) {
    if (c.frame === undefined) continue;
    const f = hex(c.frame);
    const name = Buffer.from(f.subarray(4, 16)).toString('latin1').replace(/\0+$/, '');
    if ((COMMANDS as string[]).includes(name)) seeds.push([name as KnownCommand, f.subarray(24)]);
  }
  for (const file of ['zebra-addr-v1.json', 'zebra-addr-v2.json']) {
    const v = loadJson<{ ip_vectors: { payload_hex: string }[] }>(file);
    for (const c of v.ip_vectors) seeds.push([file.includes('v2') ? 'addrv2' : 'addr', hex(c.payload_hex)]);
  }
  seeds.push(['block', loadHexFile('blocks/main-0-000-001.hex')]);
  const v5 = loadJson<{ vectors: { tx_hex: string }[] }>('transactions/zip244-v5-txids.json');
  for (const v of v5.vectors.slice(0, 4)) seeds.push(['tx', hex(v.tx_hex)]);
  seeds.push(['tx', hex(loadJson<{ tx_hex: string }>('transactions/generic-testnet-v4-tx.json').tx_hex)]);
  return seeds;
}

function decodeBody(command: KnownCommand, body: Uint8Array): void {
  try {
    const m = decodeMessageBody(command, body, CTX);
    const { items, minBytes } = itemCount(m);
    assert.ok(items * minBytes <= body.length, `${command}: ${items} items from ${body.length} bytes`);
  } catch (err) {
    assertPeerwire(err);
  }
}

describe('zcash decoder fuzzing', () => {
  it('random bodies for every command throw only PeerwireError and stay input-proportional', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...COMMANDS),
        fc.uint8Array({ maxLength: 400, size: 'max' }),
        (command, body) => decodeBody(command, body),
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('mutated valid bodies throw only PeerwireError', () => {
    const seeds = seedBodies();
    const mutation = fc.record({
      seed: fc.nat({ max: seeds.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extra: fc.uint8Array({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, extra }) => {
        const [command, original] = seeds[seed]!;
        let body = original.slice();
        for (const f of flips) body[f.at % Math.max(1, body.length)] = f.value;
        if (cut !== undefined) body = body.subarray(0, cut % (body.length + 1));
        body = new Uint8Array([...body, ...extra]);
        decodeBody(command, body);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('random and mutated frame streams fed in random chunks throw only PeerwireError with bounded memory', () => {
    const seeds = seedBodies().filter(([, b]) => b.length <= 2000);
    const frameOf = (command: string, body: Uint8Array) => {
      const out = new Uint8Array(24 + body.length);
      writeFrameHeader(out, 0, ZCASH_MAINNET.magic, command, body.length, sha256d(body));
      out.set(body, 24);
      return out;
    };
    const stream = fc.oneof(
      fc
        .uint8Array({ maxLength: 300, size: 'max' })
        .map((b) => new Uint8Array([...ZCASH_MAINNET.magic, ...b])),
      fc
        .record({
          picks: fc.array(fc.nat({ max: seeds.length - 1 }), { minLength: 1, maxLength: 4 }),
          flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
            maxLength: 3,
          }),
        })
        .map(({ picks, flips }) => {
          const bytes = Buffer.concat(picks.map((i) => frameOf(seeds[i]![0], seeds[i]![1])));
          for (const f of flips) bytes[f.at % bytes.length] = f.value;
          return new Uint8Array(bytes);
        }),
    );
    fc.assert(
      fc.property(
        stream,
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (bytes, sizes, handshakeDone) => {
          const codec = new ZcashCodec({ network: ZCASH_MAINNET });
          if (handshakeDone) codec.completeHandshake(170160);
          let offset = 0;
          let i = 0;
          try {
            while (offset < bytes.length) {
              const n = sizes[i++ % sizes.length]!;
              codec.push(bytes.subarray(offset, offset + n));
              offset += n;
              while (codec.next() !== undefined);
              assert.ok(codec.retainedBytes <= 2 * Math.min(offset, bytes.length) + 4096 + 24);
            }
          } catch (err) {
            assertPeerwire(err);
          }
        },
      ),
      { numRuns: Math.max(1, Math.floor(fuzzRuns() / 5)) },
    );
  });

  it('headers claiming large bodies hold memory proportional to the bytes received', () => {
    const codec = new ZcashCodec({ network: ZCASH_MAINNET });
    codec.completeHandshake(170160);
    const header = new Uint8Array(24);
    header.set(ZCASH_MAINNET.magic);
    header.set(Buffer.from('block'), 4);
    new DataView(header.buffer).setUint32(16, 2 * 1024 * 1024, true);
    codec.push(header);
    assert.equal(codec.next(), undefined);
    for (let i = 0; i < 100; i++) {
      codec.push(new Uint8Array(10));
      assert.equal(codec.next(), undefined);
    }
    assert.ok(codec.retainedBytes <= 4096 + 24, `retained ${codec.retainedBytes}`);
    assert.equal(codec.bufferedBytes, 1000);
  });
});
