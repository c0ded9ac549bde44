// The two small Python helpers the lab runs inside namespaces (probe.py, tun-delay.py) as child
// processes spoken to by lines: spawn inside a namespace, wait for the helper's first line (it is
// ready), send command lines, read answer lines, and close (stdin end, then SIGKILL after a grace).
// ProbeAgent matches answers to requests by id, with a deadline per request.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The helpers live beside this file. */
export const HELPER_DIR = fileURLToPath(new URL('.', import.meta.url));
/** How long a helper may take to print its first line (ms): Python starts in well under a second. */
const READY_TIMEOUT_MS = 15_000;
/** Grace between closing a helper's stdin and killing it (ms). */
const CLOSE_GRACE_MS = 2_000;
/** Longest wait for one probe answer (ms): probe.py gives up on a fetch after 5 s itself. */
export const PROBE_TIMEOUT_MS = 12_000;

export class HelperProcess {
  protected readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private exited = false;
  private readonly exit: Promise<void>;
  /** Called with every line when set (ProbeAgent dispatches by id); otherwise lines queue for nextLine(). */
  protected onLine: ((line: string) => void) | undefined;

  protected constructor(ns: string, script: string, args: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'python3', `${HELPER_DIR}${script}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.resume();
    this.exit = new Promise((resolve) => this.child.once('close', () => {
      this.exited = true;
      this.waiter?.();
      resolve();
    }));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.onLine !== undefined && this.lines.length === 0 && line !== '') this.onLine(line);
      else this.lines.push(line);
      this.waiter?.();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The next line, or an error after `timeoutMs` or when the helper exits. */
  protected async nextLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.exited) throw new Error('helper exited');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer from helper within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  protected async ready(): Promise<string> {
    return this.nextLine(READY_TIMEOUT_MS);
  }

  protected send(line: string): void {
    if (!this.exited) this.child.stdin.write(`${line}\n`);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await this.exit;
    clearTimeout(timer);
  }
}

export interface ProbeAnswer {
  /** HTTP status; 0 when the fetch failed. */
  readonly status: number;
  readonly body: string;
  readonly error?: string;
}

/** Fetches http://127.0.0.1:<port><path> inside one namespace. */
export class ProbeAgent extends HelperProcess {
  private nextId = 0;
  private readonly pending = new Map<string, (answer: ProbeAnswer) => void>();

  private constructor(ns: string, maxSeconds: number) {
    super(ns, 'probe.py', ['--max-seconds', String(maxSeconds)]);
  }

  static async start(ns: string, maxSeconds: number): Promise<ProbeAgent> {
    const agent = new ProbeAgent(ns, maxSeconds);
    await agent.ready();
    agent.onLine = (line) => {
      let parsed: { id?: string; status?: number; body?: string; error?: string };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return;
      }
      const resolve = agent.pending.get(parsed.id ?? '');
      if (resolve === undefined) return;
      agent.pending.delete(parsed.id ?? '');
      resolve({ status: parsed.status ?? 0, body: parsed.body ?? '', ...(parsed.error === undefined ? {} : { error: parsed.error }) });
    };
    return agent;
  }

  fetch(port: number, path: string): Promise<ProbeAnswer> {
    const id = `r${++this.nextId}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ status: 0, body: '', error: 'probe timed out' });
      }, PROBE_TIMEOUT_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.send(`${id} ${port} ${path}`);
    });
  }
}

export interface DelayLineStats {
  readonly received: number;
  readonly dropped_loss: number;
  readonly dropped_overflow: number;
  readonly forwarded: number;
  readonly write_errors: number;
  readonly queued: number;
}

/** The TUN delay line (tun-delay.py) in the router namespace. */
export class DelayLine extends HelperProcess {
  private constructor(ns: string, dev: string, maxSeconds: number, seed: number) {
    super(ns, 'tun-delay.py', ['--dev', dev, '--max-seconds', String(maxSeconds), '--seed', String(seed)]);
  }

  static async start(ns: string, dev: string, maxSeconds: number, seed: number): Promise<DelayLine> {
    const line = new DelayLine(ns, dev, maxSeconds, seed);
    const first = await line.ready();
    if (first !== 'ready') throw new Error(`delay line did not start: ${first}`);
    return line;
  }

  /** One-way delay ± uniform jitter (ms) and loss probability for every forwarded packet. */
  async set(delayMs: number, jitterMs: number, loss: number): Promise<void> {
    this.send(`set ${delayMs} ${jitterMs} ${loss}`);
    const answer = await this.nextLine(READY_TIMEOUT_MS);
    if (answer !== 'ok') throw new Error(`delay line refused set: ${answer}`);
  }

  async stats(): Promise<DelayLineStats> {
    this.send('stats');
    return JSON.parse(await this.nextLine(READY_TIMEOUT_MS)) as DelayLineStats;
  }
}
