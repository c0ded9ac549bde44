// One side of a two-party benchmark (a receiver, an echo server, a listener), run either in a forked
// child process ("2 processes", the default for throughput and setup figures, so each side has its own
// event loop and its CPU can be told apart) or in the benchmark process itself ("1 process", the stable
// latency signal on a VM whose cross-process wake-ups are noisy). A side is a module exporting
// `handlers`; the suite drives it with `side.call(op, arg)` either way, so the same code measures both.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ErrorCode, PeerwireError } from '../src/core/errors.ts';
import { memoryAfterGc } from './memory.ts';
import { YoungAllocation } from './young-allocation.ts';

/** An operation a side offers; its argument and result cross a process boundary (structured clone). */
export type SideHandler = (arg: unknown) => unknown;

/** What a side module exports as `handlers`. A `close` handler, if present, runs when the side closes. */
export type SideHandlers = Readonly<Record<string, SideHandler>>;

export interface Side {
  /** True when the side runs in its own process (its CPU and memory are then its own). */
  readonly separate: boolean;
  call<T>(op: string, arg?: unknown): Promise<T>;
  /** CPU seconds used by the side's process so far (the benchmark process itself when in-process). */
  cpuSeconds(): Promise<number>;
  /** The side's process memory after a full GC. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Starts counting the side's young-generation allocation (bench/young-allocation.ts). */
  allocationStart(): Promise<void>;
  /** Bytes the side allocated young since allocationStart(). */
  allocationStop(): Promise<number>;
  close(): Promise<void>;
}

export interface SideRequest {
  readonly id: number;
  readonly op: string;
  readonly arg?: unknown;
}

export type SideReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** Built-in operations every side answers (the `$` prefix keeps them apart from module handlers). */
export const SideOp = {
  cpu: '$cpu',
  memory: '$memory',
  allocationStart: '$allocationStart',
  allocationStop: '$allocationStop',
  close: '$close',
} as const;

/** The young-generation count of the process a side runs in (one per process: an in-process side shares it). */
const allocation = new YoungAllocation();

/** Id of the unsolicited "ready" message a child sends once its module is loaded. */
export const READY_ID = 0;

/** How long a child gets to exit after `$close` before it is killed (ms). */
const CHILD_EXIT_GRACE_MS = 2000;

function loadHandlers(mod: unknown, where: string): SideHandlers {
  const handlers = (mod as { handlers?: unknown }).handlers;
  if (typeof handlers !== 'object' || handlers === null) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `${where} does not export "handlers"`);
  }
  return handlers as SideHandlers;
}

async function importHandlers(moduleUrl: URL): Promise<SideHandlers> {
  return loadHandlers(await import(moduleUrl.href), moduleUrl.href);
}

function callHandler(handlers: SideHandlers, op: string, arg: unknown): unknown {
  const handler = handlers[op];
  if (handler === undefined)
    throw new PeerwireError(ErrorCode.InvalidArgument, `side has no handler "${op}"`);
  return handler(arg);
}

class InProcessSide implements Side {
  readonly separate = false;

  constructor(private readonly handlers: SideHandlers) {}

  async call<T>(op: string, arg?: unknown): Promise<T> {
    return (await callHandler(this.handlers, op, arg)) as T;
  }

  cpuSeconds(): Promise<number> {
    const u = process.cpuUsage();
    return Promise.resolve((u.user + u.system) / 1e6);
  }

  memory(): Promise<NodeJS.MemoryUsage> {
    return Promise.resolve(memoryAfterGc());
  }

  allocationStart(): Promise<void> {
    allocation.start();
    return Promise.resolve();
  }

  allocationStop(): Promise<number> {
    return Promise.resolve(allocation.stop());
  }

  async close(): Promise<void> {
    if (this.handlers.close !== undefined) await this.handlers.close(undefined);
  }
}

