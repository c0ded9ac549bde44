// The js-libp2p side-by-side suite: installs the pinned js-libp2p stack into bench/libp2p-compare on
// first use (libp2p-install.ts: its own package.json and lockfile, engine-strict off there only, never
// a dependency of peerwire; retried, and served from npm's cache when it can), runs
// bench/libp2p-compare/compare.mjs with plain node once per test, and reports its JSON as figures
// beside the raw-TCP baselines of the same run. Any failure (no registry, a broken install, a crashed
// test) becomes a printed skip, never a crash of the whole benchmark.

import { fileURLToPath } from 'node:url';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { BenchContext, Figure, Suite } from '../harness.ts';
import { ensureLibp2pInstalled, runIn } from './libp2p-install.ts';
import { BURST_SETTLE_MS, IDLE_SETTLE_MS, samplingPoint } from '../memory.ts';

const DIR = fileURLToPath(new URL('../libp2p-compare/', import.meta.url));
const SCRIPT = 'compare.mjs';
/** Per-test deadline (ms); generous because the box may be shared with several busy workers. */
const TEST_TIMEOUT_MS = { quick: 120_000, full: 600_000 } as const;
/** Bytes of a failing child's stderr kept for the skip reason. */
const STDERR_TAIL = 600;

type Json = Record<string, number | string | null>;

async function runTest(ctx: BenchContext, test: string, params: object, exposeGc = false): Promise<Json> {
  const args = [...(exposeGc ? ['--expose-gc'] : []), SCRIPT, test, JSON.stringify(params)];
  const r = await runIn(DIR, process.execPath, args, TEST_TIMEOUT_MS[ctx.config.quick ? 'quick' : 'full']);
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
      // CPU per message, both processes: the message-rate figure's companion. It tells how much of a
      // rate ratio is CPU spent per message and how much is how each stack keeps the pipe full. On a
      // shared box it moves with the load too (peerwire's moved 22 -> 41 us between two runs).
      ...(typeof j.serverCpuSPerGB === 'number'
        ? [
            {
              id: 'libp2p.msgs.1k.cpu',
              label: 'js-libp2p CPU per 1 KiB msg, both processes',
              value: num(j, 'clientCpuUsPerMsg') + (j.serverCpuSPerGB * 1024) / 1e3,
              unit: 'CPU-us',
              better: 'lower' as const,
            },
          ]
        : []),
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
    const j = await runTest(
      ctx,
      'conns',
      { count: ctx.config.conns, settleMs: IDLE_SETTLE_MS, burstMs: BURST_SETTLE_MS },
      true,
    );
    const figures: Figure[] = [];
    for (const idle of [false, true]) {
      for (const side of ['client', 'server'] as const) {
        for (const what of ['heap', 'rss'] as const) {
          figures.push({
            id: `libp2p.mem.${what}.${side}${idle ? '.idle' : ''}`,
            label: `js-libp2p ${what === 'heap' ? 'heap' : 'RSS'} per idle connection, ${side} (${ctx.config.conns} conns, ${samplingPoint(idle)})`,
            value: num(j, `${side}${what === 'heap' ? 'Heap' : 'Rss'}KiBPerConn${idle ? 'Idle' : ''}`),
            unit: 'KiB/conn',
            better: 'lower',
            details: { count: j.count ?? null },
          });
        }
      }
    }
    return figures;
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
    const reason = await ensureLibp2pInstalled(DIR, (m) => ctx.log(m));
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
