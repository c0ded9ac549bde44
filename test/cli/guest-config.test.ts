// The CometBFT guest and outbound-rotation settings are `peerwire node` config keys, not only library
// options: a node built from the config (as `peerwire node` builds it) carries them into its policy,
// and a guest is closed at the configured timeout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/cli/config.ts';
import { createConfiguredNode } from '../../src/cli/configured-node.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { noopMetrics } from '../../src/core/metrics.ts';
import { CHAIN_ID } from '../cometbft/wire/evil-peer-harness.ts';
import { honestPeer } from '../attack/probes.ts';

async function withNode(settings: Record<string, unknown>, body: (node: Awaited<ReturnType<typeof createConfiguredNode>>) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'peerwire-guest-config-'));
  const config = validateConfig({ chain_id: CHAIN_ID, home, listen: '127.0.0.1:0', pex: true, ...settings });
  const node = await createConfiguredNode(config, silentLogger, noopMetrics);
  node.start();
  try {
    await body(node);
  } finally {
    await node.stop();
    await rm(home, { recursive: true, force: true });
  }
}

test('outbound_rotation_seconds and max_inbound_guests reach the peer policy (0 turns each off)', async () => {
  await withNode({ outbound_rotation_seconds: 0, max_inbound_guests: 0 }, async (node) => {
    assert.equal(node.peerManager.policy.limits.outboundRotationInterval, 0);
    assert.equal(node.peerManager.policy.limits.maxInboundGuests, 0);
  });
  await withNode({ outbound_rotation_seconds: 120, max_inbound_guests: 2 }, async (node) => {
    assert.equal(node.peerManager.policy.limits.outboundRotationInterval, 120_000);
    assert.equal(node.peerManager.policy.limits.maxInboundGuests, 2);
  });
  assert.throws(() => validateConfig({ chain_id: CHAIN_ID, guest_timeout_seconds: 0 }), /guest_timeout_seconds/);
});

test('guest_timeout_seconds: a guest that never asks for addresses is closed at the configured timeout', async () => {
  await withNode({ max_inbound: 1, guest_timeout_seconds: 1 }, async (node) => {
    const port = Number(node.listen!.split(':').at(-1));
    const member = await honestPeer('cometbft', port, '127.0.3.1'); // takes the one inbound slot
    const guest = await honestPeer('cometbft', port, '127.0.3.2'); // let in as a guest; stays silent
    const started = performance.now();
    // Bounded wait: the default timeout is 5 s, so a close well before it shows the key took effect.
    for (let i = 0; i < 40 && guest.alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const closedAfterMs = performance.now() - started;
    assert.equal(guest.alive(), false, 'the guest was closed');
    // Not refused at once (it was let in as a guest), and closed long before the default 5 s.
    assert.ok(closedAfterMs > 500 && closedAfterMs < 3_500, `guest closed after ${Math.round(closedAfterMs)} ms (timeout 1 s, default 5 s)`);
    assert.equal(member.alive(), true, 'the member keeps its slot');
    member.close();
  });
});
