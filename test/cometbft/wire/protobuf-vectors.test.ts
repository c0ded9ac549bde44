// Every message of protobuf_message_vectors.json decodes with our schemas and re-encodes byte for byte,
// with no field left unknown (so the schemas cover what Go sends).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBinary, toBinary, type DescMessage, type Message } from '@bufbuild/protobuf';
import { MessageSchema as BlocksyncMessageSchema } from '../../../src/cometbft/gen/cometbft/blocksync/v1/types_pb.ts';
import { MessageSchema as ConsensusMessageSchema } from '../../../src/cometbft/gen/cometbft/consensus/v1/types_pb.ts';
import { MessageSchema as MempoolMessageSchema } from '../../../src/cometbft/gen/cometbft/mempool/v1/types_pb.ts';
import { PacketSchema } from '../../../src/cometbft/gen/cometbft/p2p/v1/conn_pb.ts';
import { MessageSchema as PexMessageSchema } from '../../../src/cometbft/gen/cometbft/p2p/v1/pex_pb.ts';
import { MessageSchema as StatesyncMessageSchema } from '../../../src/cometbft/gen/cometbft/statesync/v1/types_pb.ts';
import { EvidenceListSchema } from '../../../src/cometbft/gen/cometbft/types/v1/evidence_pb.ts';
import { describeChannelMessage } from '../../../src/cometbft/channels/channel-codec.ts';
import { decodePacket, encodePacket } from '../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { fromHex, hex, loadVector } from './vectors.ts';

interface Case {
  readonly name: string;
  readonly hex: string;
  readonly wire_hex?: string;
}
interface Vectors {
  readonly mconn_packets: { readonly cases: readonly Case[] };
  readonly pex: { readonly cases: readonly Case[] };
  readonly reactor_messages: readonly { readonly group: string; readonly cases: readonly Case[] }[];
}

const vectors = loadVector<Vectors>('protobuf_message_vectors.json');

const schemas: Record<string, DescMessage> = {
  mempool: MempoolMessageSchema,
  blocksync: BlocksyncMessageSchema,
  statesync: StatesyncMessageSchema,
  consensus: ConsensusMessageSchema,
  evidence: EvidenceListSchema,
};

const channelOf: Record<string, number> = {
  mempool: 0x30,
  blocksync: 0x40,
  statesync: 0x60,
  consensus: 0x20,
  evidence: 0x38,
};

/** Fails when any (nested) message kept unknown fields. */
function assertNoUnknown(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoUnknown(v, `${path}[${i}]`));
    return;
  }
  const record = value as Record<string, unknown>;
  const unknown = record.$unknown as unknown[] | undefined;
  assert.ok(unknown === undefined || unknown.length === 0, `unknown fields at ${path}`);
  for (const [key, v] of Object.entries(record)) if (key !== '$unknown') assertNoUnknown(v, `${path}.${key}`);
}

function roundTrip(schema: DescMessage, bytesHex: string, label: string): Message {
  const message = fromBinary(schema, fromHex(bytesHex));
  assertNoUnknown(message, label);
  assert.equal(hex(toBinary(schema, message)), bytesHex, `${label} re-encodes byte for byte`);
  return message;
}

test('MConnection packet vectors: generated schema and hand codec agree byte for byte', () => {
  for (const c of vectors.mconn_packets.cases) {
    roundTrip(PacketSchema, c.hex, c.name);
    const packet = decodePacket(fromHex(c.hex));
    assert.equal(hex(encodePacket(packet)), c.hex, c.name);
    assert.equal(hex(encodePacket(packet, true)), c.wire_hex, `${c.name} with length prefix`);
  }
  const msg = decodePacket(fromHex(vectors.mconn_packets.cases[2]!.hex));
  assert.equal(msg.kind, 'msg');
  if (msg.kind === 'msg') {
    assert.equal(msg.channelId, 1);
    assert.equal(msg.eof, false);
    assert.equal(Buffer.from(msg.data).toString(), 'data transmitted over the wire');
  }
});

