// A benchmark helper (no test framework, no timers): operations per second of Zebra's address book
// over the PeerManager at a full 5,000-entry book, for the benchmark suite and for quick checks. It
// measures the four operations a node performs on the book:
// - `update`: a heartbeat answer (update-responded) applied through the updater;
// - `insertAtCap`: a gossiped address entering a full book (one entry evicted);
// - `dialNext`: choosing the next reconnection candidate (and recording the failed dial);
// - `sanitize`: building the gossip list (what a getaddr cache refresh costs).
// Time comes from a stepping clock moved by the helper itself, so figures measure only CPU.

import type { Clock, Timer } from '../../src/core/clock.ts';
import { MemoryPeerStore } from '../../src/engine/peers/memory-peer-store.ts';
import { PeerManager } from '../../src/engine/peers/peer-manager.ts';
import { ZebraPolicy } from '../../src/zcash/policy/zebra-policy.ts';
import { AddressBook } from '../../src/zcash/services/address-book.ts';

export interface AddressBookBenchOptions {
  /** Entries in the book. Default 5,000 (Zebra's cap). */
  readonly entries?: number;
  /** Timed phase per operation, ms. Default 1,000. */
  readonly timeMs?: number;
  /** Untimed warm-up per operation, ms. Default 200. */
  readonly warmupMs?: number;
}

export interface AddressBookBenchResult {
  readonly entries: number;
  /** Operations per second, by operation. */
  readonly opsPerSec: {
    readonly update: number;
    readonly insertAtCap: number;
    readonly dialNext: number;
    readonly sanitize: number;
  };
}

/** A clock that moves only when the benchmark says so; timers never fire (the helper drains itself). */
class SteppingClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(_ms: number, _callback: () => void): Timer {
    return { cancel: () => undefined };
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

function addrOf(n: number): string {
  return `20.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:8233`;
}

function rate(op: () => void, timeMs: number, warmupMs: number): number {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) op();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < timeMs || count < 5) {
    op();
    count++;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** Builds a full book and measures its operations (see the file comment). */
export async function measureAddressBookOps(
  options: AddressBookBenchOptions = {},
): Promise<AddressBookBenchResult> {
  const entries = options.entries ?? 5000;
  const timeMs = options.timeMs ?? 1000;
  const warmupMs = options.warmupMs ?? 200;
  const clock = new SteppingClock(1_704_067_200_000);
  const policy = new ZebraPolicy({ maxAddresses: entries });
  let seed = 1;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pm = new PeerManager({ selfId: 'bench-self', clock, store: new MemoryPeerStore(), policy, random });
  await pm.start();
  const book = new AddressBook({ peerManager: pm, policy, clock, random });
  book.start();
  const seconds = (): number => Math.floor(clock.t / 1000);
  for (let i = 0; i < entries; i++)
    book.addGossiped([{ addr: addrOf(i), services: 1n, untrustedLastSeen: seconds() - (i % 3600) }]);

  let n = 0;
  const update = rate(
    () => {
      clock.t += 10_000;
      book.send({ kind: 'update-responded', addr: addrOf(n++ % entries), rttMs: 50 });
      book.drain();
    },
    timeMs,
    warmupMs,
  );
  let fresh = entries;
  const insertAtCap = rate(
    () => {
      clock.t += 1;
      book.addGossiped([{ addr: addrOf(fresh++), services: 1n, untrustedLastSeen: seconds() }]);
    },
    timeMs,
    warmupMs,
  );
  const dialNext = rate(
    () => {
      clock.t += policy.limits.minDialInterval;
      const address = pm.dialNext();
      if (address !== undefined) pm.dialFailed(address);
    },
    timeMs,
    warmupMs,
  );
  const sanitize = rate(() => void book.sanitized(), timeMs, warmupMs);
  book.stop();
  await pm.stop();
  return { entries, opsPerSec: { update, insertAtCap, dialNext, sanitize } };
}
