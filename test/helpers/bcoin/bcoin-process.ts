// Starts and stops the bcoin launcher (run-bcoin.cjs) as a child process for tests: picks free
// loopback ports that Zebra's port rules accept, waits for `READY`, mines blocks on request, and kills
// the process on stop (SIGTERM, then SIGKILL if it lingers).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../ports.ts';

const LAUNCHER = fileURLToPath(new URL('./run-bcoin.cjs', import.meta.url));

/**
 * Zebra refuses these ports for outbound peers (docs/protocols/zcash.md §4.2: the default ports of other networks and
 * of zcashd's RPC), so a test peer must not listen on them.
 */
const REFUSED_PORTS = new Set([8232, 18232, 18344, 8033, 18033, 16125, 26125]);

/** A currently free 127.0.0.1 TCP port outside Zebra's refused set. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await freeLoopbackPort();
    if (!REFUSED_PORTS.has(port)) return port;
  }
}

export interface BcoinOptions {
  /** Zcash regtest magic, protocol version 170160, NODE_NETWORK (docs/protocols/zcash.md §10.1 "Zcash-like mode"). */
  readonly zcashLike?: boolean;
  /** A loopback `ip:port` bcoin dials. */
  readonly connect?: string;
  /** Addresses put in its address table (answered to getaddr). */
  readonly hosts?: readonly string[];
  /** Startup deadline, in ms. Default 90 s (the machine may be loaded). */
  readonly startTimeoutMs?: number;
}

export interface BcoinPeer {
  readonly port: number;
  readonly userAgent: string;
  /** Mines one block; resolves with its hash in display order. */
  mine(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export const BCOIN_ZCASH_USER_AGENT = '/bcoin:1.0.2(zcash-like-test)/';

export async function startBcoin(options: BcoinOptions = {}): Promise<BcoinPeer> {
  const port = await freePort();
  let httpPort = await freePort();
  while (httpPort === port) httpPort = await freePort();
  const args = [LAUNCHER, `--port=${port}`, `--http-port=${httpPort}`];
  if (options.zcashLike === true) {
    args.push(
      '--zcash-magic',
      '--proto-version=170160',
      '--services=1',
      `--user-agent=${BCOIN_ZCASH_USER_AGENT}`,
    );
  }
  if (options.connect !== undefined) args.push(`--connect=${options.connect}`);
  if (options.hosts !== undefined && options.hosts.length > 0)
    args.push(`--hosts=${options.hosts.join(',')}`);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const waiter = waiters.findIndex((w) => w.match.test(line));
      if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(line);
      else lines.push(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitLine = (match: RegExp, timeoutMs: number, what: string): Promise<string> => {
    const early = lines.findIndex((l) => match.test(l));
    if (early >= 0) return Promise.resolve(lines.splice(early, 1)[0]!);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bcoin: no ${what} within ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      const waiter = {
        match,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.push(waiter);
      void exited.then((code) => {
        clearTimeout(timer);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`bcoin exited (${code}) before ${what}; stderr: ${stderr}`));
      });
    });
  };

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitLine(/^READY /, options.startTimeoutMs ?? 90_000, 'READY');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    userAgent: options.zcashLike === true ? BCOIN_ZCASH_USER_AGENT : '/bcoin:1.0.2/',
    mine: async (timeoutMs = 60_000) => {
      child.stdin.write('mine\n');
      const line = await waitLine(/^(MINED|ERROR) /, timeoutMs, 'MINED');
      if (line.startsWith('ERROR')) throw new Error(`bcoin mining failed: ${line}`);
      return line.slice('MINED '.length).trim();
    },
    stop,
  };
}
