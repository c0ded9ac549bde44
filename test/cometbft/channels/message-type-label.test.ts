// The `message_type` label: CometBFT's `<package>_<Type>` for each standard message (read from the first
// tag only), `other` off the standard channels, `unknown` for bytes without a known tag — and nothing
// else, whatever the bytes (the label set stays bounded).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { goTypeLabel, messageTypeLabel } from '../../../src/cometbft/channels/message-type-label.ts';
import { MessageSchema as MempoolMessageSchema } from '../../../src/cometbft/gen/cometbft/mempool/v1/types_pb.ts';
import { MessageSchema as PexMessageSchema } from '../../../src/cometbft/gen/cometbft/p2p/v1/pex_pb.ts';
import { STANDARD_CHANNELS } from '../../../src/cometbft/wire/standard-channels.ts';
import { fcRuns } from '../wire/vectors.ts';


test('standard messages get CometBFT v0.38 type labels', () => {
  const txs = toBinary(MempoolMessageSchema, create(MempoolMessageSchema, { sum: { case: 'txs', value: { txs: [new Uint8Array([1, 2])] } } }));
  assert.equal(messageTypeLabel(0x30, txs), 'mempool_Txs');
  const request = toBinary(PexMessageSchema, create(PexMessageSchema, { sum: { case: 'pexRequest', value: {} } }));
  assert.equal(messageTypeLabel(0x00, request), 'p2p_PexRequest');
  assert.equal(messageTypeLabel(0x38, new Uint8Array([0x0a, 0x00])), 'types_EvidenceList');
  assert.equal(goTypeLabel('cometbft.consensus.v1.NewRoundStep'), 'consensus_NewRoundStep');
});

test('non-standard channels are `other`, tags the schema lacks `unknown`', () => {
  assert.equal(messageTypeLabel(0x70, new Uint8Array([0x0a])), 'other');
  assert.equal(messageTypeLabel(0x30, new Uint8Array([])), 'unknown');
  assert.equal(messageTypeLabel(0x30, new Uint8Array([0xf8, 0x07])), 'unknown');
  assert.equal(messageTypeLabel(0x30, new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), 'unknown');
});

test('any bytes on any channel give a label from the bounded set', () => {
  const allowed = new Set(['other', 'unknown']);
  for (const channel of STANDARD_CHANNELS) {
    allowed.add(goTypeLabel(channel.schema.typeName));
    for (const field of channel.schema.fields) if (field.fieldKind === 'message') allowed.add(goTypeLabel(field.message.typeName));
  }
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 16, size: 'max' }),
      (channelId, bytes) => {
        assert.ok(allowed.has(messageTypeLabel(channelId, bytes)));
      },
    ),
    { numRuns: fcRuns(500) },
  );
});
