// Shared fixtures for the Zebra policy and Zcash service tests: a PeerManager running ZebraPolicy on a
// ManualClock with a memory store, the AddressBook service over it, deterministic public addresses,
// and helpers that play the router's part (dial, connect, disconnect).

import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { PeerwireError } from '../../../src/core/errors.ts';
import type { NodeAddress } from '../../../src/core/node-address.ts';
import { MemoryPeerStore } from '../../../src/engine/peers/memory-peer-store.ts';
import { PeerManager } from '../../../src/engine/peers/peer-manager.ts';
import type { PeerRecord } from '../../../src/engine/peers/types.ts';
import { nodeAddressOf } from '../../../src/zcash/policy/book-address.ts';
import { ZebraPolicy, type ZebraPolicyOptions } from '../../../src/zcash/policy/zebra-policy.ts';
import { AddressBook } from '../../../src/zcash/services/address-book.ts';
import type { PeerInfo } from '../../../src/transport/types.ts';
import { seededRandom } from '../../engine/peers/peer-fixtures.ts';

export { seededRandom };

/** Our own id on the Zcash wire (never a stored peer). */
export const ZSELF = '198.51.100.200:8233';

/** A public IPv4 address on the Mainnet port for n (distinct IPs for n < 2^24). */
export function zaddr(n: number, port = 8233): string {
  return `20.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:${port}`;
}

export function zinfo(id: string, userAgent = '/Zebra:6.3.0/'): PeerInfo {
  return { id, protocolVersion: '170140', channels: [0, 1, 2, 3, 4], userAgent };
}

export function naddr(text: string): NodeAddress {
  const a = nodeAddressOf(text);
  assert.ok(a !== undefined, `bad test address ${text}`);
  return a;
}

export interface ZebraHarness {
  readonly clock: ManualClock;
  readonly store: MemoryPeerStore;
  readonly policy: ZebraPolicy;
  readonly pm: PeerManager;
  readonly book: AddressBook;
  /** Seconds since the epoch, now. */
  nowSeconds(): number;
}

export interface ZebraHarnessOptions {
  readonly policy?: ZebraPolicyOptions;
  readonly initial?: readonly PeerRecord[];
  readonly localListener?: string;
  readonly queueCapacity?: number;
  readonly seed?: number;
  /** Hide the policy's dial order, so the planner ranks every candidate (the reference for the index). */
  readonly withoutDialOrder?: boolean;
}

export async function zebraHarness(options: ZebraHarnessOptions = {}): Promise<ZebraHarness> {
  const clock = new ManualClock();
  const store = new MemoryPeerStore(options.initial ?? []);
  const policy = new ZebraPolicy(options.policy ?? {});
  if (options.withoutDialOrder === true) Object.defineProperty(policy, 'dialOrder', { value: undefined });
  const pm = new PeerManager({
    selfId: ZSELF,
    clock,
    store,
    policy,
    random: seededRandom(options.seed ?? 1),
  });
  await pm.start();
  const book = new AddressBook({
    peerManager: pm,
    policy,
    clock,
    random: seededRandom((options.seed ?? 1) + 1),
    ...(options.localListener === undefined ? {} : { localListener: options.localListener }),
    ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
  });
  book.start();
  return { clock, store, policy, pm, book, nowSeconds: () => Math.floor(clock.now() / 1000) };
}

/** Plays the router: dials the next candidate and completes the handshake; returns its id. */
export function dialAndConnect(h: ZebraHarness, expected?: string): string {
  const address = h.pm.dialNext();
  assert.ok(address !== undefined, 'expected a dial candidate');
  const id = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  if (expected !== undefined) assert.equal(id, expected);
  h.pm.dialed(address, zinfo(id));
  h.pm.ready(id, zinfo(id), 'outbound');
  return id;
}

/** An inbound connection from `id` (ip:ephemeral port), admitted and ready. */
export function acceptInbound(h: ZebraHarness, id: string): void {
  h.pm.accepted(id, zinfo(id));
  h.pm.ready(id, zinfo(id), 'inbound');
}

/**
 * Plays the router for one dial outcome: a failed dial, or a handshake (which the PeerManager may still
 * refuse with a typed error, e.g. a second connection to one IP).
 */
export function settleDial(h: ZebraHarness, address: NodeAddress, id: string, ok: boolean): void {
  if (!ok) {
    h.pm.dialFailed(address);
    return;
  }
  try {
    h.pm.dialed(address, zinfo(id));
    h.pm.ready(id, zinfo(id), 'outbound');
  } catch (error) {
    assert.ok(error instanceof PeerwireError);
  }
}

/** Disconnects the connected peer `pick` points at (modulo their count), if any. */
export function disconnectOne(h: ZebraHarness, pick: number): void {
  const connected = h.pm.peers().filter((p) => p.direction !== undefined);
  const victim = connected[pick % Math.max(1, connected.length)];
  if (victim !== undefined) h.pm.disconnected(victim.id);
}
