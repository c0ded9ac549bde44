// `npm run netlab`: the network-scale reliability lab. Builds a sealed network of hosts in network
// namespaces (network.ts), proves it is sealed (isolation.ts), runs one `peerwire node` per host, and
// runs the scenarios in order, each with its own pass rule and figures; prints a table and the
// closing line `N passed, M failed`, and writes a JSON report with --report FILE. Needs root (network
// namespaces); without it, says so in one line and exits 0 without claiming anything.
//
//   npm run netlab                      full run: 12 hosts, scenarios 1-7 (about 20 minutes)
//   npm run netlab -- --quick           CI run: 6 hosts, formation, partition, crash-restart (< 3 min)
//   options: --hosts N  --report FILE  --only name,name  --attackers N  --seed N (delay line's loss
//   pattern)  --keep (keep homes and logs)
//
// Every loop is bounded: each scenario has its own limits, the helpers exit on their own after the
// run's time bound, and a watchdog aborts the run past it. SIGINT/SIGTERM abort the run, and the lab
// removes every namespace, link, rule and process it made before exiting.

import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanStaleRuns, runFolder, writeRunState } from './cleanup.ts';
import { checkIsolation } from './isolation.ts';
import { Lab } from './lab.ts';
import { closingLine, formatTable, writeReport, type ScenarioReport } from './report.ts';
import type { Scenario, ScenarioContext } from './scenario.ts';
import { bringUp, formation } from './scenarios/formation.ts';
import { partition } from './scenarios/partition.ts';
import { latencyLoss } from './scenarios/latency-loss.ts';
import { crashRestart } from './scenarios/crash-restart.ts';
import { churn } from './scenarios/churn.ts';
import { eclipse, ECLIPSE_ATTACKERS } from './scenarios/eclipse.ts';
import { clockSkew } from './scenarios/clock-skew.ts';
import { run } from './shell.ts';

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [formation, partition, latencyLoss, crashRestart, churn, eclipse, clockSkew];
/** The quick run's scenarios (CI): the ones that exercise routing faults and restarts in little time. */
export const QUICK_SCENARIOS: readonly string[] = ['formation', 'partition', 'crash-restart'];
/** Default host counts: the issue's 12 (6 per wire); the quick run's 6 (3 per wire). */
const DEFAULT_HOSTS = 12;
const QUICK_HOSTS = 6;
/** Outer time bound of a run (s): the full run takes about 20 minutes, the quick one under 3. */
const FULL_MAX_SECONDS = 3_600;
const QUICK_MAX_SECONDS = 600;
/** Longest a build of dist/ may take (ms): about a minute on a busy 2-core machine. */
const BUILD_TIMEOUT_MS = 600_000;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function toolsMissing(): Promise<string[]> {
  const missing: string[] = [];
  for (const [tool, args] of [
    ['ip', ['-V']],
    ['python3', ['--version']],
  ] as const) {
    const result = await run(tool, args, { allowFail: true }).catch(() => ({ code: 127 }));
    if (result.code !== 0) missing.push(tool);
  }
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun');
  return missing;
}

/** Newest modification time (ms) of any file under `dir`. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * The nodes run the compiled CLI (bin/peerwire.js loads dist/): build it when it is missing or older
 * than the sources, so the lab always tests the code in the checkout.
 */
async function ensureBuilt(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const compiled = join(root, 'dist', 'cli', 'main.js');
  const builtAt = existsSync(compiled) ? (await stat(compiled)).mtimeMs : 0;
  if (builtAt >= (await newestMtime(join(root, 'src')))) return;
  say('netlab: dist/ is missing or older than src/; building it (npm run build)');
  await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { timeoutMs: BUILD_TIMEOUT_MS });
}

