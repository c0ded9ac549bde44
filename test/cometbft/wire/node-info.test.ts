// NodeInfo: the derived handshake vector byte for byte, Validate and CompatibleWith case tables, the
// identity checks, the 10,240-byte cap and a decoder fuzz.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import {
  BLOCK_PROTOCOL,
  MAX_NODE_INFO_SIZE,
  decodeNodeInfo,
  encodeNodeInfo,
  encodeNodeInfoDelimited,
  nodeInfoReader,
  nodeInfoToPeerInfo,
  readNodeInfo,
  type NodeInfo,
} from '../../../src/cometbft/wire/node-info.ts';
import {
  NodeInfoErrorCode,
  acceptRemoteNodeInfo,
  checkNodeInfoCompatible,
  isNodeInfoCompatible,
  validateNodeInfo,
  validateNodeInfoResolving,
} from '../../../src/cometbft/wire/node-info-validation.ts';
import { fcRuns, fromHex, fuzzRuns, hex, loadVector } from './vectors.ts';

interface Derived {
  readonly nodes: Record<'A' | 'B', { readonly node_id: string; readonly node_info_delimited: string }>;
}
interface Tables {
  readonly validate: {
    readonly cases: readonly { name: string; change: Record<string, unknown>; expect_error: boolean }[];
  };
  readonly compatible: {
    readonly cases: readonly {
      name: string;
      change_on_peer: Record<string, unknown>;
      expect_compatible: boolean;
    }[];
  };
}

const derived = loadVector<Derived>('secret_connection_handshake_derived.json');
const tables = loadVector<Tables>('node_info_validation_cases.json');

const ID_A = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
const ID_B = '0123456789abcdef0123456789abcdef01234567';
const CHAIN = 'test-chain-Xy3Pq';

function base(id = ID_A): NodeInfo {
  return {
    protocolVersion: { p2p: 8n, block: 11n, app: 0n },
    id,
    listenAddr: '127.0.0.1:26656',
    network: CHAIN,
    version: '1.2.3-rc0-deadbeef',
    channels: fromHex('000102030405060708090a0b0c0d0e0f'),
    moniker: 'testing',
    other: { txIndex: 'on', rpcAddress: '127.0.0.1:26657' },
  };
}

/** Applies a case's `change` (dotted paths, channels_hex, `<chain id>` placeholder). */
function apply(info: NodeInfo, change: Record<string, unknown>): NodeInfo {
  let out: NodeInfo = info;
  for (const [key, raw] of Object.entries(change)) {
    const value = typeof raw === 'string' ? raw.replace('<chain id>', CHAIN) : raw;
    switch (key) {
      case 'channels_hex':
        out = { ...out, channels: fromHex(value as string) };
        break;
      case 'listen_addr':
        out = { ...out, listenAddr: value as string };
        break;
      case 'version':
      case 'moniker':
      case 'network':
        out = { ...out, [key]: value as string };
        break;
      case 'other.tx_index':
        out = { ...out, other: { ...out.other, txIndex: value as string } };
        break;
      case 'other.rpc_address':
        out = { ...out, other: { ...out.other, rpcAddress: value as string } };
        break;
      case 'protocol_version.block':
        out = { ...out, protocolVersion: { ...out.protocolVersion, block: BigInt(value as number) } };
        break;
      default:
        assert.fail(`unhandled change ${key}`);
    }
  }
  return out;
}

