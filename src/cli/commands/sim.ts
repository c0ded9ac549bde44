// `peerwire sim`: a deterministic simulation of a whole network in virtual time (src/sim/). Real node
// assemblies over an in-memory internet, one seeded scheduler; the same flags give the same run, and
// the summary's eventLogHash proves it. Prints a short report (or the JSON summary with --json) and
// writes summary.json plus SVG plots with --out. Exits 1 when a property the scenario expects fails.

import { InvalidArgumentError, type Command } from 'commander';
import { PeerwireError } from '../../core/errors.ts';
import { SCENARIOS, type ScenarioName } from '../../sim/scenarios.ts';
import { runSimulation } from '../../sim/simulation.ts';
import { writeReport } from '../../sim/report.ts';
import type { SimSummary } from '../../sim/summary.ts';
import { intOption } from '../options.ts';

/** Most nodes one run may have: the memory a node needs (~0.5–1 MB) bounds this on a small machine. */
const MAX_NODES = 5_000;
/** Longest virtual run, hours (a week). */
const MAX_VIRTUAL_HOURS = 168;

function oneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

function hoursOption(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0 || n > MAX_VIRTUAL_HOURS) {
    throw new InvalidArgumentError(`expected hours, more than 0 and at most ${MAX_VIRTUAL_HOURS}`);
  }
  return n;
}

function probabilityOption(value: string): number {
  const n = Number(value);
  if (!/^\d*(\.\d+)?$/.test(value.trim()) || !(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a probability in [0, 1)');
  return n;
}

/** What the scenario must show; failing ones are listed. */
export function failedProperties(summary: SimSummary): string[] {
  const p = summary.properties;
  const failed: string[] = [];
  if (!p.cleanRun) failed.push('cleanRun');
  if (!p.limitsRespected) failed.push('limitsRespected');
  if (!p.groupDiversityHolds) failed.push('groupDiversityHolds');
  if (summary.scenario !== 'partition' && summary.scenario !== 'churn' && !p.graphConnects) failed.push('graphConnects');
  if (summary.scenario === 'eclipse' && !p.noEclipse) failed.push('noEclipse');
  return failed;
}

function report(summary: SimSummary): string {
  const last = summary.samples[summary.samples.length - 1];
  const lines = [
    `peerwire sim: ${summary.wire} (${summary.wireModel} wire), ${summary.nodes} nodes + ${summary.attackers} attackers, ${summary.scenario}, seed ${summary.seed}, ${summary.virtualHours} virtual h`,
    `  eventLogHash ${summary.eventLogHash} (${summary.events} events, ${summary.timersFired} timers, ${summary.linksOpened} links)`,
    `  wall ${summary.speed.wallSeconds} s for ${summary.speed.virtualSeconds} virtual s: ${summary.speed.speedup}x real time`,
  ];
  if (last !== undefined) {
    lines.push(
      `  at the end: ${last.up} nodes up, peers mean ${last.peers.mean} (p10 ${last.peers.p10}, p90 ${last.peers.p90}), largest component ${(last.largestComponentFraction * 100).toFixed(1)}%, diameter ${last.diameter}, max in-degree ${last.maxInDegree}`,
    );
  }
  for (const [n, d] of Object.entries(summary.discovery)) {
    lines.push(`  know ${n} addresses: ${d.reached} nodes, median ${d.medianSeconds} s, p90 ${d.p90Seconds} s`);
  }
  lines.push(`  properties: ${Object.entries(summary.properties).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  lines.push(`  replay: ${summary.replay}`);
  return `${lines.join('\n')}\n`;
}

/** One progress line: where the run is in virtual time and what it has cost so far. */
function progressLine(tSeconds: number, wallStart: number): string {
  const cpu = process.cpuUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const rss = Math.round(process.memoryUsage.rss() / 2 ** 20);
  return `  t=${tSeconds.toFixed(0)} s  wall=${wallSeconds.toFixed(1)} s  cpu=${cpuSeconds.toFixed(1)} s  rss=${rss} MiB`;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('simulate a whole network in virtual time, reproducibly from a seed (in memory: no sockets)')
    .requiredOption('--wire <wire>', 'cometbft or zcash', oneOf(['cometbft', 'zcash'] as const))
    .option('--nodes <n>', 'honest nodes (a scenario may add attackers)', intOption(2, MAX_NODES), 100)
    .option('--seed <s>', 'the seed every choice derives from', intOption(0, 2 ** 32 - 1), 1)
    .option('--virtual-hours <h>', 'virtual time to simulate', hoursOption, 1)
    .option('--scenario <name>', SCENARIOS.join(' | '), oneOf(SCENARIOS), 'baseline')
    .option('--wire-model <model>', 'real (the network\'s wire) or fast (the plain authenticated test wire; CometBFT only)', oneOf(['real', 'fast'] as const), 'real')
    .option('--loss <p>', 'probability a write unit is lost on a link', probabilityOption, 0)
    .option('--json', 'print the JSON summary instead of the report', false)
    .option('--out <dir>', 'write summary.json and SVG plots here')
    .option('--progress', 'print virtual time, wall time and CPU time to stderr at every sample', false)
    .action(
      async (flags: {
        wire: 'cometbft' | 'zcash';
        nodes: number;
        seed: number;
        virtualHours: number;
        scenario: ScenarioName;
        wireModel: 'real' | 'fast';
        loss: number;
        json: boolean;
        out?: string;
        progress: boolean;
      }) => {
        if (flags.wireModel === 'fast' && flags.wire === 'zcash') {
          throw new PeerwireError('ERR_CLI_USAGE', '--wire-model fast applies to cometbft only (the Zcash wire has no costly cryptography)', { action: 'transient' });
        }
        const wallStart = performance.now();
        const summary = await runSimulation({
          wire: flags.wire,
          wireModel: flags.wireModel,
          nodes: flags.nodes,
          seed: flags.seed,
          virtualHours: flags.virtualHours,
          scenario: flags.scenario,
          loss: flags.loss,
          onSample: (t, total) => {
            if (flags.progress) process.stderr.write(`${progressLine(t, wallStart)}\n`);
            else if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r  ${((100 * t) / total).toFixed(0)}% of virtual time`);
          },
        });
        if (!flags.json && process.stderr.isTTY) process.stderr.write('\r');
        if (flags.out !== undefined) await writeReport(flags.out, summary);
        process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : report(summary));
        const failed = failedProperties(summary);
        if (failed.length > 0) {
          throw new PeerwireError('ERR_SIM_PROPERTY', `properties failed: ${failed.join(', ')}; replay: ${summary.replay}`, { action: 'transient' });
        }
      },
    );
}
