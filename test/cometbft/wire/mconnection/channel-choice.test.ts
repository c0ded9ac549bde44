// The send scheduler's channel rules on their own: the next channel is the pending one with the least
// recentlySent / priority (first declared wins ties), a channel is light while another outweighs it,
// and the link counts as shared while two channels have data queued or wrote within 10 s.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { channelDescriptor } from '../../../../src/cometbft/wire/mconnection/channel-descriptor.ts';
import { ChannelState } from '../../../../src/cometbft/wire/mconnection/channel-state.ts';
import {
  isLight,
  linkShared,
  pickChannel,
  SHARED_LINK_MEMORY_MS,
  soleSender,
} from '../../../../src/cometbft/wire/mconnection/channel-choice.ts';
import { fcRuns } from '../vectors.ts';

function channel(id: number, priority: number): ChannelState {
  return new ChannelState(channelDescriptor({ id, priority, sendQueueCapacity: 10 }), 1024);
}

test('the next channel: least recentlySent / priority among the pending ones; the first declared wins a tie', () => {
  const blocks = channel(0x40, 1);
  const votes = channel(0x22, 10);
  const channels = [blocks, votes];
  assert.equal(pickChannel(channels), undefined, 'nothing pending');
  blocks.enqueue(new Uint8Array(10));
  votes.enqueue(new Uint8Array(10));
  assert.equal(pickChannel(channels), blocks, 'a tie at zero: the first declared');
  blocks.recentlySent = 1_000;
  votes.recentlySent = 9_000; // 900 per unit of priority against 1,000
  assert.equal(pickChannel(channels), votes);
  votes.recentlySent = 11_000;
  assert.equal(pickChannel(channels), blocks);
});

test('a channel is the sole sender while no other channel has data queued', () => {
  const blocks = channel(0x40, 1);
  const votes = channel(0x22, 10);
  const channels = [blocks, votes];
  blocks.enqueue(new Uint8Array(10));
  assert.equal(soleSender(blocks, channels), true);
  votes.enqueue(new Uint8Array(10));
  assert.equal(soleSender(blocks, channels), false);
  assert.equal(soleSender(votes, channels), false);
  blocks.writeNextPacket(new Uint8Array(64), 0);
  assert.equal(soleSender(votes, channels), true, 'blocks sent its only message');
});

test('a channel is light while another one outweighs it by recentlySent / priority', () => {
  const blocks = channel(0x40, 1);
  const votes = channel(0x22, 10);
  const channels = [blocks, votes];
  assert.equal(isLight(votes, channels), false, 'nobody sent: nobody is light');
  blocks.recentlySent = 64 * 1024;
  votes.recentlySent = 4 * 1024;
  assert.equal(isLight(votes, channels), true);
  assert.equal(isLight(blocks, channels), false, 'the channel filling the link is never light');
});

test('the link is shared while two channels have data queued or wrote within 10 s', () => {
  const blocks = channel(0x40, 1);
  const votes = channel(0x22, 10);
  const channels = [blocks, votes];
  blocks.enqueue(new Uint8Array(10));
  assert.equal(linkShared(channels, 0), false, 'one channel alone');
  votes.lastSentAt = 1_000;
  assert.equal(linkShared(channels, 1_000 + SHARED_LINK_MEMORY_MS - 1), true, 'a vote 10 s ago, less 1 ms');
  assert.equal(linkShared(channels, 1_000 + SHARED_LINK_MEMORY_MS), false, 'and not after 10 s');
  votes.enqueue(new Uint8Array(10));
  assert.equal(linkShared(channels, 1_000_000), true, 'a vote waiting shares the link whenever it was sent');
});

test('property: shared exactly when at least two channels are pending or recent', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ pending: fc.boolean(), sentAgo: fc.option(fc.nat(2 * SHARED_LINK_MEMORY_MS)) }), {
        maxLength: 6,
      }),
      (specs) => {
        const now = 1_000_000;
        const channels = specs.map((spec, i) => {
          const c = channel(i, 1 + i);
          if (spec.pending) c.enqueue(new Uint8Array(1));
          if (spec.sentAgo !== null) c.lastSentAt = now - spec.sentAgo;
          return c;
        });
        const using = specs.filter(
          (s) => s.pending || (s.sentAgo !== null && s.sentAgo < SHARED_LINK_MEMORY_MS),
        ).length;
        assert.equal(linkShared(channels, now), using >= 2);
      },
    ),
    { numRuns: fcRuns(200) },
  );
});