test('the derived NodeInfo vectors decode and re-encode byte for byte', () => {
  for (const name of ['A', 'B'] as const) {
    const node = derived.nodes[name];
    const reader = nodeInfoReader();
    reader.push(fromHex(node.node_info_delimited + '020a00')); // a ping right behind it stays in the reader
    const info = readNodeInfo(reader);
    assert.ok(info !== undefined);
    assert.equal(info.id, node.node_id);
    assert.deepEqual(info.protocolVersion, { p2p: 8n, block: BLOCK_PROTOCOL, app: 0n });
    assert.equal(info.network, 'test-chain-vectors');
    assert.equal(hex(info.channels), '402021222330386061' + '00');
    assert.equal(info.other.txIndex, 'on');
    assert.equal(hex(encodeNodeInfoDelimited(info)), node.node_info_delimited);
    assert.deepEqual(reader.takeRemaining().map(hex), ['020a00']);
    validateNodeInfo(info);
  }
  const a = decodeNodeInfo(fromHex(derived.nodes.A.node_info_delimited).subarray(2));
  const b = decodeNodeInfo(fromHex(derived.nodes.B.node_info_delimited).subarray(2));
  acceptRemoteNodeInfo(a, b, { authenticatedId: b.id, dialedId: b.id });
  const peer = nodeInfoToPeerInfo(b);
  assert.equal(peer.listenAddress, `${b.id}@127.0.0.1:26666`);
  assert.deepEqual(peer.channels, [0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00]);
});

test('empty sub-messages are always emitted, as Go does', () => {
  const info: NodeInfo = {
    protocolVersion: { p2p: 0n, block: 0n, app: 0n },
    id: '',
    listenAddr: '',
    network: '',
    version: '',
    channels: new Uint8Array(0),
    moniker: '',
    other: { txIndex: '', rpcAddress: '' },
  };
  assert.equal(hex(encodeNodeInfo(info)), '0a00' + '4200');
  assert.deepEqual(decodeNodeInfo(new Uint8Array(0)), info);
});

for (const c of tables.validate.cases) {
  test(`validate: ${c.name}`, () => {
    validateNodeInfo(base());
    const info = apply(base(), c.change);
    if (c.expect_error) {
      assert.throws(
        () => validateNodeInfo(info),
        (e: unknown) => e instanceof PeerwireError && e.code === NodeInfoErrorCode.Invalid,
      );
    } else {
      validateNodeInfo(info);
    }
  });
}

test('validate: more rules of §4.3', () => {
  const bad = (change: Partial<NodeInfo>): void =>
    assert.throws(
      () => validateNodeInfo({ ...base(), ...change }),
      (e: unknown) => e instanceof PeerwireError && e.code === NodeInfoErrorCode.Invalid,
    );
  bad({ id: 'DEADBEEF' });
  bad({ id: 'zz' + ID_A.slice(2) });
  bad({ listenAddr: 'tcp://0.0.0.0' });
  bad({ listenAddr: '127.0.0.1:65536' });
  bad({ version: 'a\tb' });
  bad({ moniker: 'x\u007f' });
  validateNodeInfo({ ...base(), listenAddr: 'tcp://0.0.0.0:26656' });
  validateNodeInfo({ ...base(), listenAddr: '[::1]:26656' });
  validateNodeInfo({ ...base(), listenAddr: 'node.example:26656' }); // a name passes on syntax alone
  validateNodeInfo({ ...base(), channels: new Uint8Array(0) });
  validateNodeInfo({ ...base(), version: ' 1 ' });
});

test('validateNodeInfoResolving looks the listen_addr host up', async () => {
  const signal = AbortSignal.timeout(10_000);
  await validateNodeInfoResolving({ ...base(), listenAddr: 'node.example:26656' }, signal, async () => [
    '127.0.0.1',
  ]);
  await assert.rejects(
    validateNodeInfoResolving({ ...base(), listenAddr: 'notahost:26656' }, signal, async () => {
      throw new Error('ENOTFOUND');
    }),
    (e: unknown) => e instanceof PeerwireError && e.code === NodeInfoErrorCode.Invalid,
  );
});

for (const c of tables.compatible.cases) {
  test(`compatible: ${c.name}`, () => {
    const ours = { ...base(ID_A), channels: fromHex('01') };
    const theirs = apply({ ...base(ID_B), channels: fromHex('01') }, c.change_on_peer);
    assert.equal(isNodeInfoCompatible(ours, theirs), c.expect_compatible);
  });
}

