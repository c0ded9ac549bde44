// The js-libp2p side-by-side suite: installs the pinned js-libp2p stack into bench/libp2p-compare on
// first use (its own package.json and lockfile, engine-strict off there only, never a dependency of
// peerwire), runs bench/libp2p-compare/compare.mjs with plain node once per test, and reports its JSON
// as figures beside the raw-TCP baselines of the same run. Any failure (no registry, a broken install,
// a crashed test) becomes a printed skip, never a crash of the whole benchmark.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { raceAbort } from '../../src/core/abort.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { BenchContext, Figure, Suite } from '../harness.ts';

const DIR = fileURLToPath(new URL('../libp2p-compare/', import.meta.url));
const SCRIPT = 'compare.mjs';
/** The version compare.mjs was written against (pinned in bench/libp2p-compare/package.json). */
const PINNED_LIBP2P = '3.3.11';
/** Install deadline (ms): a cold npm ci of ~110 small packages takes ~10 s here; 5 min allows a slow mirror. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;
/** Per-test deadline (ms); generous because the box may be shared with several busy workers. */
const TEST_TIMEOUT_MS = { quick: 120_000, full: 600_000 } as const;
/** Bytes of a failing child's stderr kept for the skip reason. */
const STDERR_TAIL = 600;

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<Outcome> {
  const child = spawn(cmd, args, { cwd: DIR, stdio: ['ignore', 'pipe', 'pipe'] });
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

function installedVersion(): string | undefined {
  const pkg = `${DIR}node_modules/libp2p/package.json`;
  if (!existsSync(pkg)) return undefined;
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version;
}

/** Installs the comparison stack if needed; returns a reason to skip when that is impossible. */
async function ensureInstalled(ctx: BenchContext): Promise<string | undefined> {
  if (installedVersion() === PINNED_LIBP2P) return undefined;
  const lockfile = existsSync(`${DIR}package-lock.json`);
  // --engine-strict=false on the command line: `npm run` exports the project's engine-strict=true to
  // child processes as npm_config_engine_strict, which would override this folder's .npmrc.
  const args = [
    lockfile ? 'ci' : 'install',
    '--engine-strict=false',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  ctx.log(`libp2p: installing the comparison stack (npm ${args[0]} in bench/libp2p-compare) ...`);
  try {
    const r = await run('npm', args, INSTALL_TIMEOUT_MS);
    if (r.code !== 0) return `npm ${args[0]} failed (exit ${r.code}): ${r.stderr.trim().slice(-STDERR_TAIL)}`;
  } catch (err) {
    return `npm ${args[0]} did not finish: ${err instanceof Error ? err.message : String(err)}`;
  }
  const v = installedVersion();
  return v === PINNED_LIBP2P ? undefined : `installed libp2p is ${v ?? 'missing'}, expected ${PINNED_LIBP2P}`;
}

type Json = Record<string, number | string | null>;

async function runTest(ctx: BenchContext, test: string, params: object, exposeGc = false): Promise<Json> {
  const args = [...(exposeGc ? ['--expose-gc'] : []), SCRIPT, test, JSON.stringify(params)];
  const r = await run(process.execPath, args, TEST_TIMEOUT_MS[ctx.config.quick ? 'quick' : 'full']);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.code !== 0 || line === undefined) {
    throw new PeerwireError(
      ErrorCode.Internal,
      `compare.mjs ${test} failed (exit ${r.code}): ${r.stderr.trim().slice(-STDERR_TAIL)}`,
    );
  }
  return JSON.parse(line.slice('RESULT '.length)) as Json;
}

const num = (j: Json, key: string): number => {
  const v = j[key];
  if (typeof v !== 'number') throw new PeerwireError(ErrorCode.Malformed, `compare.mjs result lacks ${key}`);
  return v;
};

type Part = (ctx: BenchContext) => Promise<Figure[]>;

const PARTS: Readonly<Record<string, Part>> = {
  async msgs(ctx) {
    const { measureMs: ms, warmupMs, repeat } = ctx.config;
    const j = await runTest(ctx, 'msgs', { size: 1024, ms, warmupMs, repeat });
    return [
      {
        id: 'libp2p.msgs.1k',
        label: 'js-libp2p 1 KiB msgs, one send() each, one stream, 2 procs',
        value: num(j, 'msgsPerSec'),
        unit: 'msg/s',
        better: 'higher',
        range: [num(j, 'minMsgsPerSec'), num(j, 'maxMsgsPerSec')],
        compare: [{ to: 'tcp.msgs.1k.each' }, { to: 'sealed.1k.frames' }],
        details: {
          clientCpuUsPerMsg: j.clientCpuUsPerMsg ?? null,
          serverCpuSPerGB: j.serverCpuSPerGB ?? null,
        },
      },
    ];
  },
  async bulk(ctx) {
    const { measureMs: ms, warmupMs, repeat } = ctx.config;
    // Bulk needs a longer warm-up than small messages: the first megabytes run through cold noise code.
    const j = await runTest(ctx, 'upload', { size: 65536, ms, warmupMs: Math.max(warmupMs, 500), repeat });
    const mbps = (k: string): number => (num(j, k) * 65536) / 1e6;
    return [
      {
        id: 'libp2p.bulk.64k',
        label: 'js-libp2p bulk upload, 64 KiB sends, one stream, 2 procs',
        value: num(j, 'MBps'),
        unit: 'MB/s',
        better: 'higher',
        range: [mbps('minMsgsPerSec'), mbps('maxMsgsPerSec')],
        compare: [{ to: 'tcp.bulk.64k' }, { to: 'sealed.64k.MBps' }],
        details: { clientCpuSPerGB: j.clientCpuSPerGB ?? null, serverCpuSPerGB: j.serverCpuSPerGB ?? null },
      },
    ];
  },
  async rtt(ctx) {
    const out: Figure[] = [];
    for (const procs of [2, 1] as const) {
      const j = await runTest(ctx, 'rtt', {
        procs,
        size: 1024,
        ms: ctx.config.rttMs,
        warmupCount: ctx.config.rttWarmup,
      });
      for (const q of ['p50', 'p99'] as const) {
        out.push({
          id: `libp2p.rtt.1k.${procs}p.${q}`,
          label: `js-libp2p 1 KiB echo RTT ${q}, ${procs === 2 ? '2 procs' : '1 process'}`,
          value: num(j, `${q}us`),
          unit: 'us',
          better: 'lower',
          compare: [{ to: `tcp.rtt.1k.${procs}p.${q}` }],
          details: { samples: j.samples ?? null },
        });
      }
    }
    return out;
  },
  async setup(ctx) {
    const j = await runTest(ctx, 'dial', {
      count: ctx.config.dials,
      warmupCount: Math.min(20, ctx.config.dials),
    });
    const details = {
      dialP50ms: j.dialP50ms ?? null,
      dialP99ms: j.dialP99ms ?? null,
      connsPerSec: j.connsPerSec ?? null,
      count: j.count ?? null,
    };
    const fig = (id: string, label: string, key: string, unit: string): Figure => ({
      id,
      label,
      value: num(j, key),
      unit,
      better: 'lower',
      details,
    });
    return [
      fig(
        'libp2p.setup.p50',
        'js-libp2p setup (TCP + noise + yamux) + first round trip, p50',
        'setupP50ms',
        'ms',
      ),
      fig('libp2p.setup.p99', 'js-libp2p setup + first round trip, p99', 'setupP99ms', 'ms'),
      fig(
        'libp2p.setup.cpu.client',
        'js-libp2p CPU per connection setup, dialer',
        'clientCpuMsPerConn',
        'CPU-ms',
      ),
      fig(
        'libp2p.setup.cpu.server',
        'js-libp2p CPU per connection setup, listener',
        'serverCpuMsPerConn',
        'CPU-ms',
      ),
    ];
  },
  async memory(ctx) {
    const j = await runTest(ctx, 'conns', { count: ctx.config.conns }, true);
    const fig = (side: string, what: string, key: string): Figure => ({
      id: `libp2p.mem.${what}.${side}`,
      label: `js-libp2p ${what === 'heap' ? 'heap' : 'RSS'} per idle connection, ${side} (${ctx.config.conns} conns)`,
      value: num(j, key),
      unit: 'KiB/conn',
      better: 'lower',
      details: { count: j.count ?? null },
    });
    return [
      fig('client', 'heap', 'clientHeapKiBPerConn'),
      fig('server', 'heap', 'serverHeapKiBPerConn'),
      fig('client', 'rss', 'clientRssKiBPerConn'),
      fig('server', 'rss', 'serverRssKiBPerConn'),
    ];
  },
};

export const libp2pSuite: Suite = {
  name: 'libp2p',
  description: 'js-libp2p 3.x (TCP + noise + yamux) measured in the same run',
  async run(ctx) {
    if (!ctx.config.libp2p) {
      ctx.results.skip('libp2p', 'disabled by BENCH_LIBP2P=0');
      return;
    }
    const reason = await ensureInstalled(ctx);
    if (reason !== undefined) {
      ctx.results.skip('libp2p', reason);
      return;
    }
    for (const [name, part] of Object.entries(PARTS)) {
      ctx.log(`libp2p: ${name}`);
      try {
        for (const figure of await part(ctx)) ctx.results.add('libp2p', figure);
      } catch (err) {
        ctx.results.skip(`libp2p.${name}`, err instanceof Error ? err.message : String(err));
      }
    }
  },
};
