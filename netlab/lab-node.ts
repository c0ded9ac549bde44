// One `peerwire node` process of the lab, run inside its namespace through the real command
// (`ip netns exec <ns> node bin/peerwire.js node --config <home>/node.toml`), with the lab profile,
// JSON logs appended to a file, and /status and /metrics on the namespace's own loopback. Start,
// graceful stop (SIGTERM, then SIGKILL after a grace), kill -9, and the last lines of its log.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Wire } from './topology.ts';

/** The peerwire command the lab drives. */
export const PEERWIRE_BIN = fileURLToPath(new URL('../bin/peerwire.js', import.meta.url));
/** Chain id of the lab's CometBFT nodes (any fixed string: every lab node must agree on it). */
export const LAB_CHAIN_ID = 'netlab';
/** Zcash network of the lab's Zcash nodes: regtest has its own magic, so nothing real would talk to it. */
export const LAB_ZCASH_NETWORK = 'zcash-regtest';
/** How long a SIGTERM'd node may take to persist its store and exit (ms) before SIGKILL. */
const STOP_GRACE_MS = 15_000;
/** Bytes read from the end of a log for its last lines. */
const LOG_TAIL_BYTES = 64 * 1024;
/** Most bytes of a log read at once when counting events (a node logs a few hundred bytes per peer event). */
const LOG_READ_MAX_BYTES = 16 * 1024 * 1024;

export interface NodeSpec {
  readonly name: string;
  readonly ns: string;
  readonly wire: Wire;
  readonly ip: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly home: string;
  readonly logPath: string;
}

export interface StartOptions {
  /** Seeds: CometBFT `id@ip:port`, Zcash `ip:port`. */
  readonly seeds?: readonly string[];
  /** Persistent (CometBFT) / start-up (Zcash) peers. */
  readonly peers?: readonly string[];
  /** Seconds added to the node's wall clock. */
  readonly clockOffset?: number;
  readonly maxOutbound?: number;
  readonly maxInbound?: number;
  /** Delete the home folder first (a new host with a new identity and an empty store). */
  readonly freshHome?: boolean;
}

function tomlString(text: string): string {
  return JSON.stringify(text);
}

/** The node.toml of a lab node (keys: docs/config.md). */
export function nodeToml(spec: NodeSpec, options: StartOptions): string {
  const lines = [
    '# Written by the peerwire network lab (netlab/lab-node.ts) for one lab host.',
    `wire = ${tomlString(spec.wire)}`,
    spec.wire === 'cometbft' ? `chain_id = ${tomlString(LAB_CHAIN_ID)}` : `network = ${tomlString(LAB_ZCASH_NETWORK)}`,
    `home = ${tomlString(spec.home)}`,
    `listen = ${tomlString(`${spec.ip}:${spec.port}`)}`,
    `metrics = ${tomlString(`127.0.0.1:${spec.metricsPort}`)}`,
    'log_format = "json"',
    'log_level = "info"',
    'lab_network = true',
    `seeds = [${(options.seeds ?? []).map(tomlString).join(', ')}]`,
    `peers = [${(options.peers ?? []).map(tomlString).join(', ')}]`,
  ];
  if (options.clockOffset !== undefined && options.clockOffset !== 0) lines.push(`clock_offset = ${Math.trunc(options.clockOffset)}`);
  if (options.maxOutbound !== undefined) lines.push(`max_outbound = ${options.maxOutbound}`);
  if (options.maxInbound !== undefined) lines.push(`max_inbound = ${options.maxInbound}`);
  return `${lines.join('\n')}\n`;
}

export class LabNode {
  readonly spec: NodeSpec;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** When the current process started (ms), or undefined while down. */
  startedAt: number | undefined;
  /** Starts so far (restarts included). */
  starts = 0;
  /** The options of the last start (a restart reuses them). */
  lastOptions: StartOptions = {};

  constructor(spec: NodeSpec) {
    this.spec = spec;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(options: StartOptions = this.lastOptions): Promise<void> {
    if (this.child !== undefined) throw new Error(`${this.spec.name} is already running`);
    if (options.freshHome === true) await rm(this.spec.home, { recursive: true, force: true });
    await mkdir(this.spec.home, { recursive: true });
    const config = join(this.spec.home, 'node.toml');
    await writeFile(config, nodeToml(this.spec, options));
    this.lastOptions = { ...options, freshHome: false };
    const log = await open(this.spec.logPath, 'a');
    const env: NodeJS.ProcessEnv = {};
    // Only what a node needs: no PEERWIRE_* from the controller's environment can change a lab node.
    for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[key] !== undefined) env[key] = process.env[key];
    const child = spawn('ip', ['netns', 'exec', this.spec.ns, process.execPath, PEERWIRE_BIN, 'node', '--config', config], {
      stdio: ['ignore', log.fd, log.fd],
      env,
    });
    await log.close();
    this.child = child;
    this.startedAt = Date.now();
    this.starts++;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.child === child) {
          this.child = undefined;
          this.startedAt = undefined;
        }
        resolve();
      });
      child.once('error', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
  }

  /** kill -9: no chance to persist anything. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the node persists its store and exits 0), SIGKILL after a grace. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident memory of the node process (bytes, from /proc), or undefined while down. */
  async residentBytes(): Promise<number | undefined> {
    const pid = this.child?.pid;
    if (pid === undefined) return undefined;
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
      return match === null ? undefined : Number(match[1]) * 1024;
    } catch {
      return undefined;
    }
  }

  /** The log's current size: a mark to read only what comes after it (logFrom). */
  async logSize(): Promise<number> {
    try {
      const file = await open(this.spec.logPath, 'r');
      try {
        return (await file.stat()).size;
      } finally {
        await file.close();
      }
    } catch {
      return 0;
    }
  }

  /** Complete log lines written after byte `offset` (at most LOG_READ_MAX_BYTES of them). */
  async logFrom(offset: number): Promise<string[]> {
    try {
      const file = await open(this.spec.logPath, 'r');
      try {
        const { size } = await file.stat();
        const length = Math.max(0, Math.min(size - offset, LOG_READ_MAX_BYTES));
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, offset);
        return buffer.toString('utf8').split('\n').filter((l) => l !== '');
      } finally {
        await file.close();
      }
    } catch {
      return [];
    }
  }

  /** The last `count` lines of the node's log. */
  async logTail(count: number): Promise<string[]> {
    try {
      const file = await open(this.spec.logPath, 'r');
      try {
        const { size } = await file.stat();
        const length = Math.min(size, LOG_TAIL_BYTES);
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, size - length);
        return buffer.toString('utf8').split('\n').filter((l) => l !== '').slice(-count);
      } finally {
        await file.close();
      }
    } catch {
      return [];
    }
  }
}
