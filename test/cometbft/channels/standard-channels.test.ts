// The standard channel table (§5.1) and decoding traffic with each channel's schema.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import {
  decodeMessage,
  describeChannelMessage,
  encodeMessage,
} from '../../../src/cometbft/channels/channel-codec.ts';
import {
  ChannelId,
  STANDARD_CHANNELS,
  V035_ONLY_CHANNELS,
  channelIdsOf,
  mempoolRecvMessageCapacity,
  standardChannel,
} from '../../../src/cometbft/wire/standard-channels.ts';
import { MessageSchema as PexMessageSchema } from '../../../src/cometbft/gen/cometbft/p2p/v1/pex_pb.ts';
import { channelDescriptorSet } from '../../../src/cometbft/wire/mconnection/channel-descriptor.ts';
import { fromHex, hex } from '../wire/vectors.ts';

test('descriptor values match CometBFT (id, priority, send queue, recv buffer, recv message capacity)', () => {
  const table = STANDARD_CHANNELS.map((c) => [
    c.id,
    c.priority,
    c.sendQueueCapacity,
    c.recvBufferCapacity,
    c.recvMessageCapacity,
  ]);
  assert.deepEqual(table, [
    [0x40, 5, 1000, 204_800, 104_857_605],
    [0x20, 6, 100, 4096, 1_048_576],
    [0x21, 10, 100, 204_800, 1_048_576],
    [0x22, 7, 100, 10_000, 1_048_576],
    [0x23, 1, 2, 1024, 1_048_576],
    [0x30, 5, 1, 4096, 1_048_584],
    [0x38, 6, 1, 4096, 1_048_576],
    [0x60, 5, 10, 4096, 4_000_000],
    [0x61, 3, 10, 4096, 16_000_000],
    [0x00, 1, 10, 4096, 64_000],
  ]);
  assert.deepEqual(
    V035_ONLY_CHANNELS.map((c) => [c.id, c.priority, c.recvMessageCapacity]),
    [
      [0x62, 5, 10_000_000],
      [0x63, 2, 100_000],
    ],
  );
  assert.equal(hex(channelIdsOf(STANDARD_CHANNELS)), '40202122233038606100');
  assert.equal(channelDescriptorSet(STANDARD_CHANNELS).length, 10);
  assert.equal(mempoolRecvMessageCapacity(10), 14);
  assert.equal(standardChannel(ChannelId.ConsensusVote)?.name, 'consensus-vote');
  assert.equal(standardChannel(0x55), undefined);
});

test('each channel decodes its own traffic and names the message kind', () => {
  assert.equal(describeChannelMessage(ChannelId.Pex, fromHex('0a00')).kind, 'pexRequest');
  assert.equal(describeChannelMessage(ChannelId.Mempool, fromHex('0a030a017b')).kind, 'txs');
  assert.equal(
    describeChannelMessage(ChannelId.ConsensusState, fromHex('0a0a08011001180120012801')).kind,
    'newRoundStep',
  );
  assert.equal(describeChannelMessage(ChannelId.Blocksync, fromHex('2200')).kind, 'statusRequest');
  assert.equal(
    describeChannelMessage(ChannelId.StatesyncChunk, fromHex('1a06080110021803')).kind,
    'chunkRequest',
  );
  assert.equal(describeChannelMessage(ChannelId.Evidence, new Uint8Array(0)).kind, 'EvidenceList');
  assert.equal(describeChannelMessage(ChannelId.Mempool, new Uint8Array(0)).kind, 'empty');
  // CometBFT v1's HasProposalBlockPart (oneof field 10).
  assert.equal(
    describeChannelMessage(ChannelId.ConsensusState, fromHex('5206080110011803')).kind,
    'hasProposalBlockPart',
  );
});

test('malformed reactor messages are typed errors that disconnect', () => {
  const malformed = (e: unknown): boolean =>
    e instanceof PeerwireError && e.code === ErrorCode.Malformed && e.action === 'disconnect';
  assert.throws(() => describeChannelMessage(ChannelId.Pex, fromHex('0a05')), malformed);
  assert.throws(() => decodeMessage(PexMessageSchema, fromHex('ff')), malformed);
  assert.throws(
    () => describeChannelMessage(0x55, fromHex('00')),
    (e: unknown) => e instanceof PeerwireError && e.code === ErrorCode.UnknownChannel,
  );
});

test('encodeMessage produces the PEX vector bytes', () => {
  const message = create(PexMessageSchema, {
    sum: { case: 'pexAddrs', value: { addrs: [{ id: '1', ip: '127.0.0.1', port: 9090 }] } },
  });
  assert.equal(hex(encodeMessage(PexMessageSchema, message)), '12130a110a013112093132372e302e302e31188247');
});
