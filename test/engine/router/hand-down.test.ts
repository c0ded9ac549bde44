// The router over a wire that orders channels itself (Connection.channelScheduler, as MConnection
// does): the router moves each channel's messages down in order while that channel has room, never
// holds one channel back behind another, and drops a peer whose wire takes nothing for the stall
// timeout. The wire here is a test double with small per-channel queues; time is a ManualClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import { noopMetrics } from '../../../src/core/metrics.ts';
import { CHANNEL_DEFAULTS, type ResolvedChannelOptions } from '../../../src/engine/router/channel.ts';
import { RoutedPeer } from '../../../src/engine/router/routed-peer.ts';
import { RouterMetrics } from '../../../src/engine/router/router-metrics.ts';
import type {
  ChannelScheduler,
  Connection,
  InboundMessage,
  LocalNode,
  PeerInfo,
} from '../../../src/transport/types.ts';

const STALL_MS = 5_000;
const BULK = 1;
const VOTES = 2;

/** A wire with `capacity` messages of room per channel; `write()` empties every channel queue. */
class SchedulingWire implements Connection {
  readonly direction = 'outbound' as const;
  readonly localEndpoint = { protocol: 'memory', host: 'a', port: 1 };
  readonly remoteEndpoint = { protocol: 'memory', host: 'b', port: 1 };
  readonly bufferedBytes = 0;
  readonly queues = new Map<number, Uint8Array[]>();
  readonly written: { channelId: number; first: number }[] = [];
  roomSubscriptions = 0;
  private room: { promise: Promise<void>; resolve: () => void } | undefined;
  private isClosed = false;
  private endReads: (() => void) | undefined;
  private closeWith!: (reason: PeerwireError | undefined) => void;
  readonly closed = new Promise<PeerwireError | undefined>((resolve) => (this.closeWith = resolve));

  constructor(private readonly capacity: number) {}

  readonly channelScheduler: ChannelScheduler = {
    hasRoom: (channelId) => this.isClosed || (this.queues.get(channelId)?.length ?? 0) < this.capacity,
    roomFreed: () => {
      this.roomSubscriptions++;
      if (this.room === undefined) {
        let resolve!: () => void;
        this.room = { promise: new Promise<void>((r) => (resolve = r)), resolve };
      }
      return this.room.promise;
    },
  };

  handshake(_local: LocalNode, _signal: AbortSignal): Promise<PeerInfo> {
    throw new Error('not used');
  }

  send(channelId: number, bytes: Uint8Array): boolean {
    if (this.isClosed) throw new PeerwireError(ErrorCode.Closed, 'closed');
    const queue = this.queues.get(channelId) ?? [];
    if (queue.length >= this.capacity) throw new Error(`channel ${channelId} sent past its room`);
    queue.push(bytes);
    this.queues.set(channelId, queue);
    return true;
  }

