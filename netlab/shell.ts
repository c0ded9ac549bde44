// The lab's only way to run system commands (`ip`, `sysctl`): each call has a deadline, collects its
// output, and fails with the command line and its stderr, so a half-built lab says exactly which step
// broke. Commands get argument arrays, never a shell string.

import { spawn } from 'node:child_process';

/** Longest any single `ip` or `sysctl` call may take (ms): they answer in milliseconds; a hang is a bug. */
export const COMMAND_TIMEOUT_MS = 15_000;
/** Output kept per stream (bytes): route and link listings of a lab are a few kilobytes. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Resolve with a non-zero exit code instead of throwing. */
  readonly allowFail?: boolean;
}

export class CommandError extends Error {
  readonly result: CommandResult;
  constructor(command: string, result: CommandResult) {
    super(`${command} exited ${result.code}: ${result.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    this.name = 'CommandError';
    this.result = result;
  }
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const line = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if ((outBytes += chunk.length) <= MAX_OUTPUT_BYTES) out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if ((errBytes += chunk.length) <= MAX_OUTPUT_BYTES) err.push(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${line}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal === null ? '' : ` (killed by ${signal})`),
      };
      if (result.code !== 0 && options.allowFail !== true) reject(new CommandError(line, result));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** `ip [-n ns] args...`. */
export function ip(ns: string | undefined, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return run('ip', ns === undefined ? args : ['-n', ns, ...args], options);
}

/** Many `ip` commands in one process (`ip -batch -`): building a lab is hundreds of them. */
export async function ipBatch(ns: string | undefined, lines: readonly string[], options: RunOptions = {}): Promise<CommandResult | undefined> {
  if (lines.length === 0) return undefined;
  return ip(ns, ['-batch', '-'], { ...options, input: `${lines.join('\n')}\n` });
}

/** `ip -j ...` parsed as JSON (an empty answer is an empty list). */
export async function ipJson<T>(ns: string | undefined, args: readonly string[]): Promise<T[]> {
  const result = await ip(ns, ['-j', ...args]);
  const text = result.stdout.trim();
  return text === '' ? [] : (JSON.parse(text) as T[]);
}

/** Runs a command inside a namespace (`ip netns exec`). */
export function inNamespace(ns: string, command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return run('ip', ['netns', 'exec', ns, command, ...args], options);
}
