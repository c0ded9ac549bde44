// The CometBFT connection's own behaviour over the memory carrier: what the handshake yields and sends,
// the handshake's deadlines and signal, batching (one sealed write per flush), backpressure from the
// channel queues, channels the peer lacks, keep-alive on a ManualClock, the nonce counter limit, and
// the per-peer packet budget (a turn's allowance at a time, the flood verdict).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import type { Counter, Labels, Metrics } from '../../../src/core/metrics.ts';
import { noopMetrics } from '../../../src/core/metrics.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { ByteLink, LinkSink } from '../../../src/transport/byte-link.ts';
import { MemoryCarrier } from '../../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../../src/transport/memory-network.ts';
import type { ChannelDescriptor, InboundMessage, LocalNode } from '../../../src/transport/types.ts';
import {
  CometbftWire,
  type CometbftConnection,
  type CometbftWireOptions,
} from '../../../src/cometbft/index.ts';
import type { NodeInfo } from '../../../src/cometbft/wire/node-info.ts';
import { collect, expectCode, LONG_MS, payload, turn } from '../../transport/compliance.ts';

function channels(ids: readonly number[], sendQueueCapacity = 64): ChannelDescriptor[] {
  return ids.map((id) => ({ id, priority: 1, sendQueueCapacity, recvMessageCapacity: 1024 * 1024 }));
}

function node(name: string, chs: readonly ChannelDescriptor[] = channels([1, 2])): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels: chs,
    info: {
      id: key.id,
      listenAddress: `${key.id}@127.0.0.1:26656`,
      protocolVersion: '8',
      channels: chs.map((c) => c.id),
      network: 'wire-test',
      userAgent: name,
    },
  };
}

/** A link that counts write calls (to see batching). */
class CountingLink implements ByteLink {
  writes = 0;
  constructor(private readonly inner: ByteLink) {}
  get localEndpoint() {
    return this.inner.localEndpoint;
  }
  get remoteEndpoint() {
    return this.inner.remoteEndpoint;
  }
  get bufferedBytes() {
    return this.inner.bufferedBytes;
  }
  get writeHighWaterMark() {
    return this.inner.writeHighWaterMark;
  }
  get isPaused() {
    return this.inner.isPaused;
  }
  get isClosed() {
    return this.inner.isClosed;
  }
  get closed() {
    return this.inner.closed;
  }
  write(chunk: Uint8Array): boolean {
    this.writes++;
    return this.inner.write(chunk);
  }
  writev(chunks: readonly Uint8Array[]): boolean {
    this.writes++;
    return this.inner.writev(chunks);
  }
  drained(signal?: AbortSignal, belowBytes?: number) {
    return this.inner.drained(signal, belowBytes);
  }
  attach(sink: LinkSink): void {
    this.inner.attach(sink);
  }
  pause(): void {
    this.inner.pause();
  }
  resume(): void {
    this.inner.resume();
  }
  close(error?: PeerwireError): void {
    this.inner.close(error);
  }
}

/** A link that hands its reader every chunk in pieces of `piece` bytes, as TCP may (frames split anywhere). */
class SplittingLink extends CountingLink {
  constructor(inner: ByteLink, private readonly piece: number) {
    super(inner);
  }
  override attach(sink: LinkSink): void {
    super.attach({
      onData: (chunk) => {
        for (let at = 0; at < chunk.length; at += this.piece) sink.onData(chunk.subarray(at, at + this.piece));
      },
      onClose: (reason) => sink.onClose(reason),
    });
  }
}

/** Counts counter increments by name and labels. */
class RecordingMetrics implements Metrics {
  readonly totals = new Map<string, number>();
  counter(options: { name: string }): Counter {
    return {
      inc: (labels?: Labels, value = 1) => {
        const key = `${options.name}${labels === undefined ? '' : JSON.stringify(labels)}`;
        this.totals.set(key, (this.totals.get(key) ?? 0) + value);
      },
      remove: () => undefined,
    };
  }
  gauge(options: { name: string; help: string }) {
    return noopMetrics.gauge(options);
  }
  histogram(options: { name: string; help: string }) {
    return noopMetrics.histogram(options);
  }
}

interface Pair {
  dialer: CometbftConnection;
  acceptor: CometbftConnection;
  dialerLink: CountingLink;
}

const carriers: MemoryCarrier[] = [];
afterEach(async () => {
  for (const carrier of carriers.splice(0)) await carrier.close();
});