  /** The wire writes everything it holds; room opens on every channel. */
  write(): void {
    for (const [channelId, queue] of this.queues) {
      for (const bytes of queue) this.written.push({ channelId, first: bytes[0]! });
      queue.length = 0;
    }
    const room = this.room;
    this.room = undefined;
    room?.resolve();
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  close(reason?: PeerwireError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.endReads?.();
    this.closeWith(reason);
    this.write();
  }

  /** Nothing is ever received: the one read ends when the wire closes. */
  [Symbol.asyncIterator](): AsyncIterator<InboundMessage> {
    return {
      next: async (): Promise<IteratorResult<InboundMessage>> => {
        if (!this.isClosed) await new Promise<void>((resolve) => (this.endReads = resolve));
        return { done: true, value: undefined };
      },
    };
  }
}

interface Running {
  readonly clock: ManualClock;
  readonly wire: SchedulingWire;
  readonly peer: RoutedPeer;
  readonly running: Promise<PeerwireError | undefined>;
  /** Why run() ended, once it has. */
  readonly ended: () => PeerwireError | undefined;
}

/** A routed peer over a wire with `capacity` messages of room per channel, its loops running. */
function routedOver(capacity: number): Running {
  const clock = new ManualClock();
  const wire = new SchedulingWire(capacity);
  const info: PeerInfo = { id: 'peer-b', protocolVersion: 'test', channels: [BULK, VOTES] };
  const peer = new RoutedPeer(info, wire, 'outbound', {
    metrics: new RouterMetrics(noopMetrics),
    channel: () => undefined,
    reportMalformed: () => undefined,
    stallTimeoutMs: STALL_MS,
    clock,
  });
  const running = peer.run();
  let reason: PeerwireError | undefined;
  void running.then((r) => (reason = r));
  return { clock, wire, peer, running, ended: () => reason };
}

const options = (priority: number): ResolvedChannelOptions => ({ ...CHANNEL_DEFAULTS, priority });
const message = (n: number): Uint8Array => Uint8Array.of(n, 0, 0, 0);
const settle = async (clock: ManualClock): Promise<void> => clock.advance(0);

test('each channel goes down while it has room: a full bulk channel holds back nothing else', async () => {
  const { clock, wire, peer, running } = routedOver(2);
  for (let n = 0; n < 6; n++) void peer.enqueue(options(1), BULK, message(n));
  void peer.enqueue(options(10), VOTES, message(100));
  await settle(clock);
  // Bulk filled its two slots; the vote went down at once, not after the four bulk messages left.
  assert.deepEqual(wire.queues.get(BULK)?.map((b) => b[0]), [0, 1]);
  assert.deepEqual(wire.queues.get(VOTES)?.map((b) => b[0]), [100]);
  assert.equal(peer.status().queuedMessages, 4);

  wire.write();
  await settle(clock);
  wire.write();
  await settle(clock);
  wire.write();
  // Every channel stays FIFO, and nothing is lost.
  assert.deepEqual(
    wire.written.filter((w) => w.channelId === BULK).map((w) => w.first),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(peer.status().queuedMessages, 0);
  peer.disconnect(new PeerwireError(ErrorCode.Closed, 'test over'));
  await running;
});

test('a wire that takes nothing for the stall timeout gets the peer dropped as stalled', async () => {
  const { clock, wire, peer, running, ended } = routedOver(1);
  for (let n = 0; n < 3; n++) void peer.enqueue(options(1), BULK, message(n));
  await settle(clock);
  assert.equal(wire.queues.get(BULK)?.length, 1);

  // New messages while blocked neither postpone the deadline nor pile up subscriptions on the wire.
  for (let step = 0; step < 50; step++) {
    void peer.enqueue(options(1), BULK, message(10 + step));
    await clock.advance(STALL_MS / 100);
  }
  assert.equal(ended(), undefined);
  assert.ok(wire.roomSubscriptions <= 2, `room subscriptions: ${wire.roomSubscriptions}`);
  await clock.advance(STALL_MS / 2 - 1);
  assert.equal(ended(), undefined);
  await clock.advance(1);
  assert.equal(ended()?.code, ErrorCode.Stalled);
  assert.equal(await running, ended());
  assert.equal(await wire.closed, ended());
});

test('a wire that keeps taking packets is never stalled, however long the queue stays busy', async () => {
  const { clock, wire, peer, running, ended } = routedOver(1);
  for (let n = 0; n < 40; n++) void peer.enqueue(options(1), BULK, message(n));
  for (let step = 0; step < 39; step++) {
    await clock.advance(STALL_MS / 2);
    wire.write();
  }
  await settle(clock);
  assert.equal(ended(), undefined);
  assert.equal(wire.written.length + (wire.queues.get(BULK)?.length ?? 0), 40);
  peer.disconnect(new PeerwireError(ErrorCode.Closed, 'test over'));
  await running;
  assert.equal(clock.pendingTimers, 0);
});