test('compatibility: p2p/app/version are not compared; no channels of ours means any peer', () => {
  const ours = base(ID_A);
  checkNodeInfoCompatible(ours, {
    ...base(ID_B),
    protocolVersion: { p2p: 9n, block: 11n, app: 77n },
    version: 'x',
  });
  checkNodeInfoCompatible(
    { ...ours, channels: new Uint8Array(0) },
    { ...base(ID_B), channels: fromHex('55') },
  );
  assert.throws(
    () => checkNodeInfoCompatible(ours, { ...base(ID_B), network: 'other' }),
    /peer is on a different network. Got other, expected test-chain-Xy3Pq/,
  );
});

test('acceptRemoteNodeInfo: ID must match the authenticated and dialed IDs and not be ours', () => {
  const ours = base(ID_A);
  const theirs = base(ID_B);
  acceptRemoteNodeInfo(ours, theirs, { authenticatedId: ID_B });
  const code = (c: string) => (e: unknown) => e instanceof PeerwireError && e.code === c;
  assert.throws(
    () => acceptRemoteNodeInfo(ours, theirs, { authenticatedId: ID_A }),
    code(ErrorCode.PeerIdMismatch),
  );
  assert.throws(
    () => acceptRemoteNodeInfo(ours, theirs, { authenticatedId: ID_B, dialedId: ID_A }),
    code(ErrorCode.PeerIdMismatch),
  );
  assert.throws(
    () => acceptRemoteNodeInfo(ours, base(ID_A), { authenticatedId: ID_A }),
    code(ErrorCode.SelfConnection),
  );
  assert.throws(
    () => acceptRemoteNodeInfo(ours, { ...theirs, moniker: '' }, { authenticatedId: ID_B }),
    code(NodeInfoErrorCode.Invalid),
  );
  assert.throws(
    () => acceptRemoteNodeInfo(ours, { ...theirs, network: 'x' }, { authenticatedId: ID_B }),
    code(NodeInfoErrorCode.Incompatible),
  );
});

test('size cap: 10,240 bytes on both sides', () => {
  assert.throws(
    () => encodeNodeInfo({ ...base(), moniker: 'm'.repeat(MAX_NODE_INFO_SIZE) }),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.InvalidArgument,
  );
  assert.throws(
    () => decodeNodeInfo(new Uint8Array(MAX_NODE_INFO_SIZE + 1)),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge,
  );
  const reader = nodeInfoReader();
  reader.push(fromHex('815001')); // prefix announcing 10,241 bytes
  assert.throws(
    () => reader.next(),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.FrameTooLarge,
  );
});

test('property: encode/decode round trip', () => {
  const text = fc.string({ maxLength: 40, size: 'max' });
  fc.assert(
    fc.property(
      fc.record({
        p2p: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        block: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        app: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      }),
      fc.tuple(text, text, text, text, text, text, text),
      fc.uint8Array({ maxLength: 20, size: 'max' }),
      (pv, [id, listenAddr, network, version, moniker, txIndex, rpcAddress], channels) => {
        const info: NodeInfo = {
          protocolVersion: { ...pv },
          id,
          listenAddr,
          network,
          version,
          channels,
          moniker,
          other: { txIndex, rpcAddress },
        };
        const back = decodeNodeInfo(encodeNodeInfo(info));
        assert.deepEqual({ ...back, channels: hex(back.channels) }, { ...info, channels: hex(channels) });
      },
    ),
    { numRuns: fcRuns(200) },
  );
});

test('fuzz: decodeNodeInfo and validation throw only PeerwireError, output bounded by input', () => {
  const valid = fromHex(derived.nodes.A.node_info_delimited).subarray(2);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 400, size: 'max' }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }).map((edits) => {
          const bytes = valid.slice();
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          return bytes;
        }),
      ),
      (bytes) => {
        try {
          const info = decodeNodeInfo(bytes);
          const size =
            info.id.length +
            info.listenAddr.length +
            info.network.length +
            info.version.length +
            info.moniker.length +
            info.other.txIndex.length +
            info.other.rpcAddress.length +
            info.channels.length;
          assert.ok(size <= bytes.length);
          validateNodeInfo(info);
        } catch (error) {
          assert.ok(error instanceof PeerwireError, `unexpected ${String(error)}`);
        }
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
