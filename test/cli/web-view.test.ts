// The live web view in a real browser: `peerwire testnet --web 127.0.0.1:0` with three nodes per wire,
// the page opened in headless Chromium (Debian's `chromium`, installed by scripts/ensure-chromium.mjs
// when `npm test` runs as root; the test skips with one line where it is absent). The graph must show
// the six nodes and, once each wire's triangle has formed, its three edges per wire, each between
// nodes of one wire; the throughput chart must grow with each update; a click on a node must show its
// peers. A screenshot goes to test-output/cli/web-view.png (the README's image is one of these).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { ROOT, startCli } from './run-cli.ts';

const CHROMIUM = process.env.PEERWIRE_CHROMIUM ?? '/usr/bin/chromium';
/** The flags the browser runs with: no sandbox (containers), no GPU, and no traffic of its own. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Generous: nine processes' worth of nodes share two loaded cores. */
const WAIT_MS = 90_000;
export const SCREENSHOT = join(ROOT, 'test-output', 'cli', 'web-view.png');

async function waitUntil(page: Page, what: string, predicate: string, arg?: unknown): Promise<void> {
  try {
    await page.waitForFunction(predicate, arg, { timeout: WAIT_MS, polling: 200 });
  } catch (error) {
    throw new Error(`web view never showed ${what}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

/** Evaluates a page expression that builds a JSON string (the test has no DOM types) and parses it. */
async function read<T>(page: Page, expression: string): Promise<T> {
  return JSON.parse(await page.evaluate<string>(`JSON.stringify(${expression})`)) as T;
}

test('the web view of a testnet shows the peer graph, live charts and a node drill-down', {
  timeout: 300_000,
  skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (npm test installs Debian chromium when run as root)`,
}, async () => {
  const cli = startCli(['testnet', '--wire', 'both', '--nodes', '3', '--duration', '120', '--rate', '5', '--web', '127.0.0.1:0']);
  const profile = mkdtempSync(join(tmpdir(), 'peerwire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const line = await cli.waitForLine((l) => l.startsWith('web view: '), 'the web view address');
    const url = line.slice('web view: '.length).trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'served on loopback only');
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    const expectedNodes = ['cometbft-0', 'cometbft-1', 'cometbft-2', 'zcash-0', 'zcash-1', 'zcash-2'];
    await waitUntil(page, 'six nodes', `document.querySelectorAll('#graph g.node').length === 6`);
    const keys = await read<string[]>(page, `[...document.querySelectorAll('#graph g.node')].map((n) => n.getAttribute('data-key')).sort()`);
    assert.deepEqual(keys, expectedNodes);
    // Three nodes aiming for two peers each: every pair of a wire connects, three edges per wire.
    await waitUntil(page, 'both triangles', `document.querySelectorAll('#graph line.edge.cometbft').length === 3 && document.querySelectorAll('#graph line.edge.zcash').length === 3`);
    const edges = await read<{ from: string; to: string; wire: string }[]>(
      page,
      `[...document.querySelectorAll('#graph line.edge')].map((l) => ({ from: l.getAttribute('data-from'), to: l.getAttribute('data-to'), wire: l.classList.contains('zcash') ? 'zcash' : 'cometbft' }))`,
    );
    for (const edge of edges) {
      assert.ok(edge.from.startsWith(edge.wire) && edge.to.startsWith(edge.wire), `edge ${edge.from}–${edge.to} stays within ${edge.wire}`);
    }
    const pairs = new Set(edges.map((e) => [e.from, e.to].sort().join(' ')));
    assert.equal(pairs.size, 6, 'six distinct pairs');

    const points = (): Promise<number> => read<number>(page, `Number(document.querySelector('#chart-throughput polyline').getAttribute('data-points'))`);
    const before = await points();
    await waitUntil(page, 'the throughput chart growing', `Number(document.querySelector('#chart-throughput polyline').getAttribute('data-points')) >= ${before + 2}`);
    await waitUntil(page, 'traffic on the chart', `Number(document.querySelector('#chart-throughput polyline').getAttribute('data-points')) > 0 && document.querySelector('#throughput-now').textContent !== '0 B/s, 0 msg/s'`);
    await waitUntil(page, 'a round trip', `document.querySelector('#chart-rtt polyline').getAttribute('data-points') !== '0'`);

    await page.click('#graph g.node[data-key="zcash-1"]');
    await waitUntil(page, 'zcash-1 selected', `document.querySelector('#detail-title').textContent.startsWith('zcash-1')`);
    const peerRows = (await read<number>(page, `document.querySelectorAll('#detail-body table:first-of-type tr').length`)) - 1;
    assert.ok(peerRows >= 2, `zcash-1 lists its peers (${peerRows})`);
    await page.click('#graph g.node[data-key="cometbft-0"]');
    await waitUntil(page, 'cometbft-0 with its peers', `document.querySelector('#detail-title').textContent.startsWith('cometbft-0') && document.querySelectorAll('#detail-body table:first-of-type tr').length >= 3`);

    // A fuller chart for the picture: ten views.
    await waitUntil(page, 'ten views', `Number(document.querySelector('#updates').textContent) >= 10`);
    mkdirSync(join(ROOT, 'test-output', 'cli'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    cli.child.kill('SIGINT');
    await cli.exited;
  }
});
