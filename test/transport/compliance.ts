// The transport compliance suite: the behaviour every Transport must show whatever its carrier and
// wire (handshake, ordering, backpressure, abort, close, typed errors, limits, no leaked handles).
// tcp.test.ts and memory.test.ts (plain wire), the CometBFT and the Zcash wire's compliance tests run
// it; a new carrier or wire gets the same guarantees by calling runTransportCompliance with a harness.
//
// The suite speaks in its own messages: channels 1, 2, 3 (plus 9 and 42 for the limit cases) and
// payloads of any bytes. A wire with channels of its own carries them through a MessageAdapter (the
// Zcash harness packs them into inventory lists: test/zcash/wire/compliance-adapter.ts). A wire that
// cannot show a case says so with a capability flag; the flags it lacks are named in its suite's
// title and the cases they gate are not registered for it, so the test names list exactly what ran
// for each wire.

import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { NodeKey } from '../../src/core/node-key.ts';
import { DEFAULT_WRITE_HIGH_WATER_MARK } from '../../src/transport/byte-link.ts';
import type { Carrier } from '../../src/transport/carrier.ts';
import { handleCounts, waitForHandlesAtMost } from '../helpers/handles.ts';
import { TransportErrorCode } from '../../src/transport/errors.ts';
import type {
  ChannelDescriptor,
  Connection,
  Endpoint,
  InboundMessage,
  LocalNode,
  PeerInfo,
  Transport,
} from '../../src/transport/types.ts';

export interface TransportHarness {
  /** A fresh transport; `name` is a hint (the memory carrier uses it as its host name). */
  create(name: string): Transport;
  /** Where a transport named `name` should listen (TCP: 127.0.0.1 port 0; memory: the name). */
  listenEndpoint(name: string): Endpoint;
  /** An endpoint nobody listens on. */
  unreachableEndpoint(): Promise<Endpoint>;
  /** A bare carrier of the same protocol, to play a peer that never speaks. */
  createCarrier(name: string): Carrier;
  /** The connections' write high-water mark, in bytes. Default 1 MiB (the link default). */
  readonly writeHighWaterMark?: number;
  /** How the suite's messages ride the wire. Default: as they are (AS_IS). */
  readonly messages?: MessageAdapter;
  /**
   * The PeerInfo fields `viewer`'s handshake must report about the remote: the transport named
   * `remoteName`, which handshook as `remote`. Default: the remote's own LocalNode, field by field
   * (the node-key wires).
   */
  expectedPeerInfo?(viewer: Connection, remote: LocalNode, remoteName: string): Partial<PeerInfo>;
}

/** Carries the suite's messages (channels 1, 2, 3, any bytes) over a wire with rules of its own. */
export interface MessageAdapter {
  /** The message send() takes for the suite's `message`. */
  wrap(message: InboundMessage): InboundMessage;
  /** The suite's message that a received wire message carries. */
  unwrap(message: InboundMessage): InboundMessage;
}

/** The identity adapter: the wire carries the suite's channels and bytes as they are. */
export const AS_IS: MessageAdapter = { wrap: (message) => message, unwrap: (message) => message };

/** What a wire can show; a case that needs a capability the wire lacks is not registered for it. */
export interface WireCapabilities {
  /**
   * The wire serves exactly the channels a LocalNode declares, each with its own receive capacity
   * (plain, CometBFT). False for a wire with a fixed channel set and one message limit (Zcash): the
   * unknown-channel and channel-capacity cases need this.
   */
  readonly declaredChannels: boolean;
}

export const ALL_CAPABILITIES: WireCapabilities = { declaredChannels: true };

/** The suite title's note on what a wire lacks ('' when it has everything). */
function lacking(capabilities: WireCapabilities): string {
  return capabilities.declaredChannels ? '' : ' [fixed channels: no unknown-channel or channel-capacity cases]';
}

/**
 * Handle checks here leave timers out: the suites create 30 s AbortSignal.timeout deadlines after
 * their baseline, which outlive the test but are no leak.
 */
export const NO_TIMERS = { timers: false } as const;

/** Generous deadline for anything that should happen promptly: the machine may be heavily loaded. */
export const LONG_MS = 30_000;

export function descriptors(
  ids: readonly number[],
  recvMessageCapacity = 4 * 1024 * 1024,
): ChannelDescriptor[] {
  return ids.map((id) => ({ id, priority: 1, sendQueueCapacity: 64, recvMessageCapacity }));
}

