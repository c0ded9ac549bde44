// What a lab run leaves to find if it dies without cleaning up (SIGKILL, a crash of the machine's
// session): a state file per run under /tmp/peerwire-netlab/<run id>/ naming the controller's pid and
// its guard rule, and namespaces whose names start with `pwl<run id>`. At start every run removes the
// leftovers of runs whose controller is gone — their processes (by pid, from `ip netns pids`), their
// namespaces, their guard rules and work folders — and leaves live runs alone.

import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB_SUPERNET, runIdOf } from './topology.ts';
import { deleteNamespace, removeGuard } from './network.ts';
import { ip, ipJson } from './shell.ts';

/** Work folders of lab runs (homes, logs, state). */
export const STATE_ROOT = '/tmp/peerwire-netlab';

export interface RunState {
  readonly pid: number;
  readonly startedAt: number;
  readonly guardPref?: number;
}

export function runFolder(runId: string): string {
  return join(STATE_ROOT, runId);
}

export async function writeRunState(runId: string, state: RunState): Promise<void> {
  await mkdir(runFolder(runId), { recursive: true });
  await writeFile(join(runFolder(runId), 'state.json'), `${JSON.stringify(state)}\n`);
}

async function readRunState(runId: string): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(join(runFolder(runId), 'state.json'), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** True when the run's controller process still lives (its command line names the lab). */
async function isLive(state: RunState | undefined): Promise<boolean> {
  if (state === undefined || !Number.isInteger(state.pid) || state.pid <= 1) return false;
  try {
    const cmdline = await readFile(`/proc/${state.pid}/cmdline`, 'utf8');
    return cmdline.includes('netlab');
  } catch {
    return false;
  }
}

interface RuleJson {
  readonly priority?: number;
  readonly dst?: string;
  readonly dstlen?: number;
  readonly action?: string;
}

/** Removes the leftovers of dead runs; returns what it removed. */
export async function cleanStaleRuns(): Promise<{ namespaces: string[]; guards: number[]; folders: string[] }> {
  const removed = { namespaces: [] as string[], guards: [] as number[], folders: [] as string[] };
  const live = new Map<string, RunState>();
  const dead = new Set<string>();
  const classify = async (runId: string): Promise<boolean> => {
    if (live.has(runId)) return true;
    if (dead.has(runId)) return false;
    const state = await readRunState(runId);
    if (state !== undefined && (await isLive(state))) {
      live.set(runId, state);
      return true;
    }
    dead.add(runId);
    return false;
  };
  const listed = await ip(undefined, ['netns', 'list'], { allowFail: true });
  for (const line of listed.stdout.split('\n')) {
    const ns = line.trim().split(/\s+/)[0] ?? '';
    const runId = runIdOf(ns);
    if (runId === undefined || (await classify(runId))) continue;
    await deleteNamespace(ns);
    removed.namespaces.push(ns);
  }
  let folders: string[] = [];
  try {
    folders = await readdir(STATE_ROOT);
  } catch {
    // No runs yet.
  }
  for (const runId of folders) {
    if (!/^[0-9a-f]{4}$/.test(runId) || (await classify(runId))) continue;
    await rm(runFolder(runId), { recursive: true, force: true });
    removed.folders.push(runId);
  }
  const livePrefs = new Set([...live.values()].map((s) => s.guardPref));
  const [net, len] = LAB_SUPERNET.split('/');
  for (const rule of await ipJson<RuleJson>(undefined, ['rule', 'show'])) {
    if (rule.action !== 'prohibit' || rule.dst !== net || String(rule.dstlen) !== len || rule.priority === undefined) continue;
    if (livePrefs.has(rule.priority)) continue;
    await removeGuard(rule.priority);
    removed.guards.push(rule.priority);
  }
  return removed;
}
