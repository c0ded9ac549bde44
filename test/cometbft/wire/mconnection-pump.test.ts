// The CometBFT send pump: its failure path (when sealing fails because the send nonce counter ran out,
// the session built by injection with its counter two frames before 2^64-1, the pump reports
// NonceExhausted once through its failure callback, which a CometbftConnection turns into a close), and
// its flush timing: one sealed write per turn, so a pong owed for a received ping shares the frames of
// the reply sent in the same turn, and still goes out alone when no reply comes.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import type { PeerwireError } from '../../../src/core/errors.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import { MConnectionCore } from '../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import { MConnectionPump } from '../../../src/cometbft/wire/mconnection-pump.ts';
import {
  PING_WIRE,
  PONG_WIRE,
  writeDelimitedPacketMsg,
} from '../../../src/cometbft/wire/mconnection/packet-codec.ts';
import { SecretConnectionErrorCode } from '../../../src/cometbft/wire/secret-connection/errors.ts';
import { FrameNonce } from '../../../src/cometbft/wire/secret-connection/frame-format.ts';
import { FrameOpener } from '../../../src/cometbft/wire/secret-connection/frame-opener.ts';
import { FrameSealer } from '../../../src/cometbft/wire/secret-connection/frame-sealer.ts';
import { SecretSession } from '../../../src/cometbft/wire/secret-connection/session.ts';
import { memoryLinks } from '../../helpers/memory-links.ts';
import { LONG_MS } from '../../transport/compliance.ts';

/** A pump on one end of a memory link whose far end records every sealed chunk it receives. */
async function recordingPump(signal: AbortSignal) {
  const links = await memoryLinks(signal);
  const key = randomBytes(32);
  const sealer = new FrameSealer(key);
  let seals = 0;
  const session = new SecretSession(NodeKey.generate().publicKey, sealer, new FrameOpener(key));
  const seal = sealer.seal.bind(sealer);
  sealer.seal = (chunks) => {
    seals++;
    return seal(chunks);
  };
  const clock = new ManualClock();
  const core = new MConnectionCore({
    channels: [{ id: 1, priority: 1, sendQueueCapacity: 8, recvMessageCapacity: 1 << 20 }],
    clock,
  });
  const failures: PeerwireError[] = [];
  const pump = new MConnectionPump(core, session, links.dialer, clock, (e) => failures.push(e));
  const chunks: Buffer[] = [];
  links.acceptor.attach({ onData: (chunk) => chunks.push(Buffer.from(chunk)), onClose: () => {} });
  const opener = new FrameOpener(key);
  return {
    core,
    pump,
    failures,
    seals: () => seals,
    /** The plaintext stream the far end received so far. */
    received: (): Buffer => Buffer.concat(chunks.flatMap((c) => opener.open(c))),
    close: async () => {
      pump.stop(undefined);
      await links.close();
    },
  };
}

/** Lets the current turn end and the memory link deliver (a few event-loop turns, no timers). */
async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('mconnection pump', () => {
  it('a send nonce counter that runs out fails the pump once with NonceExhausted', async () => {
    const links = await memoryLinks(AbortSignal.timeout(LONG_MS));
    try {
      const link = links.dialer;
      const key = randomBytes(32);
      const session = new SecretSession(
        NodeKey.generate().publicKey,
        new FrameSealer(key, new FrameNonce(2n ** 64n - 2n)),
        new FrameOpener(key),
      );
      const clock = new ManualClock();
      const core = new MConnectionCore({
        channels: [{ id: 1, priority: 1, sendQueueCapacity: 8, recvMessageCapacity: 1 << 20 }],
        clock,
      });
      const failures: PeerwireError[] = [];
      let failed!: () => void;
      const firstFailure = new Promise<void>((resolve) => {
        failed = resolve;
      });
      const pump = new MConnectionPump(core, session, link, clock, (error) => {
        failures.push(error);
        failed();
      });
      // 3000 bytes need three frames; only one nonce (2^64-2) is left.
      pump.send(1, Buffer.alloc(3000, 1));
      await firstFailure;
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(
        failures.map((e) => e.code),
        [SecretConnectionErrorCode.NonceExhausted],
      );
      pump.stop(failures[0]);
      link.close();
    } finally {
      await links.close();
    }
  });

  it('a pong owed for a ping shares one sealed write with the reply sent later in the same turn', async () => {
    const p = await recordingPump(AbortSignal.timeout(LONG_MS));
    try {
      const reply = Buffer.alloc(1024, 7);
      p.core.receiveBytes(PING_WIRE);
      p.pump.kick();
      // The application answers a few promise jobs later (an inbox hop, a for-await, its own await).
      for (let i = 0; i < 5; i++) await Promise.resolve();
      p.pump.send(1, reply);
      await turns();
      const expected = Buffer.alloc(PONG_WIRE.length + 1100);
      expected.set(PONG_WIRE, 0);
      const end = writeDelimitedPacketMsg(expected, PONG_WIRE.length, 1, true, reply);
      assert.deepEqual(p.received(), expected.subarray(0, end));
      assert.equal(p.seals(), 1, 'pong and reply sealed together');
      assert.deepEqual(p.failures, []);
    } finally {
      await p.close();
    }
  });

  it('a pong owed with no reply in the turn still goes out at the end of that turn', async () => {
    const p = await recordingPump(AbortSignal.timeout(LONG_MS));
    try {
      p.core.receiveBytes(PING_WIRE);
      p.pump.kick();
      await turns();
      assert.deepEqual(p.received(), Buffer.from(PONG_WIRE));
      assert.equal(p.seals(), 1);
      // Sends in separate turns are separate writes: batching never waits past a turn.
      p.pump.send(1, Buffer.alloc(10, 1));
      await turns();
      p.pump.send(1, Buffer.alloc(10, 2));
      await turns();
      assert.equal(p.seals(), 3);
    } finally {
      await p.close();
    }
  });
});