class ChildSide implements Side {
  readonly separate = true;
  private nextId = READY_ID + 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (message) => {
      const reply = message as SideReply;
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new PeerwireError(ErrorCode.Internal, `side: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = new PeerwireError(
        ErrorCode.Closed,
        `side process exited (code ${code}, signal ${signal})`,
      );
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Resolves once the child has loaded its module (or rejects if it dies first). */
  ready(): Promise<unknown> {
    return this.wait(READY_ID);
  }

  private wait(id: number): Promise<unknown> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async call<T>(op: string, arg?: unknown): Promise<T> {
    const id = this.nextId++;
    const reply = this.wait(id);
    const request: SideRequest = { id, op, arg };
    this.child.send(request);
    return (await reply) as T;
  }

  async cpuSeconds(): Promise<number> {
    return this.call<number>(SideOp.cpu);
  }

  async memory(): Promise<NodeJS.MemoryUsage> {
    return this.call<NodeJS.MemoryUsage>(SideOp.memory);
  }

  async allocationStart(): Promise<void> {
    await this.call(SideOp.allocationStart);
  }

  async allocationStop(): Promise<number> {
    return this.call<number>(SideOp.allocationStop);
  }

  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = once(this.child, 'exit');
    try {
      await this.call(SideOp.close);
    } catch {
      // The child may exit before it answers; the exit below is what matters.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CHILD_EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

const SIDE_ENTRY = fileURLToPath(new URL('./side-entry.ts', import.meta.url));

/**
 * Opens a side. `procs: 2` forks bench/side-entry.ts (under tsx, with --expose-gc) which loads
 * `moduleUrl` in the child; `procs: 1` imports the module into this process.
 */
export async function openSide(moduleUrl: URL, options: { readonly procs: 1 | 2 }): Promise<Side> {
  if (options.procs === 1) return new InProcessSide(await importHandlers(moduleUrl));
  const child = fork(SIDE_ENTRY, [moduleUrl.href], {
    // bench-dist-register.mjs after tsx: the side runs the compiled package unless BENCH_DIST=0, like the parent.
    execArgv: [
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      new URL('../scripts/bench-dist-register.mjs', import.meta.url).href,
      '--expose-gc',
      // BENCH_SIDE_ARGS: extra node flags for every side process (e.g. --trace-gc), space-separated.
      ...(process.env.BENCH_SIDE_ARGS === undefined ? [] : process.env.BENCH_SIDE_ARGS.split(' ')),
    ],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const side = new ChildSide(child);
  try {
    await side.ready();
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return side;
}

/** The child half: answers requests from the parent with the module's handlers. Used by side-entry.ts. */
export async function serveSide(moduleUrl: URL): Promise<void> {
  const handlers = await importHandlers(moduleUrl);
  const send = (reply: SideReply): void => {
    process.send?.(reply);
  };
  const answer = async (request: SideRequest): Promise<unknown> => {
    switch (request.op) {
      case SideOp.cpu: {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }
      case SideOp.memory:
        return memoryAfterGc();
      case SideOp.allocationStart:
        allocation.start();
        return null;
      case SideOp.allocationStop:
        return allocation.stop();
      case SideOp.close:
        if (handlers.close !== undefined) await handlers.close(undefined);
        setImmediate(() => process.exit(0));
        return null;
      default:
        return callHandler(handlers, request.op, request.arg);
    }
  };
  process.on('message', (message) => {
    const request = message as SideRequest;
    answer(request).then(
      (value) => send({ id: request.id, ok: true, value }),
      (err: unknown) =>
        send({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  // The parent died or closed the channel: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  send({ id: READY_ID, ok: true, value: 'ready' });
}

/**
 * A running count inside a side (bytes or frames received) that the parent waits on: `waitFor(n)`
 * resolves once the count reaches n. One waiter at a time, which is all a benchmark phase needs.
 */
export class ProgressCounter {
  private value = 0;
  private waiter: { readonly target: number; readonly resolve: (count: number) => void } | undefined;

  get count(): number {
    return this.value;
  }

  reset(): void {
    this.value = 0;
    this.waiter = undefined;
  }

  add(n: number): void {
    this.value += n;
    const w = this.waiter;
    if (w !== undefined && this.value >= w.target) {
      this.waiter = undefined;
      w.resolve(this.value);
    }
  }

  waitFor(target: number): Promise<number> {
    if (this.value >= target) return Promise.resolve(this.value);
    if (this.waiter !== undefined)
      throw new PeerwireError(ErrorCode.InvalidArgument, 'one waitFor at a time');
    return new Promise((resolve) => {
      this.waiter = { target, resolve };
    });
  }
}
