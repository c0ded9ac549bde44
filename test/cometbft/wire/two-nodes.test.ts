// Two TS nodes (Router + PeerManager + the CometBFT transport over TCP on 127.0.0.1): B dials A as a
// persistent peer, then both send messages of 1 B, 1 KiB, 64 KiB, 1 MiB and 4 MiB on three channels at
// once, both ways; every message must arrive intact and in order per channel. Then both stop and leave
// no handle behind.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { NodeId } from '../../../src/core/node-address.ts';
import type { Channel } from '../../../src/engine/router/channel.ts';
import { rawCodec } from '../../../src/core/message-codec.ts';
import { LONG_MS, NO_TIMERS, payload } from '../../transport/compliance.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { createNode, type TestNode } from './cometbft-node.ts';
import { waitFor } from '../../helpers/wait.ts';

const CHANNEL_IDS = [0x40, 0x41, 0x42];
const SIZES = [1, 1024, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const ROUNDS = 2;

function openChannels(node: TestNode): Map<number, Channel<Uint8Array>> {
  const out = new Map<number, Channel<Uint8Array>>();
  for (const [i, id] of CHANNEL_IDS.entries()) {
    out.set(
      id,
      node.router.openChannel(id, rawCodec, {
        priority: i + 1,
        sendQueueCapacity: 16,
        recvMessageCapacity: 5 * 1024 * 1024,
      }),
    );
  }
  return out;
}

interface Sent {
  readonly channelId: number;
  readonly seq: number;
  readonly size: number;
  readonly digest: string;
}

const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The plan one node sends: every size on every channel, ROUNDS times, interleaved across channels. */
function plan(salt: number): { channelId: number; bytes: Buffer; sent: Sent }[] {
  const out: { channelId: number; bytes: Buffer; sent: Sent }[] = [];
  let seq = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const size of SIZES) {
      for (const channelId of CHANNEL_IDS) {
        const bytes = payload(channelId, seq, size);
        if (size > 8) bytes.fill(salt + round, 8, Math.min(size, 64));
        out.push({
          channelId,
          bytes,
          sent: { channelId, seq: size >= 8 ? seq : -1, size, digest: digest(bytes) },
        });
        seq++;
      }
    }
  }
  return out;
}

async function receive(channel: Channel<Uint8Array>, from: NodeId, count: number): Promise<Sent[]> {
  const got: Sent[] = [];
  if (count === 0) return got;
  for await (const envelope of channel) {
    assert.equal(envelope.from, from);
    const bytes = envelope.message;
    got.push({
      channelId: envelope.channelId,
      seq: bytes.length >= 8 ? Buffer.from(bytes).readUInt32BE(4) : -1,
      size: bytes.length,
      digest: digest(bytes),
    });
    if (got.length === count) break;
  }
  return got;
}

describe('two TS CometBFT nodes over TCP', () => {
  it('exchange 1 B .. 4 MiB messages on several channels both ways, intact and in order', async () => {
    const baseline = handleCounts(NO_TIMERS);
    const a = await createNode('alpha');
    const b = await createNode('beta');
    const chA = openChannels(a);
    const chB = openChannels(b);
    await a.start();
    await b.start();
    b.peerManager.add(a.address);
    try {
      await waitFor(
        () => a.router.connectedPeers().includes(b.key.id) && b.router.connectedPeers().includes(a.key.id),
        'the nodes to connect',
      );
      const info = b.router.peerInfo(a.key.id)!;
      assert.equal(info.userAgent, 'alpha');
      assert.equal(info.network, 'peerwire-two-nodes');
      assert.deepEqual(info.channels, CHANNEL_IDS);
      assert.equal(info.listenAddress, `${a.key.id}@127.0.0.1:${a.address.port}`);

      const fromA = plan(1);
      const fromB = plan(2);
      const perChannel = fromA.length / CHANNEL_IDS.length;
      const receiving = Promise.all([
        ...CHANNEL_IDS.map((id) => receive(chB.get(id)!, a.key.id, perChannel)),
        ...CHANNEL_IDS.map((id) => receive(chA.get(id)!, b.key.id, perChannel)),
      ]);
      const sending = Promise.all([
        (async () => {
          for (const m of fromA) await chA.get(m.channelId)!.send({ to: b.key.id, message: m.bytes });
        })(),
        (async () => {
          for (const m of fromB) await chB.get(m.channelId)!.send({ to: a.key.id, message: m.bytes });
        })(),
      ]);
      const [received] = await Promise.all([receiving, sending]);
      for (const [i, id] of CHANNEL_IDS.entries()) {
        assert.deepEqual(
          received[i],
          fromA.filter((m) => m.channelId === id).map((m) => m.sent),
          `a -> b on ${id}`,
        );
        assert.deepEqual(
          received[CHANNEL_IDS.length + i],
          fromB.filter((m) => m.channelId === id).map((m) => m.sent),
          `b -> a on ${id}`,
        );
      }
    } finally {
      await b.stop();
      await a.stop();
    }
    await waitForHandlesAtMost(baseline, LONG_MS, NO_TIMERS);
  });
});
