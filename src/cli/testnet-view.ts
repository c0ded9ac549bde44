// The live status view of `peerwire testnet`: on a terminal, a small block redrawn in place every
// tick; otherwise (a pipe, CI, a test) one line per period, so logs stay readable. Both end with the
// same summary. Pure formatting: it is handed snapshots and a writer.

import type { TestnetResult, TestnetSnapshot, WireSnapshot } from './testnet/testnet.ts';

/** A line every this many ms when not on a terminal. */
export const PLAIN_PERIOD_MS = 5_000;

function ms(value: number | undefined): string {
  return value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function rate(value: number): string {
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}

function wireLine(w: WireSnapshot): string {
  const reached = w.reached.filter(Boolean).length;
  const complete = w.held.filter((h) => h >= w.originated).length;
  return `${w.wire.padEnd(8)} nodes ${w.peers.length}  peers [${w.peers.join(' ')}] (target ${w.target}, reached ${reached}/${w.peers.length})  messages ${w.originated} originated, complete at ${complete}/${w.peers.length} nodes`;
}

function totalsLine(s: TestnetSnapshot): string {
  return `handshakes ${s.handshakes}  msg/s ${Math.round(s.messagesPerSecond)}  bytes/s ${rate(s.bytesPerSecond)}  rtt p50 ${ms(s.rttP50Ms)} ms p99 ${ms(s.rttP99Ms)} ms (loop delay p99 ${ms(s.loopDelayP99Ms)} ms)  errors ${s.errors}`;
}

export class TestnetView {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private drawnLines = 0;
  private lastPlain = -Infinity;

  constructor(write: (text: string) => void, tty: boolean) {
    this.write = write;
    this.tty = tty;
  }

  update(s: TestnetSnapshot): void {
    if (s.phase === 'done') return;
    const seconds = (s.elapsedMs / 1000).toFixed(0);
    if (this.tty) {
      const lines = [`peerwire testnet  ${s.phase}  ${seconds} s`, ...s.wires.map(wireLine), totalsLine(s)];
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      this.drawnLines = lines.length;
      return;
    }
    if (s.elapsedMs - this.lastPlain < PLAIN_PERIOD_MS) return;
    this.lastPlain = s.elapsedMs;
    const peers = s.wires.map((w) => `${w.wire} peers [${w.peers.join(' ')}]`).join('  ');
    this.write(`[${seconds.padStart(3)} s] ${s.phase}  ${peers}  ${totalsLine(s)}\n`);
  }

  summary(result: TestnetResult): void {
    const s = result.snapshot;
    const lines = [
      `testnet summary after ${(s.elapsedMs / 1000).toFixed(1)} s:`,
      ...s.wires.map((w) => `  ${wireLine(w)}`),
      `  handshakes ${s.handshakes}, disconnects ${s.disconnects}, ${s.messagesReceived} demo messages (${rate(s.bytesReceived)}) received, rtt p50 ${ms(s.rttP50Ms)} ms p99 ${ms(s.rttP99Ms)} ms over ${s.rttSamples} probes, errors ${s.errors}${s.lastError === undefined ? '' : ` (last: ${s.lastError.slice(0, 120)})`}`,
      `  rtt: an application probe through the router queue and the far node's receive loop, one node at a time between the instants when every node starts a flood; all ${s.wires.reduce((n, w) => n + w.peers.length, 0)} nodes share one event loop (its delay p99 ${ms(s.loopDelayP99Ms)} ms: the floods' bursts), so it includes the other nodes' work`,
      result.ok ? 'OK: every node reached its target peer count and all traffic arrived' : `FAILED: ${result.failures.join('; ')}`,
    ];
    this.write(`${lines.join('\n')}\n`);
  }
}