export function localNode(
  name: string,
  channels: readonly ChannelDescriptor[] = descriptors([1, 2, 3]),
): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels,
    info: {
      id: key.id,
      listenAddress: `${key.id}@memory:${name}`,
      protocolVersion: '7',
      channels: channels.map((c) => c.id),
      network: 'compliance-net',
      userAgent: `peerwire-test/${name}`,
    },
  };
}

/**
 * A deadline signal whose timer keeps the event loop alive (AbortSignal.timeout's does not, so a test
 * waiting only on it would see the loop end first). Its reason is a TimeoutError, as AbortSignal.timeout's.
 */
/**
 * Event-loop turns without a drain after which a non-reading receiver counts as stalled (see the
 * backpressure case). Each turn runs the I/O phase once; a loopback socket or memory pipe that can
 * take more bytes reports the drain within a handful.
 */
const STALL_TURNS = 200;

export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException('deadline exceeded', 'TimeoutError')), ms);
  return controller.signal;
}

/** Lets pending I/O callbacks and promise continuations run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<PeerwireError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PeerwireError, `expected a PeerwireError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected rejection with ${code}`);
}

/** Sends, waiting for drained() whenever send() says the buffer is full. */
export async function sendAll(
  connection: Connection,
  messages: readonly InboundMessage[],
  adapter: MessageAdapter = AS_IS,
): Promise<void> {
  for (const message of messages) {
    const wrapped = adapter.wrap(message);
    if (!connection.send(wrapped.channelId, wrapped.bytes))
      await connection.drained(AbortSignal.timeout(LONG_MS));
  }
}

export async function collect(
  connection: Connection,
  count: number,
  adapter: MessageAdapter = AS_IS,
): Promise<InboundMessage[]> {
  const out: InboundMessage[] = [];
  if (count === 0) return out;
  for await (const message of connection) {
    out.push(adapter.unwrap(message));
    if (out.length === count) break;
  }
  return out;
}

/** Lets the event loop run `turns` times (I/O callbacks included), with no timer involved. */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await turn();
}

/** The remote's LocalNode as a node-key wire reports it. */
function peerInfoOf(remote: LocalNode): Partial<PeerInfo> {
  return {
    id: remote.key.id,
    publicKey: remote.key.publicKey,
    channels: remote.info.channels,
    protocolVersion: remote.info.protocolVersion,
    listenAddress: remote.info.listenAddress,
    network: remote.info.network,
    userAgent: remote.info.userAgent,
  };
}

/** A payload of `size` bytes that names its channel and sequence number (when it has room). */
export function payload(channel: number, seq: number, size: number): Buffer {
  const out = Buffer.alloc(size, (seq * 31 + channel) & 0xff);
  if (size >= 8) {
    out.writeUInt32BE(channel, 0);
    out.writeUInt32BE(seq, 4);
  }
  return out;
}

interface Pair {
  a: Transport;
  b: Transport;
  endpoint: Endpoint;
  dialer: Connection;
  acceptor: Connection;
}

