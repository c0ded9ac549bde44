// The honest newcomer as a real node (joiner.ts in its own process) rather than the probes' raw
// client: join times of `tries` fresh nodes dialing the victim one after another, each from its own
// 127.0.2.x address, measured inside the joiner from start() to a handshake the victim keeps. Used by
// the slowloris probe while its attack runs. Bounded: each try gives up after `timeoutMs`, and the
// joiner process is killed if it outlives all of them.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Victim, Wire } from './probes.ts';

/** Time for the joiner process itself to load and build its first node, on a loaded machine (ms). */
const STARTUP_ALLOWANCE_MS = 60_000;

export async function nodeJoins(victim: Victim, wire: Wire, tries: number, timeoutMs: number): Promise<number[]> {
  const script = new URL('./joiner.ts', import.meta.url).pathname;
  const args = ['--import', 'tsx', script, wire, String(victim.port), victim.id, String(tries), String(timeoutMs)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const joins: number[] = [];
  const killer = setTimeout(() => child.kill('SIGKILL'), STARTUP_ALLOWANCE_MS + tries * (timeoutMs + 5_000));
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /^join (\S+)$/.exec(line);
        if (match !== null) joins.push(Number(match[1]));
      });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`joiner exited with ${code}`))));
    });
  } finally {
    clearTimeout(killer);
  }
  while (joins.length < tries) joins.push(Number.POSITIVE_INFINITY);
  return joins;
}