/** Two connections over fresh memory links, not yet handshaken. */
async function pair(
  optionsA: CometbftWireOptions = {},
  optionsB: CometbftWireOptions = optionsA,
  acceptorPiece?: number,
): Promise<Pair> {
  const network = new MemoryNetwork();
  const a = new MemoryCarrier(network, { name: 'a' });
  const b = new MemoryCarrier(network, { name: 'b' });
  carriers.push(a, b);
  const endpoint = await b.listen({ protocol: 'memory', host: 'b', port: 0 });
  const signal = AbortSignal.timeout(LONG_MS);
  const [outLink, inLink] = await Promise.all([a.dial(endpoint, signal), b.accept(signal)]);
  const dialerLink = new CountingLink(outLink);
  return {
    dialer: new CometbftWire(optionsA).connect(dialerLink, 'outbound'),
    acceptor: new CometbftWire(optionsB).connect(acceptorPiece === undefined ? inLink : new SplittingLink(inLink, acceptorPiece), 'inbound'),
    dialerLink,
  };
}

async function connected(
  optionsA: CometbftWireOptions = {},
  optionsB: CometbftWireOptions = optionsA,
  localA = node('a'),
  localB = node('b'),
  acceptorPiece?: number,
): Promise<Pair> {
  const p = await pair(optionsA, optionsB, acceptorPiece);
  const signal = AbortSignal.timeout(LONG_MS);
  await Promise.all([p.dialer.handshake(localA, signal), p.acceptor.handshake(localB, signal)]);
  return p;
}

/** A connected pair whose acceptor reads at most 100 packets/s and calls 10 s over it a flood; `cut()` is its close reason. */
async function budgetedPair(clock: ManualClock, acceptorPiece?: number): Promise<{ p: Pair; cut: () => PeerwireError | undefined }> {
  const budget = { messagesPerSecond: 100, messageBurst: 100, bytesPerSecond: Infinity, byteBurst: Infinity, floodAfterMs: 10_000 };
  const wide = channels([1], 10_000);
  const p = await connected({ clock, pacing: false }, { clock, pacing: false, inboundBudget: budget }, node('a', wide), node('b', wide), acceptorPiece);
  let reason: PeerwireError | undefined;
  void p.acceptor.closed.then((closedWith) => (reason = closedWith));
  return { p, cut: () => reason };
}

