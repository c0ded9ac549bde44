// observe's event lines keep envelope fields apart from message fields: every oneof case of every
// standard CometBFT channel's message (consensus, mempool, PEX, evidence, blocksync, statesync) is
// encoded with a message-level `type`, `height` and `round` where the message has them, fed through
// the formatter, and the event's own type, peer, channel and kind must survive — a vote's `type` 1 or
// 2 ends up under `message`, never as the event type.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { STANDARD_CHANNELS } from '../../src/cometbft/wire/standard-channels.ts';
import { observedEvents } from '../../src/cli/observe-format.ts';
import { toJson } from '../../src/cli/options.ts';

const PEER = 'ab'.repeat(20);

/** A message of `schema` with recognisable scalars set: type 2, height 7, round 1 (where they exist). */
function sample(schema: DescMessage): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.name === 'type' && field.fieldKind === 'enum') init.type = 2;
    if (field.name === 'height' && field.fieldKind === 'scalar') init.height = 7n;
    if (field.name === 'round' && field.fieldKind === 'scalar') init.round = 1;
    if (field.name === 'txs' && field.fieldKind === 'list') init.txs = [Uint8Array.of(1, 2, 3)];
    if ((field.name === 'vote' || field.name === 'proposal') && field.fieldKind === 'message') init[field.name] = create(field.message, sample(field.message));
  }
  return init;
}

test('every standard CometBFT message kind keeps its envelope fields in observe events', () => {
  let kinds = 0;
  for (const channel of STANDARD_CHANNELS) {
    const oneof = channel.schema.oneofs[0];
    const cases = oneof === undefined ? [undefined] : oneof.fields;
    for (const field of cases) {
      const message =
        field === undefined
          ? create(channel.schema, {})
          : create(channel.schema, { [oneof!.localName]: { case: field.localName, value: field.message === undefined ? undefined : create(field.message, sample(field.message)) } });
      const bytes = toBinary(channel.schema, message);
      const events = observedEvents(channel.id, bytes, PEER);
      assert.ok(events.length > 0, `${channel.name} ${field?.localName ?? ''}`);
      for (const event of events) {
        const line = JSON.parse(toJson(event)) as Record<string, unknown>;
        const expectedType = channel.reactor === 'mempool' ? 'tx' : channel.reactor;
        assert.equal(line.type, expectedType, `${channel.name} ${field?.localName ?? ''}`);
        assert.equal(line.peer, PEER);
        assert.equal(line.channel, channel.name);
        assert.equal(line.kind, field?.localName ?? channel.schema.name);
        assert.equal(typeof line.message, 'object');
        const inner = line.message as Record<string, unknown>;
        if (field !== undefined && field.message !== undefined && field.message.fields.some((f) => f.name === 'type' && f.fieldKind === 'enum')) {
          assert.equal(inner.type, 2, `${field.localName}: the message's own type sits under message`);
        }
      }
      kinds++;
    }
  }
  assert.ok(kinds >= 25, `${kinds} kinds`);
});

test('a consensus vote line is typed "consensus" with the vote type nested', () => {
  const consensus = STANDARD_CHANNELS.find((c) => c.name.includes('vote') && c.reactor === 'consensus' && !c.name.includes('bits'))!;
  const oneof = consensus.schema.oneofs[0]!;
  const voteCase = oneof.fields.find((f) => f.localName === 'vote')!;
  const bytes = toBinary(consensus.schema, create(consensus.schema, { [oneof.localName]: { case: 'vote', value: create(voteCase.message!, sample(voteCase.message!)) } }));
  const [event] = observedEvents(consensus.id, bytes, PEER);
  assert.equal(event!.type, 'consensus');
  assert.deepEqual(JSON.parse(toJson(event!.message)), { height: '7', round: 1, type: 2, validatorIndex: 0, validatorAddress: '' });
});

test('bytes that are not the channel message give one malformed event', () => {
  const [event] = observedEvents(STANDARD_CHANNELS[0]!.id, Uint8Array.of(0xff, 0xff, 0xff), PEER);
  assert.equal(event!.type, 'malformed');
  assert.equal(event!.peer, PEER);
});
