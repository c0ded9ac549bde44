// Installs the pinned js-libp2p stack that bench/libp2p-compare measures, robustly: a run once lost
// every js-libp2p ratio to one transient DNS failure (EAI_AGAIN) during `npm ci`. So the install
// - is skipped when node_modules already matches the committed lockfile (a stamp holds its hash);
// - prefers npm's own cache (~/.npm, outside the repo: a second worktree or a wiped node_modules
//   installs without the network) and lets npm retry each fetch;
// - is retried as a whole after a short pause when npm still fails;
// - ends with one clear reason naming the folder and the manual fix, which the suite prints as a skip.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { raceAbort } from '../../src/core/abort.ts';
import { sleep } from '../harness.ts';

/** The version compare.mjs was written against (pinned in bench/libp2p-compare/package.json). */
export const PINNED_LIBP2P = '3.3.11';
/** Install deadline per attempt (ms): a cold npm ci of ~110 small packages takes ~10 s here. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;
/** Whole-install attempts, and the pause before each retry (a DNS hiccup lasts seconds). */
const INSTALL_ATTEMPTS = 3;
const RETRY_PAUSE_MS = [5_000, 15_000] as const;
/** npm's own retries per fetch (its default is 2), before an attempt fails. */
const FETCH_RETRIES = 4;
/** Bytes of a failing child's stderr kept for the reason. */
const STDERR_TAIL = 600;
/** Written into node_modules after a good install: the lockfile hash it was installed from. */
const STAMP = 'node_modules/.peerwire-lock-sha256';

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in `cwd`, keeping its stdout and the last 64 KiB of stderr; kills it at the deadline. */
export function runIn(
  cwd: string,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<Outcome> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-64 * 1024)));
  const done = new Promise<Outcome>((resolve) => {
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: `${stderr}\n${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return raceAbort(done, AbortSignal.timeout(timeoutMs)).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
}

function lockHash(dir: string): string {
  return createHash('sha256')
    .update(readFileSync(`${dir}package-lock.json`))
    .digest('hex');
}

function installedVersion(dir: string): string | undefined {
  const pkg = `${dir}node_modules/libp2p/package.json`;
  if (!existsSync(pkg)) return undefined;
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version;
}

/** True when node_modules was installed from this lockfile and holds the pinned libp2p. */
function upToDate(dir: string): boolean {
  const stamp = `${dir}${STAMP}`;
  return (
    installedVersion(dir) === PINNED_LIBP2P &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === lockHash(dir)
  );
}

/**
 * Makes `dir` (ending in '/') hold the pinned stack; returns undefined when it does, else why not.
 * `pauseMs` replaces the retry pauses (tests).
 */
export async function ensureLibp2pInstalled(
  dir: string,
  log: (message: string) => void,
  options: { readonly npm?: string; readonly pauseMs?: readonly number[] } = {},
): Promise<string | undefined> {
  if (upToDate(dir)) return undefined;
  // --engine-strict=false on the command line: `npm run` exports the project's engine-strict=true to
  // child processes as npm_config_engine_strict, which would override this folder's .npmrc.
  const args = [
    'ci',
    '--engine-strict=false',
    '--prefer-offline',
    `--fetch-retries=${FETCH_RETRIES}`,
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  const pauses = options.pauseMs ?? RETRY_PAUSE_MS;
  let last = '';
  for (let attempt = 1; attempt <= INSTALL_ATTEMPTS; attempt++) {
    log(
      `libp2p: installing the comparison stack (npm ci in ${dir}, attempt ${attempt}/${INSTALL_ATTEMPTS}) ...`,
    );
    try {
      const r = await runIn(dir, options.npm ?? 'npm', args, INSTALL_TIMEOUT_MS);
      if (r.code === 0) {
        const v = installedVersion(dir);
        if (v === PINNED_LIBP2P) {
          writeFileSync(`${dir}${STAMP}`, `${lockHash(dir)}\n`);
          return undefined;
        }
        last = `installed libp2p is ${v ?? 'missing'}, expected ${PINNED_LIBP2P}`;
      } else {
        last = `exit ${r.code}: ${r.stderr.trim().slice(-STDERR_TAIL)}`;
      }
    } catch (err) {
      last = `did not finish: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (attempt < INSTALL_ATTEMPTS) await sleep(pauses[attempt - 1] ?? pauses[pauses.length - 1] ?? 0);
  }
  return (
    `npm ci in ${dir} failed ${INSTALL_ATTEMPTS} times (last: ${last}). ` +
    `The registry is needed once; run \`cd ${dir} && npm ci --engine-strict=false\` by hand, ` +
    'or set BENCH_LIBP2P=0 to skip the comparison'
  );
}