test('PEX vectors round-trip and decode to the documented values', () => {
  const [request, addrs] = vectors.pex.cases;
  const req = roundTrip(PexMessageSchema, request!.hex, 'PexRequest') as unknown as { sum: { case: string } };
  assert.equal(req.sum.case, 'pexRequest');
  const decoded = roundTrip(PexMessageSchema, addrs!.hex, 'PexAddrs') as unknown as {
    sum: { case: string; value: { addrs: { id: string; ip: string; port: number }[] } };
  };
  assert.equal(decoded.sum.case, 'pexAddrs');
  assert.deepEqual(
    decoded.sum.value.addrs.map((a) => ({ id: a.id, ip: a.ip, port: a.port })),
    [{ id: '1', ip: '127.0.0.1', port: 9090 }],
  );
});

for (const group of vectors.reactor_messages) {
  test(`${group.group} vectors decode with our schema and re-encode byte for byte`, () => {
    const schema = schemas[group.group];
    assert.ok(schema !== undefined, `schema for ${group.group}`);
    for (const [i, c] of group.cases.entries()) {
      roundTrip(schema, c.hex, `${group.group}/${c.name}#${i}`);
      const described = describeChannelMessage(channelOf[group.group]!, fromHex(c.hex));
      assert.ok(described.kind.length > 0);
    }
  });
}

test('reactor vectors carry the values the Go tests used', () => {
  const group = (name: string): readonly Case[] =>
    vectors.reactor_messages.find((g) => g.group === name)!.cases;
  const mempool = fromBinary(MempoolMessageSchema, fromHex(group('mempool')[0]!.hex));
  assert.equal(mempool.sum.case, 'txs');
  assert.deepEqual(mempool.sum.case === 'txs' ? Array.from(mempool.sum.value.txs[0]!) : [], [0x7b]);

  const blocksync = group('blocksync').map((c) => fromBinary(BlocksyncMessageSchema, fromHex(c.hex)));
  assert.equal(blocksync[0]!.sum.case === 'blockRequest' ? blocksync[0]!.sum.value.height : 0n, 1n);
  assert.equal(
    blocksync[1]!.sum.case === 'blockRequest' ? blocksync[1]!.sum.value.height : 0n,
    2n ** 63n - 1n,
  );
  const block = blocksync[2]!.sum.case === 'blockResponse' ? blocksync[2]!.sum.value.block : undefined;
  assert.equal(block?.header?.height, 3n);
  assert.equal(block?.header?.version?.block, 11n);
  assert.equal(Buffer.from(block?.data?.txs[0] ?? []).toString(), 'Hello World');
  const status = blocksync[6]!.sum.case === 'statusResponse' ? blocksync[6]!.sum.value : undefined;
  assert.deepEqual([status?.height, status?.base], [1n, 2n]);

  const snapshots = fromBinary(StatesyncMessageSchema, fromHex(group('statesync')[1]!.hex));
  assert.equal(snapshots.sum.case, 'snapshotsResponse');
  if (snapshots.sum.case === 'snapshotsResponse') {
    assert.equal(Buffer.from(snapshots.sum.value.hash).toString(), 'chuck hash');
    assert.equal(Buffer.from(snapshots.sum.value.metadata).toString(), 'snapshot metadata');
  }

  const consensus = group('consensus').map((c) => fromBinary(ConsensusMessageSchema, fromHex(c.hex)));
  assert.deepEqual(
    consensus.map((m) => m.sum.case),
    [
      'newRoundStep',
      'newRoundStep',
      'newValidBlock',
      'proposal',
      'proposalPol',
      'blockPart',
      'vote',
      'hasVote',
      'hasVote',
      'voteSetMaj23',
      'voteSetBits',
    ],
  );
  const vote = consensus[6]!.sum.case === 'vote' ? consensus[6]!.sum.value.vote : undefined;
  assert.equal(vote?.height, 1n);
  assert.equal(Buffer.from(vote?.blockId?.hash ?? []).toString(), 'add_more_exclamation_marks_code-');
  assert.equal(vote?.timestamp?.seconds, 1535630400n); // 2018-08-30T12:00:00Z

  const evidence = fromBinary(EvidenceListSchema, fromHex(group('evidence')[0]!.hex));
  const dve =
    evidence.evidence[0]?.sum.case === 'duplicateVoteEvidence' ? evidence.evidence[0].sum.value : undefined;
  assert.equal(dve?.voteA?.height, 3n);
  assert.equal(dve?.totalVotingPower, 10n);
});