export function runTransportCompliance(
  name: string,
  makeHarness: () => TransportHarness,
  capabilities: WireCapabilities = ALL_CAPABILITIES,
): void {
  describe(`transport compliance: ${name}${lacking(capabilities)}`, () => {
    let harness: TransportHarness;
    /** The suite's messages as the current harness's wire carries them. */
    const adapter = (): MessageAdapter => harness.messages ?? AS_IS;
    const send = (connection: Connection, message: InboundMessage): boolean => {
      const wrapped = adapter().wrap(message);
      return connection.send(wrapped.channelId, wrapped.bytes);
    };
    const toClose: Transport[] = [];
    const carriers: Carrier[] = [];

    function create(label: string): Transport {
      const transport = harness.create(label);
      toClose.push(transport);
      return transport;
    }

    async function connect(
      localA = localNode('a'),
      localB = localNode('b'),
      handshake = true,
    ): Promise<Pair> {
      harness = makeHarness();
      const a = create('a');
      const b = create('b');
      const endpoint = await b.listen(harness.listenEndpoint('b'));
      const signal = AbortSignal.timeout(LONG_MS);
      const [dialer, acceptor] = await Promise.all([a.dial(endpoint, signal), b.accept(signal)]);
      if (handshake)
        await Promise.all([dialer.handshake(localA, signal), acceptor.handshake(localB, signal)]);
      return { a, b, endpoint, dialer, acceptor };
    }

    afterEach(async () => {
      for (const transport of toClose.splice(0)) await transport.close();
      for (const carrier of carriers.splice(0)) await carrier.close();
    });
    after(async () => {
      for (const transport of toClose.splice(0)) await transport.close();
    });

    it("handshake yields each side the other one's verified PeerInfo", async () => {
      harness = makeHarness();
      const localA = localNode('a');
      const localB = localNode('b', descriptors([2, 5]));
      const a = create('a');
      const b = create('b');
      const endpoint = await b.listen(harness.listenEndpoint('b'));
      assert.deepEqual(b.listenEndpoints(), [endpoint]);
      const signal = AbortSignal.timeout(LONG_MS);
      const [dialer, acceptor] = await Promise.all([a.dial(endpoint, signal), b.accept(signal)]);
      assert.equal(dialer.direction, 'outbound');
      assert.equal(acceptor.direction, 'inbound');
      assert.equal(dialer.remoteEndpoint.host, endpoint.host);
      assert.equal(dialer.remoteEndpoint.port, endpoint.port);
      assert.equal(acceptor.localEndpoint.host, endpoint.host);
      const [infoOfB, infoOfA] = await Promise.all([
        dialer.handshake(localA, signal),
        acceptor.handshake(localB, signal),
      ]);
      for (const [info, viewer, remote, remoteName] of [
        [infoOfB, dialer, localB, 'b'],
        [infoOfA, acceptor, localA, 'a'],
      ] as const) {
        const expected = harness.expectedPeerInfo?.(viewer, remote, remoteName) ?? peerInfoOf(remote);
        assert.ok(Object.keys(expected).length >= 5, 'the harness names what the wire reports');
        for (const [field, value] of Object.entries(expected))
          assert.deepEqual(info[field as keyof PeerInfo], value, field);
      }
      await expectCode(dialer.handshake(localA, signal), ErrorCode.InvalidArgument);
    });

    it('delivers messages of 0 B..1 MiB on several channels, FIFO per channel, both ways at once', async () => {
      const { dialer, acceptor } = await connect();
      const channels = [1, 2, 3];
      const perChannel = 120;
      const plan = (salt: number): InboundMessage[] => {
        const out: InboundMessage[] = [];
        for (let seq = 0; seq < perChannel; seq++) {
          for (const channel of channels) {
            let size = (seq * 7919 + channel * 104729 + salt) % 2048;
            if (seq % 40 === 17) size = 65536 + channel;
            if (seq === 60 + channel) size = 1024 * 1024;
            if (seq % 25 === 3) size = 0;
            out.push({ channelId: channel, bytes: payload(channel, seq, size) });
          }
        }
        return out;
      };
      const forward = plan(1);
      const backward = plan(2);
      const [, , gotAtB, gotAtA] = await Promise.all([
        sendAll(dialer, forward, adapter()),
        sendAll(acceptor, backward, adapter()),
        collect(acceptor, forward.length, adapter()),
        collect(dialer, backward.length, adapter()),
      ]);
      for (const [sent, got] of [
        [forward, gotAtB],
        [backward, gotAtA],
      ] as const) {
        assert.equal(got.length, sent.length);
        for (const channel of channels) {
          const want = sent.filter((m) => m.channelId === channel);
          const have = got.filter((m) => m.channelId === channel);
          assert.equal(have.length, want.length);
          for (let i = 0; i < want.length; i++)
            assert.ok(Buffer.from(have[i]!.bytes).equals(want[i]!.bytes), `channel ${channel} message ${i}`);
        }
      }
    });

    it('backpressure: a receiver that does not read makes send() return false, bounded; resuming delivers everything', async () => {
      const { dialer, acceptor } = await connect();
      const size = 64 * 1024;
      const maxMessages = 1024; // 64 MiB: far beyond any kernel and inbox buffering
      let sent = 0;
      let sawFalse = false;
      let maxBuffered = 0;
      let largest = 0;
      while (sent < maxMessages) {
        const wrapped = adapter().wrap({ channelId: 1, bytes: payload(1, sent, size) });
        largest = Math.max(largest, wrapped.bytes.byteLength);
        const ok = dialer.send(wrapped.channelId, wrapped.bytes);
        sent++;
        maxBuffered = Math.max(maxBuffered, dialer.bufferedBytes);
        if (ok) continue;
        sawFalse = true;
        // The receiver never reads, so the buffer stays full. A drain the kernel or the memory pipe can
        // still give comes within a few turns of the event loop (its I/O phase runs in each); none in
        // STALL_TURNS turns means everything in between is full. No timer: a slow machine only makes
        // the sender stop later, which the bounds below still check.
        const stalled = await Promise.race([dialer.drained().then(() => false), turns(STALL_TURNS).then(() => true)]);
        if (stalled) break;
      }
      assert.ok(sawFalse, 'send() returned false at some point');
      assert.ok(sent < maxMessages, 'the sender was stopped by backpressure');
      // Only a message sent at the mark can overshoot it (by its frame: the message plus a header).
      const mark = harness.writeHighWaterMark ?? DEFAULT_WRITE_HIGH_WATER_MARK;
      assert.ok(maxBuffered <= mark + largest + 16, `bufferedBytes stayed bounded (${maxBuffered})`);
      const received = await collect(acceptor, sent, adapter());
      assert.equal(received.length, sent);
      for (let i = 0; i < sent; i++) {
        assert.equal(received[i]!.bytes.length, size);
        assert.equal(Buffer.from(received[i]!.bytes).readUInt32BE(4), i);
      }
      await dialer.drained(AbortSignal.timeout(LONG_MS));
      assert.ok(dialer.bufferedBytes < mark);
    });

    it('dial aborted before or while connecting rejects with a typed error and leaves no connection', async () => {
      harness = makeHarness();
      const a = create('a');
      const b = create('b');
      const endpoint = await b.listen(harness.listenEndpoint('b'));
      const before = new AbortController();
      before.abort();
      await expectCode(a.dial(endpoint, before.signal), ErrorCode.Aborted);
      const during = new AbortController();
      const dialing = a.dial(endpoint, during.signal);
      during.abort();
      await expectCode(dialing, ErrorCode.Aborted);
      const deadline = new AbortController();
      const timing = a.dial(endpoint, deadline.signal);
      deadline.abort(new DOMException('deadline', 'TimeoutError'));
      await expectCode(timing, ErrorCode.Timeout);
      await turn();
      assert.equal((a as { connectionCount?: number }).connectionCount ?? 0, 0);
    });

    it('a pending accept rejects when its signal aborts, and with ERR_CLOSED when the transport closes', async () => {
      harness = makeHarness();
      const b = create('b');
      await b.listen(harness.listenEndpoint('b'));
      const controller = new AbortController();
      const pending = b.accept(controller.signal);
      controller.abort();
      await expectCode(pending, ErrorCode.Aborted);
      const second = b.accept(AbortSignal.timeout(LONG_MS));
      await b.close();
      await expectCode(second, ErrorCode.Closed);
      await expectCode(b.accept(AbortSignal.timeout(LONG_MS)), ErrorCode.Closed);
    });

    it('close() ends a pending reader quietly; close(error) makes it throw the error', async () => {
      const first = await connect();
      const reading = collect(first.acceptor, 1);
      await turn();
      first.acceptor.close();
      assert.deepEqual(await reading, []);
      assert.equal(await first.acceptor.closed, undefined);

      const second = await connect();
      const failing = collect(second.dialer, 1);
      await turn();
      const reason = new PeerwireError(ErrorCode.Stalled, 'test says stop');
      second.dialer.close(reason);
      await assert.rejects(failing, (error) => error === reason);
      assert.equal(await second.dialer.closed, reason);
    });

    it('a graceful close flushes what was sent; the remote reads it all, then sees the close', async () => {
      const { dialer, acceptor } = await connect();
      for (let i = 0; i < 50; i++) send(dialer, { channelId: 2, bytes: payload(2, i, 100 + i) });
      dialer.close();
      const got: InboundMessage[] = [];
      let error: unknown;
      try {
        for await (const message of acceptor) got.push(adapter().unwrap(message));
      } catch (caught) {
        error = caught;
      }
      assert.equal(got.length, 50);
      assert.equal(Buffer.from(got[49]!.bytes).readUInt32BE(4), 49);
      assert.ok(error instanceof PeerwireError);
      assert.ok([ErrorCode.Closed, ErrorCode.ConnectionFailed].includes(error.code as never), error.code);
      const reason = await acceptor.closed;
      assert.ok(reason instanceof PeerwireError);
      assert.equal(await dialer.closed, undefined);
    });

    it('send after close throws ERR_CLOSED; close is idempotent', async () => {
      const { dialer } = await connect();
      dialer.close();
      dialer.close(new PeerwireError(ErrorCode.Internal, 'ignored'));
      assert.throws(
        () => send(dialer, { channelId: 1, bytes: Buffer.from('late') }),
        (error) => error instanceof PeerwireError && error.code === ErrorCode.Closed,
      );
      assert.equal(await dialer.closed, undefined);
      await dialer.drained();
    });

    it('transport.close() closes its live connections; the remote sees them close', async () => {
      const { a, dialer, acceptor } = await connect();
      await a.close();
      const reason = await dialer.closed;
      assert.ok(reason instanceof PeerwireError);
      assert.equal(reason.code, ErrorCode.Closed);
      assert.ok((await acceptor.closed) instanceof PeerwireError);
      await expectCode(a.dial(harness.listenEndpoint('x'), AbortSignal.timeout(LONG_MS)), ErrorCode.Closed);
    });

    it('dialing where nobody listens fails with ERR_CONNECTION_FAILED naming the system error', async () => {
      harness = makeHarness();
      const a = create('a');
      const error = await expectCode(
        a.dial(await harness.unreachableEndpoint(), AbortSignal.timeout(LONG_MS)),
        ErrorCode.ConnectionFailed,
      );
      assert.match(error.message, /ECONNREFUSED/);
    });

    it('listening twice on one endpoint fails with ERR_TRANSPORT_ADDRESS_IN_USE', async () => {
      harness = makeHarness();
      const b = create('b');
      const c = create('c');
      const endpoint = await b.listen(harness.listenEndpoint('b'));
      await expectCode(c.listen(endpoint), TransportErrorCode.AddressInUse);
    });

    it('handshake deadline: a peer that never speaks fails the handshake with ERR_TIMEOUT, both directions', async () => {
      harness = makeHarness();
      const a = create('a');
      const silent = harness.createCarrier('silent');
      carriers.push(silent);
      const silentEndpoint = await silent.listen(harness.listenEndpoint('silent'));
      const [outbound] = await Promise.all([
        a.dial(silentEndpoint, AbortSignal.timeout(LONG_MS)),
        silent.accept(AbortSignal.timeout(LONG_MS)),
      ]);
      const error = await expectCode(
        outbound.handshake(localNode('a'), deadlineSignal(200)),
        ErrorCode.Timeout,
      );
      assert.equal(await outbound.closed, error);

      const b = create('b');
      const endpoint = await b.listen(harness.listenEndpoint('b'));
      const [inbound] = await Promise.all([
        b.accept(AbortSignal.timeout(LONG_MS)),
        silent.dial(endpoint, AbortSignal.timeout(LONG_MS)),
      ]);
      await expectCode(inbound.handshake(localNode('b'), deadlineSignal(200)), ErrorCode.Timeout);
    });

    if (capabilities.declaredChannels) {
      it('a message above the channel capacity closes the receiver with ERR_FRAME_TOO_LARGE', async () => {
        // The sender serves channel 9 too (with a larger capacity), so every wire sends on it normally.
        const { dialer, acceptor } = await connect(
          localNode('a', descriptors([1, 2, 3, 9])),
          localNode('b', descriptors([9], 1024)),
        );
        const reading = collect(acceptor, 2);
        assert.equal(dialer.send(9, Buffer.alloc(1024, 1)), true);
        dialer.send(9, Buffer.alloc(2048, 2));
        await assert.rejects(
          reading,
          (error) => error instanceof PeerwireError && error.code === ErrorCode.FrameTooLarge,
        );
        const reason = await acceptor.closed;
        assert.equal(reason?.code, ErrorCode.FrameTooLarge);
        assert.ok((await dialer.closed) instanceof PeerwireError);
      });

      it('a message on a channel the receiver did not advertise closes it with ERR_UNKNOWN_CHANNEL', async () => {
        const { dialer, acceptor } = await connect(localNode('a'), localNode('b', descriptors([1])));
        dialer.send(42, Buffer.from('hello?'));
        const reason = await acceptor.closed;
        assert.equal(reason?.code, ErrorCode.UnknownChannel);
      });
    }

    it('leaves no active handles after close', async () => {
      const baseline = handleCounts(NO_TIMERS);
      const { a, b, dialer, acceptor } = await connect();
      await Promise.all([
        sendAll(dialer, [{ channelId: 1, bytes: payload(1, 0, 1000) }], adapter()),
        collect(acceptor, 1, adapter()),
      ]);
      const pendingAccept = b.accept(AbortSignal.timeout(LONG_MS)).catch(() => undefined);
      await Promise.all([a.close(), b.close()]);
      await pendingAccept;
      await waitForHandlesAtMost(baseline, LONG_MS, NO_TIMERS);
    });
  });
}
