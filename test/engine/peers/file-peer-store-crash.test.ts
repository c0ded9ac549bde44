// The crash test of the peer store: a child process churns the store (puts, deletes, flushes in a
// loop) and is SIGKILLed at a random moment, 50 times. After every kill a fresh FilePeerStore must load
// without a warning, with exactly one committed state: generation G with lastFlushed <= G <= lastBegun
// and every record equal to what the child wrote at G. The next child continues from what it loads,
// so each run also starts from a store that survived a kill. Two lanes (directories) run side by side
// to keep the wall time down; spawning a tsx child dominates the cost.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FilePeerStore } from '../../../src/engine/peers/file-peer-store.ts';
import type { Logger } from '../../../src/core/logger.ts';
import type { PeerRecord } from '../../../src/engine/peers/types.ts';
import { META_ID, churnState } from './fixtures/peer-store-churn-state.ts';

/** Kills in total, from env CRASH_RUNS (the issue asks for 50). */
const KILLS = Number(process.env.CRASH_RUNS ?? 50);
const LANES = 2;
/** Random delay between the child's `ready` and the SIGKILL, in ms. */
const MIN_KILL_MS = 5;
const MAX_KILL_MS = 60;
/** Generous: a tsx child may take seconds to start on a loaded 2-core machine. */
const READY_DEADLINE_MS = 30_000;

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/peer-store-churn.ts', import.meta.url));
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface ChildRun {
  readonly ready: number;
  readonly lastBegun: number;
  readonly lastFlushed: number;
}

/** Spawns the churn child, kills it a random 5-60 ms after it is ready, and returns what it reported. */
function runAndKill(path: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const readyTimer = setTimeout(() => child.kill('SIGKILL'), READY_DEADLINE_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (ready === undefined) {
        const match = /^ready (\d+)$/m.exec(stdout);
        if (match !== null) {
          ready = Number(match[1]);
          clearTimeout(readyTimer);
          const delay = MIN_KILL_MS + Math.floor(Math.random() * (MAX_KILL_MS - MIN_KILL_MS + 1));
          killTimer = setTimeout(() => child.kill('SIGKILL'), delay);
        }
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    // 'close' fires after the exit and after stdout is drained: every line the child wrote is here.
    child.on('close', (code, signal) => {
      clearTimeout(readyTimer);
      clearTimeout(killTimer);
      if (ready === undefined || signal !== 'SIGKILL') {
        reject(
          new Error(
            `churn child ended with code ${code} signal ${signal} before/without the kill:\n${stderr}`,
          ),
        );
        return;
      }
      let lastBegun = ready;
      let lastFlushed = ready;
      for (const line of stdout.split('\n')) {
        const begun = /^begin (\d+)$/.exec(line);
        if (begun !== null) lastBegun = Number(begun[1]);
        const flushed = /^flushed (\d+)$/.exec(line);
        if (flushed !== null) lastFlushed = Number(flushed[1]);
      }
      resolve({ ready, lastBegun, lastFlushed });
    });
  });
}

function warnCounter(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = [];
  const noop = (): void => undefined;
  const logger: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: (...args: unknown[]) => warnings.push(args),
    error: (...args: unknown[]) => warnings.push(args),
    child: () => logger,
  };
  return { logger, warnings };
}

const byId = (a: PeerRecord, b: PeerRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function lane(kills: number): Promise<{ flushedGenerations: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-crash-'));
  dirs.push(dir);
  const path = join(dir, 'peers.dat');
  let committed = 0;
  let flushedGenerations = 0;
  for (let k = 0; k < kills; k++) {
    const run = await runAndKill(path);
    assert.equal(run.ready, committed, 'the child loads the state the previous check saw');
    flushedGenerations += run.lastFlushed - run.ready;

    const { logger, warnings } = warnCounter();
    const store = new FilePeerStore({ path, logger });
    const loaded = await store.load();
    assert.deepEqual(warnings, [], `kill ${k}: a crash never leaves a damaged store`);
    const meta = loaded.find((r) => r.id === META_ID);
    const generation = typeof meta?.policy?.generation === 'number' ? meta.policy.generation : 0;
    assert.ok(generation >= run.lastFlushed, `kill ${k}: loaded ${generation} < flushed ${run.lastFlushed}`);
    assert.ok(generation <= run.lastBegun, `kill ${k}: loaded ${generation} > begun ${run.lastBegun}`);
    assert.ok(generation >= run.ready, `kill ${k}: went back from ${run.ready} to ${generation}`);
    const expected = generation === 0 ? [] : churnState(generation);
    assert.deepEqual(
      [...loaded].sort(byId),
      [...expected].sort(byId),
      `kill ${k}: state of generation ${generation}`,
    );
    await store.close();
    const leftovers = (await readdir(dir)).filter((name) => name !== 'peers.dat');
    assert.deepEqual(leftovers, [], `kill ${k}: temporary files removed on load, nothing moved aside`);
    committed = generation;
  }
  return { flushedGenerations };
}

test(
  `peer store survives ${KILLS} SIGKILLs mid-churn with a committed state`,
  { timeout: 180_000 },
  async () => {
    const perLane = Array.from(
      { length: LANES },
      (_, i) => Math.floor(KILLS / LANES) + (i < KILLS % LANES ? 1 : 0),
    );
    const results = await Promise.all(perLane.map((kills) => lane(kills)));
    const flushed = results.reduce((sum, r) => sum + r.flushedGenerations, 0);
    assert.ok(flushed > 0, 'the children committed generations between kills');
  },
);
