// The CometBFT send pump's failure path: when sealing fails because the send nonce counter ran out
// (the session was built, by injection, with its counter two frames before 2^64-1), the pump reports
// NonceExhausted once through its failure callback, which a CometbftConnection turns into a close.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import type { PeerwireError } from '../../../src/core/errors.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import { MConnectionCore } from '../../../src/cometbft/wire/mconnection/mconnection-core.ts';
import { MConnectionPump } from '../../../src/cometbft/wire/mconnection-pump.ts';
import { SecretConnectionErrorCode } from '../../../src/cometbft/wire/secret-connection/errors.ts';
import { FrameNonce } from '../../../src/cometbft/wire/secret-connection/frame-format.ts';
import { FrameOpener } from '../../../src/cometbft/wire/secret-connection/frame-opener.ts';
import { FrameSealer } from '../../../src/cometbft/wire/secret-connection/frame-sealer.ts';
import { SecretSession } from '../../../src/cometbft/wire/secret-connection/session.ts';
import { memoryLinks } from '../../helpers/memory-links.ts';
import { LONG_MS } from '../../transport/compliance.ts';

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
});