describe('CometBFT connection', () => {
  it('handshake yields the verified PeerInfo and the NodeInfo we built from LocalNode and options', async () => {
    const p = await pair({ moniker: 'alpha-node', softwareVersion: '1.0.0', appVersion: 3n }, {});
    const localA = node('a');
    const localB = node('b', channels([2, 3]));
    const signal = AbortSignal.timeout(LONG_MS);
    const [infoOfB, infoOfA] = await Promise.all([
      p.dialer.handshake(localA, signal),
      p.acceptor.handshake(localB, signal),
    ]);
    assert.equal(infoOfB.id, localB.key.id);
    assert.deepEqual(infoOfB.publicKey, localB.key.publicKey);
    assert.deepEqual(infoOfB.channels, [2, 3]);
    assert.equal(infoOfB.userAgent, 'b');
    assert.equal(infoOfB.network, 'wire-test');
    assert.equal(infoOfB.listenAddress, `${localB.key.id}@127.0.0.1:26656`);
    assert.equal(infoOfA.userAgent, 'alpha-node');
    assert.equal(infoOfA.protocolVersion, '8');
    const wire = infoOfA.wire as NodeInfo;
    assert.equal(wire.listenAddr, 'tcp://127.0.0.1:26656');
    assert.equal(wire.version, '1.0.0');
    assert.equal(wire.protocolVersion.block, 11n);
    assert.equal(wire.protocolVersion.app, 3n);
    assert.equal(wire.other.txIndex, 'off');
    assert.ok(p.dialer.secretSession !== undefined);
    assert.equal(p.dialer.secretSession.remoteNodeId, localB.key.id);
    await expectCode(p.dialer.handshake(localA, signal), ErrorCode.InvalidArgument);
    p.dialer.close();
    p.acceptor.close();
  });

  it('a peer that starts its handshake late still completes (early bytes are held)', async () => {
    const p = await pair();
    const signal = AbortSignal.timeout(LONG_MS);
    const localA = node('a');
    const localB = node('b');
    const dialing = p.dialer.handshake(localA, signal);
    for (let i = 0; i < 5; i++) await turn();
    const infoOfA = await p.acceptor.handshake(localB, signal);
    assert.equal(infoOfA.id, localA.key.id);
    assert.equal((await dialing).id, localB.key.id);
    p.dialer.close();
  });

  it('a missing chain ID or a channel id over 255 refuses to start', async () => {
    const p = await pair();
    const bad = node('a');
    const noChain: LocalNode = { ...bad, info: { ...bad.info, network: '' } };
    await expectCode(p.dialer.handshake(noChain, AbortSignal.timeout(LONG_MS)), ErrorCode.InvalidArgument);
    const q = await pair();
    await expectCode(
      q.dialer.handshake(node('a', channels([300])), AbortSignal.timeout(LONG_MS)),
      ErrorCode.InvalidArgument,
    );
    assert.ok((await q.dialer.closed) instanceof PeerwireError);
  });

  it("the caller's signal bounds the handshake: aborted before or during, a typed error and a closed connection", async () => {
    const p = await pair();
    const before = new AbortController();
    before.abort();
    await expectCode(p.dialer.handshake(node('a'), before.signal), ErrorCode.Aborted);
    assert.equal((await p.dialer.closed)?.code, ErrorCode.Aborted);
    const q = await pair();
    const during = new AbortController();
    const handshaking = q.dialer.handshake(node('a'), during.signal);
    during.abort();
    await expectCode(handshaking, ErrorCode.Aborted);
    assert.equal((await q.dialer.closed)?.code, ErrorCode.Aborted);
  });

  it('the dialed ID is checked when given', async () => {
    const p = await pair();
    const signal = AbortSignal.timeout(LONG_MS);
    const [outcome] = await Promise.allSettled([
      p.dialer.handshake(node('a'), signal, { dialedId: NodeKey.generate().id }),
      p.acceptor.handshake(node('b'), signal),
    ]);
    assert.equal(outcome.status, 'rejected');
    assert.equal((outcome.reason as PeerwireError).code, ErrorCode.PeerIdMismatch);
  });

  it('many sends in one tick leave in one sealed write; an idle send leaves at once', async () => {
    const p = await connected({}, {}, node('a', channels([1, 2], 256)), node('b', channels([1, 2], 256)));
    const before = p.dialerLink.writes;
    for (let i = 0; i < 200; i++) assert.equal(p.dialer.send(1, payload(1, i, 100)), true);
    const got = await collect(p.acceptor, 200);
    assert.equal(p.dialerLink.writes - before, 1, 'one write for 200 messages (20 KiB)');
    got.forEach((m, i) => assert.equal(Buffer.from(m.bytes).readUInt32BE(4), i));
    p.dialer.send(2, Buffer.from('alone'));
    const [alone] = await collect(p.acceptor, 1);
    assert.equal(Buffer.from(alone!.bytes).toString(), 'alone');
    assert.equal(p.dialerLink.writes - before, 2);
    p.dialer.close();
  });

  it('a full channel queue makes send() return false; drained() waits; everything arrives in order', async () => {
    const p = await connected({}, {}, node('a', channels([1, 2], 1)), node('b', channels([1, 2], 1)));
    let sawFalse = false;
    const sent: InboundMessage[] = [];
    for (let i = 0; i < 300; i++) {
      const message = { channelId: 1 + (i % 2), bytes: payload(1 + (i % 2), i, 3000) };
      sent.push(message);
      if (!p.dialer.send(message.channelId, message.bytes)) {
        sawFalse = true;
        await p.dialer.drained(AbortSignal.timeout(LONG_MS));
      }
    }
    assert.ok(sawFalse);
    const got = await collect(p.acceptor, sent.length);
    for (const channel of [1, 2]) {
      const want = sent
        .filter((m) => m.channelId === channel)
        .map((m) => Buffer.from(m.bytes).readUInt32BE(4));
      const have = got
        .filter((m) => m.channelId === channel)
        .map((m) => Buffer.from(m.bytes).readUInt32BE(4));
      assert.deepEqual(have, want);
    }
    p.dialer.close();
  });

  it('a caller ignoring backpressure is stopped with ERR_QUEUE_FULL, not unbounded memory', async () => {
    const p = await connected({}, {}, node('a', channels([1], 1)), node('b', channels([1], 1)));
    assert.throws(
      () => {
        for (let i = 0; i < 5000; i++) p.dialer.send(1, Buffer.alloc(10));
      },
      (error) => error instanceof PeerwireError && error.code === ErrorCode.QueueFull,
    );
    p.dialer.close();
  });

  it('messages on a channel the peer did not advertise are dropped and counted', async () => {
    const metrics = new RecordingMetrics();
    const p = await connected({ metrics }, {}, node('a', channels([1, 2])), node('b', channels([2])));
    assert.equal(p.dialer.send(1, Buffer.from('not for you')), true);
    assert.equal(p.dialer.send(9, Buffer.from('not ours either')), true);
    p.dialer.send(2, Buffer.from('for you'));
    const [got] = await collect(p.acceptor, 1);
    assert.equal(got!.channelId, 2);
    assert.equal(metrics.totals.get('peerwire_cometbft_send_dropped_total{"reason":"peer-lacks-channel"}'), 1);
    assert.equal(metrics.totals.get('peerwire_cometbft_send_dropped_total{"reason":"not-local"}'), 1);
    p.dialer.close();
  });

  it('keep-alive on a ManualClock: pings are answered, a busy or idle link survives many intervals', async () => {
    const clock = new ManualClock();
    const p = await connected({ clock });
    for (let round = 0; round < 5; round++) {
      await clock.advance(60_000);
      for (let i = 0; i < 10; i++) await turn();
      p.dialer.send(1, payload(1, round, 10));
      const [got] = await collect(p.acceptor, 1);
      assert.equal(Buffer.from(got!.bytes).readUInt32BE(4), round);
      // The pacer's probe ping followed the message: let its pong come back before the clock jumps.
      for (let i = 0; i < 10; i++) await turn();
    }
    await clock.advance(44_000);
    for (let i = 0; i < 10; i++) await turn();
    const stillOpen = await Promise.race([p.dialer.closed.then(() => false), turn().then(() => true)]);
    assert.ok(stillOpen);
    p.dialer.close();
    p.acceptor.close();
  });

  it('under a packet budget, a burst is opened a frame at a time until the turn allowance is spent; the rest follows in order', async () => {
    const clock = new ManualClock();
    const { p, cut } = await budgetedPair(clock);
    // 600 packets of 8 bytes: about nine sealed frames of ~70 packets, sent in one go. The budget's
    // turn allowance is 10 packets (a tenth of 100/s), so one turn opens one frame and stops.
    const total = 600;
    for (let i = 0; i < total; i++) p.dialer.send(1, payload(1, i, 8));
    const received: number[] = [];
    const reading = (async () => {
      for await (const message of p.acceptor) {
        received.push(Buffer.from(message.bytes).readUInt32BE(4));
        if (received.length === total) return;
      }
    })();
    for (let i = 0; i < 20; i++) await turn();
    // Opening a turn is synchronous: what arrived is all of it until the clock moves.
    assert.ok(received.length > 0 && received.length <= 100, `one frame before the pause (${received.length})`);
    for (let step = 0; step < 400 && received.length < total; step++) {
      await clock.advance(100);
      for (let i = 0; i < 5; i++) await turn();
    }
    await reading;
    assert.deepEqual(received, Array.from({ length: total }, (_v, i) => i), 'every packet, in order');
    assert.equal(cut(), undefined, 'six seconds over budget is no flood (the window is 10 s)');
    p.dialer.close();
    p.acceptor.close();
  });

  it('a peer far over its packet budget is cut off with ERR_PEER_FLOOD when the flood window ends, even while paused', async () => {
    const clock = new ManualClock();
    const { p, cut } = await budgetedPair(clock);
    // 3,000 packets at once: 29 s of debt at 100/s, so the acceptor stops reading long past the window.
    for (let i = 0; i < 3_000; i++) p.dialer.send(1, payload(1, i, 8));
    for (let i = 0; i < 20; i++) await turn();
    await clock.advance(9_900);
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(cut(), undefined, 'still within the flood window');
    await clock.advance(200);
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(cut()?.code, 'ERR_PEER_FLOOD');
    assert.equal(cut()?.action, 'ban');
    p.dialer.close();
  });

  it('a sustained flood read in pieces that split frames is still judged a flood (a held tail is no break)', async () => {
    const clock = new ManualClock();
    // 1,000-byte pieces: a sealed frame (1,044 bytes) never arrives whole, so many turns end with
    // only part of a frame, opening no packet at all.
    const { p, cut } = await budgetedPair(clock, 1_000);
    const draining = (async () => {
      for await (const _message of p.acceptor); // the consumer keeps up: only the budget slows reading
    })().catch(() => undefined);
    // 300 packets a second against a budget of 100/s, for up to 14 s.
    let seq = 0;
    for (let second = 0; second < 14 && cut() === undefined; second++) {
      for (let i = 0; i < 300; i++) p.dialer.send(1, payload(1, seq++, 8));
      for (let step = 0; step < 10; step++) {
        await clock.advance(100);
        for (let i = 0; i < 3; i++) await turn();
      }
    }
    assert.equal(cut()?.code, 'ERR_PEER_FLOOD');
    p.dialer.close();
    await draining;
  });

  it('a peer that pays its debt back and stays within budget is not judged a flood', async () => {
    const clock = new ManualClock();
    const { p, cut } = await budgetedPair(clock);
    // A burst of 500 (4 s of debt), then 10 per second for 20 s: over budget for a while, not for 10 s.
    for (let i = 0; i < 500; i++) p.dialer.send(1, payload(1, i, 8));
    for (let second = 0; second < 20; second++) {
      for (let i = 0; i < 10; i++) await turn();
      await clock.advance(1_000);
      for (let i = 0; i < 10; i++) p.dialer.send(1, payload(1, i, 8));
    }
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(cut(), undefined);
    p.dialer.close();
    p.acceptor.close();
  });
});
