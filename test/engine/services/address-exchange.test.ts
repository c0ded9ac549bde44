// The address exchange's request pacing, on the manual clock, against a scripted peer (a stand-in
// router and channel that record what the service sends and what it reports). Two rules the network
// lab's partition and formation scenarios led to: on a link that carries nothing back (a partition),
// we do not pile requests up behind an unanswered one — a peer is asked again only once it has sent
// something since, and never with more than two requests in flight — so healing does not deliver a
// burst that the peer must punish; and the inbound rate is judged over the last three requests, so a
// pair delivered together is tolerated while a peer that keeps asking too fast is still banned.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import type { PeerwireError } from '../../../src/core/errors.ts';
import type { NodeAddress } from '../../../src/core/node-address.ts';
import type { PeerManagerApi, PeerUpdate } from '../../../src/engine/peers/types.ts';
import type { Router } from '../../../src/engine/router/router.ts';
import {
  AddressExchange,
  jsonAddressExchangeCodec,
  type AddressExchangeMessage,
} from '../../../src/engine/services/address-exchange.ts';

const INTERVAL_MS = 30_000;
const MIN_INBOUND_MS = 10_000;
const PEER = 'peer-a';

/** The service's side of one channel: inbound envelopes are pushed by the test, outbound recorded. */
class ScriptedChannel {
  readonly sent: { to: string; message: AddressExchangeMessage }[] = [];
  readonly reported: { peer: string; error: PeerwireError }[] = [];
  private readonly pending: { from: string; message: AddressExchangeMessage }[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  deliver(from: string, message: AddressExchangeMessage): void {
    this.pending.push({ from, message });
    this.wake?.();
  }

  send(envelope: { to: string; message: AddressExchangeMessage }): Promise<void> {
    this.sent.push(envelope);
    return Promise.resolve();
  }

  reportError(report: { peer: string; error: PeerwireError }): void {
    this.reported.push(report);
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<{ from: string; message: AddressExchangeMessage }> {
    for (;;) {
      const next = this.pending.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

interface Harness {
  readonly clock: ManualClock;
  readonly channel: ScriptedChannel;
  readonly service: AddressExchange;
  /** Requests we sent to PEER so far. */
  requests(): number;
  /** Kinds of violation reported against PEER so far. */
  violations(): string[];
  /** Lets the receive loop handle what was delivered. */
  settle(): Promise<void>;
  /** Announces another peer as the router would. */
  up(id: string, direction: 'inbound' | 'outbound'): void;
  /** Requests we sent to `id` so far. */
  requestsTo(id: string): number;
  /** Whether the stand-in store reports room for more addresses (PeerManagerApi.needsAddresses). */
  storeHasRoom: boolean;
}

function harness(): Harness {
  const clock = new ManualClock();
  const channel = new ScriptedChannel();
  let listener: ((update: PeerUpdate) => void) | undefined;
  const router = {
    openChannel: () => channel,
    subscribe: (l: (update: PeerUpdate) => void) => {
      listener = l;
      return () => (listener = undefined);
    },
    disconnect: () => undefined,
  } as unknown as Router;
  const store = { hasRoom: true };
  const peerManager = {
    selfId: 'self',
    add: (_address: NodeAddress) => true,
    addAll: (addresses: readonly NodeAddress[]) => addresses.length,
    advertise: () => [],
    needsAddresses: () => store.hasRoom,
  } as unknown as PeerManagerApi;
  const service = new AddressExchange(
    { router, peerManager, clock, random: () => 0 },
    {
      codec: jsonAddressExchangeCodec,
      requestIntervalMs: INTERVAL_MS,
      crawlIntervalMs: INTERVAL_MS,
      minInboundRequestIntervalMs: MIN_INBOUND_MS,
      freeInboundRequests: 2,
      targetPeers: 10,
    },
  );
  service.start();
  listener?.({ id: PEER, status: 'up', direction: 'outbound' });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    clock,
    channel,
    service,
    requests: () => channel.sent.filter((e) => e.to === PEER && e.message.kind === 'request').length,
    violations: () =>
      channel.reported.filter((r) => r.peer === PEER).map((r) => String((r.error.details as { kind?: unknown } | undefined)?.kind)),
    settle,
    up: (id, direction) => listener?.({ id, status: 'up', direction }),
    requestsTo: (id) => channel.sent.filter((e) => e.to === id && e.message.kind === 'request').length,
    get storeHasRoom() {
      return store.hasRoom;
    },
    set storeHasRoom(value: boolean) {
      store.hasRoom = value;
    },
  };
}

const answer: AddressExchangeMessage = { kind: 'addresses', addresses: [] };

describe('address exchange: whom a new connection asks', () => {
  it('asks a peer it dialed right away, never one that dialed it (CometBFT trusts outbound peers more)', async () => {
    const h = harness();
    try {
      h.up('peer-in', 'inbound');
      h.up('peer-out', 'outbound');
      await h.settle();
      assert.equal(h.requestsTo('peer-out'), 1);
      assert.equal(h.requestsTo('peer-in'), 0);
      assert.equal(h.requests(), 1, 'the harness peer is outbound: asked once');
    } finally {
      await h.service.stop();
    }
  });

  it('asks a new outbound peer only while the store has room for more addresses (CometBFT NeedMoreAddrs)', async () => {
    const h = harness();
    try {
      h.storeHasRoom = false;
      h.up('peer-out-full', 'outbound');
      await h.settle();
      assert.equal(h.requestsTo('peer-out-full'), 0, 'a full store asks nobody on connect');
      h.storeHasRoom = true;
      h.up('peer-out-room', 'outbound');
      await h.settle();
      assert.equal(h.requestsTo('peer-out-room'), 1, 'with room again, the next dialed peer is asked');
    } finally {
      await h.service.stop();
    }
  });
});

describe('address exchange: requests on a stalled link', () => {
  it('asks a silent peer once, however many crawl rounds pass (a partition piles nothing up)', async () => {
    const h = harness();
    try {
      await h.settle();
      assert.equal(h.requests(), 1, 'the first request goes out when the peer comes up');
      // Ten crawl rounds with nothing from the peer: the link may be stalled, so nothing more is queued.
      for (let round = 0; round < 10; round++) await h.clock.advance(INTERVAL_MS);
      assert.equal(h.requests(), 1);
      // The partition heals: the late answer to the one request is solicited, not a violation.
      h.channel.deliver(PEER, answer);
      await h.settle();
      assert.deepEqual(h.violations(), []);
      await h.clock.advance(INTERVAL_MS);
      assert.equal(h.requests(), 2, 'answered: the next crawl round asks again');
    } finally {
      await h.service.stop();
    }
  });

  it('asks again while unanswered only after the peer has sent something since, and never more than two in flight', async () => {
    const h = harness();
    try {
      await h.settle();
      assert.equal(h.requests(), 1);
      // The peer asks us (the link carries traffic): our unanswered request may have been lost, so ask again.
      h.channel.deliver(PEER, { kind: 'request' });
      await h.settle();
      await h.clock.advance(INTERVAL_MS);
      assert.equal(h.requests(), 2);
      // It keeps asking at a polite pace but never answers: two requests in flight is the cap.
      for (let round = 0; round < 5; round++) {
        h.channel.deliver(PEER, { kind: 'request' });
        await h.settle();
        await h.clock.advance(INTERVAL_MS);
      }
      assert.equal(h.requests(), 2);
      assert.deepEqual(h.violations(), [], 'a peer asking every 30 s is within the rules');
      // Both answers arrive; a third, which nobody asked for, is a violation.
      h.channel.deliver(PEER, answer);
      h.channel.deliver(PEER, answer);
      await h.settle();
      assert.deepEqual(h.violations(), []);
      h.channel.deliver(PEER, answer);
      await h.settle();
      assert.deepEqual(h.violations(), ['unsolicited-answer']);
    } finally {
      await h.service.stop();
    }
  });
});

describe('address exchange: the inbound request rate', () => {
  /** Delivers one request from PEER at the clock's current time and lets the service handle it. */
  async function askAt(h: Harness, atMs: number, start: number): Promise<void> {
    await h.clock.setTime(start + atMs);
    h.channel.deliver(PEER, { kind: 'request' });
    await h.settle();
  }

  it('tolerates a pair of requests delivered together after a stall', async () => {
    const h = harness();
    const start = h.clock.now();
    try {
      // Sent 10 s apart each, but the second pair arrives together (a stalled loop or link).
      for (const at of [0, 10_000, 40_000, 40_000, 70_000, 100_000]) await askAt(h, at, start);
      assert.deepEqual(h.violations(), []);
      const answers = h.channel.sent.filter((e) => e.to === PEER && e.message.kind === 'addresses').length;
      assert.equal(answers, 6, 'every request was answered');
    } finally {
      await h.service.stop();
    }
  });

  it('accepts a peer asking exactly at the interval for as long as it likes', async () => {
    const h = harness();
    const start = h.clock.now();
    try {
      for (let k = 0; k < 12; k++) await askAt(h, k * MIN_INBOUND_MS, start);
      assert.deepEqual(h.violations(), []);
    } finally {
      await h.service.stop();
    }
  });

  for (const everyMs of [0, 5_000, MIN_INBOUND_MS - 1_000]) {
    it(`bans a peer that keeps asking every ${everyMs} ms at its third request`, async () => {
      const h = harness();
      const start = h.clock.now();
      try {
        await askAt(h, 0, start);
        await askAt(h, everyMs, start);
        assert.deepEqual(h.violations(), [], 'the first two requests are free');
        await askAt(h, 2 * everyMs, start);
        assert.deepEqual(h.violations(), ['request-too-soon']);
      } finally {
        await h.service.stop();
      }
    });
  }
});
