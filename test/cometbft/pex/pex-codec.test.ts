// The PEX codec (docs/protocols/cometbft.md §5.2) against Go's vectors, its validity rules, a round-trip property and a
// decoder fuzz (only typed errors, whatever the bytes), plus the protobuf codec adapters it builds on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { NodeAddress } from '../../../src/core/node-address.ts';
import {
  MessageSchema as MempoolMessageSchema,
  TxsSchema,
} from '../../../src/cometbft/gen/cometbft/mempool/v1/types_pb.ts';
import { MessageSchema as PexMessageSchema } from '../../../src/cometbft/gen/cometbft/p2p/v1/pex_pb.ts';
import { isPexAddress, pexCodec, PexErrorCode } from '../../../src/cometbft/pex/index.ts';
import { protobufCodec, protobufOneofCodec } from '../../../src/cometbft/channels/protobuf-codec.ts';
import { fcRuns, fromHex, fuzzRuns, hex, loadVector } from '../wire/vectors.ts';

interface PexVectors {
  pex: { cases: { name: string; hex: string }[] };
}

const vectors = loadVector<PexVectors>('protobuf_message_vectors.json').pex.cases;
const id = (): string => NodeKey.generate().id;

describe('PEX codec', () => {
  it('encodes PexRequest as Go does (0a 00) and decodes it', () => {
    const want = vectors.find((v) => v.name === 'PexRequest')!.hex;
    assert.equal(hex(pexCodec.encode({ kind: 'request' })), want);
    assert.deepEqual(pexCodec.decode(fromHex(want)), { kind: 'request' });
  });

  it("Go's PexAddrs vector: our encoding of the same fields is byte-identical; its id '1' is refused with a ban", () => {
    const want = vectors.find((v) => v.name === 'PexAddrs')!.hex;
    const generic = protobufCodec(PexMessageSchema);
    const same = generic.encode(
      create(PexMessageSchema, {
        sum: { case: 'pexAddrs', value: { addrs: [{ id: '1', ip: '127.0.0.1', port: 9090 }] } },
      }),
    );
    assert.equal(hex(same), want);
    assert.throws(
      () => pexCodec.decode(fromHex(want)),
      (error) =>
        error instanceof PeerwireError &&
        error.code === PexErrorCode.InvalidAddress &&
        error.action === 'ban',
    );
  });

  it('sends only what a Go peer accepts: an ID, a textual IP, a TCP port', () => {
    const good: NodeAddress = { protocol: 'tcp', id: id(), host: '10.1.2.3', port: 26656 };
    const v6: NodeAddress = { protocol: 'tcp', id: id(), host: '2001:db8::1', port: 26656 };
    const skipped: NodeAddress[] = [
      { protocol: 'tcp', host: '10.1.2.4', port: 26656 },
      { protocol: 'tcp', id: id(), host: 'node.example.com', port: 26656 },
      { protocol: 'memory', id: id(), host: 'sim-1', port: 0 },
    ];
    for (const address of skipped) assert.equal(isPexAddress(address), false);
    const decoded = pexCodec.decode(
      pexCodec.encode({ kind: 'addresses', addresses: [good, ...skipped, v6] }),
    );
    assert.deepEqual(decoded, { kind: 'addresses', addresses: [good, v6] });
  });

  it('refuses a wrapper with no kind (disconnect) and bad entries (ban)', () => {
    assert.throws(
      () => pexCodec.decode(new Uint8Array(0)),
      (e) => e instanceof PeerwireError && e.code === ErrorCode.Malformed && e.action === 'disconnect',
    );
    const generic = protobufCodec(PexMessageSchema);
    for (const entry of [
      { id: id(), ip: 'not-an-ip', port: 1 },
      { id: id(), ip: '10.0.0.1', port: 70000 },
      { id: 'zz', ip: '10.0.0.1', port: 1 },
    ]) {
      const bytes = generic.encode(
        create(PexMessageSchema, { sum: { case: 'pexAddrs', value: { addrs: [entry] } } }),
      );
      assert.throws(
        () => pexCodec.decode(bytes),
        (e) => e instanceof PeerwireError && e.code === PexErrorCode.InvalidAddress && e.action === 'ban',
      );
    }
  });

  it('round-trips any list of valid addresses (property)', () => {
    const address = fc.record({
      id: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex')),
      host: fc.ipV4(),
      port: fc.integer({ min: 1, max: 65535 }),
    });
    fc.assert(
      fc.property(fc.array(address, { maxLength: 40, size: 'max' }), (entries) => {
        const addresses = entries.map((e): NodeAddress => ({ protocol: 'tcp', ...e }));
        assert.deepEqual(pexCodec.decode(pexCodec.encode({ kind: 'addresses', addresses })), {
          kind: 'addresses',
          addresses,
        });
      }),
      { numRuns: fcRuns(200) },
    );
  });

  it('decoding arbitrary bytes throws only PeerwireError (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), (bytes) => {
        try {
          pexCodec.decode(bytes);
        } catch (error) {
          assert.ok(error instanceof PeerwireError, String(error));
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('protobuf codec adapters', () => {
  it('protobufCodec round-trips and turns bad bytes into ERR_MALFORMED', () => {
    const codec = protobufCodec(MempoolMessageSchema);
    const message = create(MempoolMessageSchema, {
      sum: { case: 'txs', value: { txs: [Uint8Array.of(0x7b)] } },
    });
    assert.equal(hex(codec.encode(message)), '0a030a017b');
    assert.deepEqual(codec.decode(fromHex('0a030a017b')).sum.value?.txs, [Uint8Array.of(0x7b)]);
    assert.throws(
      () => codec.decode(Uint8Array.of(0x0a, 0x7f)),
      (e) => e instanceof PeerwireError && e.code === ErrorCode.Malformed,
    );
  });

  it('protobufOneofCodec exposes the inner case and refuses an empty wrapper', () => {
    const codec = protobufOneofCodec(MempoolMessageSchema);
    const bytes = codec.encode({ case: 'txs', value: create(TxsSchema, { txs: [Uint8Array.of(0x7b)] }) });
    assert.equal(hex(bytes), '0a030a017b');
    const decoded = codec.decode(bytes);
    assert.equal(decoded.case, 'txs');
    assert.deepEqual(decoded.value.txs, [Uint8Array.of(0x7b)]);
    assert.throws(
      () => codec.decode(new Uint8Array(0)),
      (e) => e instanceof PeerwireError && e.code === ErrorCode.Malformed,
    );
  });
});