/** What --help prints (and a bad option points to). */
const USAGE = [
  'usage: npm run netlab -- [options]   (needs root)',
  '  --quick            CI run: few hosts, formation, partition, crash-restart',
  '  --only a,b         run only these scenarios (formation always brings the network up first)',
  '  --hosts N          hosts (default 12, at least 4)',
  '  --attackers N      eclipse attackers (default 20)',
  '  --report FILE      also write the JSON report',
  '  --seed N           the delay line\'s loss pattern',
  '  --keep             keep the homes and logs of the run',
  '  --help             this text',
];

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        hosts: { type: 'string' },
        report: { type: 'string' },
        only: { type: 'string' },
        attackers: { type: 'string' },
        seed: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
  } catch (error) {
    say(`netlab: ${error instanceof Error ? error.message : String(error)} (--help lists the options)`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    say([...USAGE, `  scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`].join('\n'));
    return 0;
  }
  if (process.getuid?.() !== 0) {
    say(`netlab: needs root for network namespaces (running as uid ${process.getuid?.() ?? '?'}); nothing run, no pass claimed`);
    return 0;
  }
  const missing = await toolsMissing();
  if (missing.length > 0) {
    say(`netlab: missing ${missing.join(', ')}; cannot build the lab`);
    return 1;
  }
  await ensureBuilt();
  const quick = values.quick;
  const hostCount = Number(values.hosts ?? (quick ? QUICK_HOSTS : DEFAULT_HOSTS));
  const seed = Number(values.seed ?? 1);
  const names = values.only?.split(',').map((s) => s.trim()) ?? (quick ? QUICK_SCENARIOS : SCENARIOS.map((s) => s.name));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0 || !Number.isInteger(hostCount) || hostCount < 4 || !Number.isInteger(seed)) {
    say(`netlab: bad arguments (${unknown.length > 0 ? `unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}` : 'hosts must be at least 4, seed an integer'})`);
    return 2;
  }
  const scenarios = SCENARIOS.filter((s) => names.includes(s.name));
  const attackerCount = scenarios.includes(eclipse) ? Number(values.attackers ?? ECLIPSE_ATTACKERS) : 0;
  const maxSeconds = quick ? QUICK_MAX_SECONDS : FULL_MAX_SECONDS;
  const runId = randomBytes(2).toString('hex');
  const folder = runFolder(runId);
  const started = Date.now();

  const stale = await cleanStaleRuns();
  if (stale.namespaces.length + stale.guards.length + stale.folders.length > 0) {
    say(`netlab: removed leftovers of dead runs: ${stale.namespaces.length} namespaces, ${stale.guards.length} guard rules, ${stale.folders.length} folders`);
  }
  await writeRunState(runId, { pid: process.pid, startedAt: started });
  say(`netlab: run ${runId}, ${hostCount} hosts, ${attackerCount} attackers, scenarios ${scenarios.map((s) => s.name).join(', ')}; work folder ${folder}`);

  let lab: Lab | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    say(`netlab: ${signal}: stopping and cleaning up`);
    lab?.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    say(`netlab: run exceeded ${maxSeconds} s; aborting`);
    lab?.abort();
  }, maxSeconds * 1000);

  const reports: ScenarioReport[] = [];
  let setupError: string | undefined;
  try {
    lab = await Lab.create({
      runId,
      folder,
      hostCount,
      attackerCount,
      maxSeconds,
      seed,
      log: say,
      onGuard: (pref) => writeFileSync(join(folder, 'state.json'), `${JSON.stringify({ pid: process.pid, startedAt: started, guardPref: pref })}\n`),
    });
    const findings = await checkIsolation(lab.network);
    if (findings.length > 0) {
      setupError = `the lab is not sealed: ${findings.join('; ')}`;
    } else {
      say(`netlab: sealed — no route to ${lab.network.addresses().length} lab addresses from the root namespace, no default route in ${lab.network.namespaces().length} lab namespaces`);
      const context: ScenarioContext = { quick };
      if (!scenarios.includes(formation)) {
        const up = await bringUp(lab);
        if (!up.ok) say(`netlab: bring-up did not form: ${up.gaps.join('; ')}`);
      }
      for (const scenario of scenarios) {
        if (lab.signal.aborted) break;
        say(`netlab: scenario ${scenario.id} ${scenario.name} ...`);
        const t0 = Date.now();
        let outcome;
        try {
          outcome = await scenario.run(lab, context);
        } catch (error) {
          outcome = { passed: false, figures: {}, saw: [`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`] };
        }
        if (lab.signal.aborted && outcome.passed) outcome = { ...outcome, passed: false, saw: ['aborted before the scenario finished'] };
        const report: ScenarioReport = { id: scenario.id, name: scenario.name, rule: scenario.rule(context), seconds: (Date.now() - t0) / 1000, ...outcome };
        reports.push(report);
        say(`netlab: scenario ${scenario.id} ${scenario.name} ${report.passed ? 'passed' : 'FAILED'} in ${report.seconds.toFixed(0)} s`);
      }
    }
  } catch (error) {
    setupError = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearTimeout(watchdog);
    await lab?.close().catch((error: unknown) => say(`netlab: cleanup error: ${String(error)}`));
  }
  const wallSeconds = Math.round((Date.now() - started) / 1000);
  if (setupError !== undefined) say(`netlab: ${setupError}`);
  for (const line of formatTable(reports)) say(line);
  const failed = reports.filter((r) => !r.passed).length + (setupError !== undefined || interrupted ? 1 : 0);
  const passed = reports.filter((r) => r.passed).length;
  if (values.report !== undefined) {
    await writeReport(values.report, {
      command: `npm run netlab --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`,
      startedAt: new Date(started).toISOString(),
      quick,
      hosts: hostCount,
      seed,
      wallSeconds,
      scenarios: reports,
      passed,
      failed,
    });
  }
  if (failed === 0 && !values.keep) await rm(folder, { recursive: true, force: true });
  else await rm(join(folder, 'state.json'), { force: true });
  say(`netlab: wall time ${wallSeconds} s${failed > 0 || values.keep ? `; logs kept in ${folder}` : ''}`);
  say(setupError === undefined && !interrupted ? closingLine(reports) : `${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
