// The published package works for someone who installs it: a build of dist/ unless it already
// matches the sources (scripts/build.mjs --if-stale: never a stale build, never compiled twice),
// `npm pack`, an install of the tarball into an empty project, then from that install: a plain .mjs
// program imports every entry point with `node` (no loader) and runs compiled code, a .ts program
// type-checks with tsc under moduleResolution node16 and bundler, and `npx peerwire --help` runs the
// compiled command. One pack and one install serve every check. The install reads the npm cache
// first (--prefer-offline): peerwire's dependencies are the ones this checkout installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMER_FILES = fileURLToPath(new URL('./consumer', import.meta.url));
/** One child command's deadline: the pack compiles the whole package on a shared, slow machine. */
const COMMAND_TIMEOUT_MS = 300_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for child npm and node processes: this one's, less the npm_* variables that
 * `npm run` sets for its script (they would make the children act on this checkout's package).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('npm_') || key === 'npm_config_cache' || key === 'npm_config_userconfig') env[key] = value;
  }
  return env;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * npm (or npx), run by this very node: the one whose `npm run` started the tests when there is one,
 * else the one on PATH.
 */
function npm(args: readonly string[], cwd: string, tool: 'npm' | 'npx' = 'npm'): Promise<Run> {
  const npmCli = process.env.npm_execpath;
  if (npmCli !== undefined && npmCli.endsWith('npm-cli.js')) {
    const cli = tool === 'npm' ? npmCli : join(dirname(npmCli), 'npx-cli.js');
    if (existsSync(cli)) return run(process.execPath, [cli, ...args], cwd);
  }
  return run(tool, args, cwd);
}

/**
 * The version of every package in this checkout's lockfile that it holds in one version only, as npm
 * `overrides` for the temporary project: its install then resolves the very versions that `npm ci`
 * put in the npm cache, instead of whatever newer release the registry lists (which would need the
 * network, and a registry that answers).
 */
function lockedVersions(): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; link?: boolean }>;
  };
  const versions = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link === true || entry.version === undefined) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const seen = versions.get(name) ?? new Set<string>();
    seen.add(entry.version);
    versions.set(name, seen);
  }
  const pinned: Record<string, string> = {};
  for (const [name, seen] of versions) if (seen.size === 1) pinned[name] = [...seen][0]!;
  return pinned;
}

function assertOk(result: Run, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
}

describe('the packed package', { timeout: 900_000 }, () => {
  let work = '';
  let project = '';
  let tarballEntries: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'peerwire-pack-'));
    assertOk(await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], ROOT), 'the build');
    assertOk(await npm(['pack', '--ignore-scripts', '--pack-destination', work], ROOT), 'npm pack');
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball !== undefined, 'npm pack wrote no tarball');
    const listing = await run('tar', ['-tzf', join(work, tarball)], work);
    assertOk(listing, 'tar -t');
    tarballEntries = listing.stdout.split('\n').filter((line) => line !== '');

    project = join(work, 'consumer');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project);
    const pinned = lockedVersions();
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', overrides: pinned }));
    for (const name of readdirSync(CONSUMER_FILES)) copyFileSync(join(CONSUMER_FILES, name), join(project, name));
    const install = await npm(
      ['install', join(work, tarball), `@types/node@${pinned['@types/node']}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      project,
    );
    assertOk(install, 'npm install of the tarball');
  });

  after(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  test('ships the compiled package and the command, not the tests', () => {
    for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/cometbft/index.js', 'dist/cometbft/index.d.ts', 'dist/zcash/index.js', 'dist/zcash/index.d.ts', 'dist/cli/main.js', 'bin/peerwire.js']) {
      assert.ok(tarballEntries.includes(`package/${entry}`), `${entry} is missing from the tarball`);
    }
    assert.ok(tarballEntries.some((entry) => entry.endsWith('.js.map')), 'no source maps in the tarball');
    for (const excluded of ['package/dist/.source-digest', 'package/test/', 'package/bench/', 'package/node_modules/', 'package/examples/', 'package/.ci/']) {
      assert.ok(!tarballEntries.some((entry) => entry.startsWith(excluded)), `${excluded} must not be published`);
    }
  });

  test('its declarations name .js files, which exist in dist/', () => {
    const dist = join(project, 'node_modules', 'peerwire', 'dist');
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name.endsWith('.d.ts') && /from\s+['"]\.{1,2}\/[^'"]*\.ts['"]/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    visit(dist);
    assert.deepEqual(offenders, []);
  });

  test('a plain .mjs program imports every entry point and runs the compiled code', async () => {
    const result = await run(process.execPath, ['consumer.mjs'], project);
    assertOk(result, 'node consumer.mjs');
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    assert.deepEqual(report, {
      engine: ['Router', 'PeerManager', 'TendermintPolicy', 'MemoryPeerStore', 'FilePeerStore', 'ManualClock', 'PeerwireError', 'MemoryNetwork', 'TcpCarrier'],
      cometbft: ['createCometbftNode', 'SecretConnectionHandshake', 'MConnectionCore', 'encodeNodeInfo', 'cometbftPex', 'protobufOneofCodec', 'loadOrGenerateNodeKey'],
      zcash: ['ZcashNode', 'ZcashCodec', 'Handshake', 'ZebraPolicy', 'AddressBook', 'PeerSet'],
      mempoolSchema: 'cometbft.mempool.v1.Message',
      ping: { command: 'ping', nonce: '7' },
      received: 'hello from dist',
    });
  });

  for (const resolution of ['node16', 'bundler']) {
    test(`a .ts program type-checks against the declarations (moduleResolution ${resolution})`, async () => {
      const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
      const result = await run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project);
      assertOk(result, `tsc (${resolution})`);
    });
  }

  test('npx peerwire --help and --version run the compiled command', async () => {
    const result = await npm(['--offline', 'peerwire', '--help'], project, 'npx');
    assertOk(result, 'npx peerwire --help');
    assert.match(result.stdout, /^Usage: peerwire /m);
    assert.match(result.stdout, /testnet/);
    const version = await npm(['--offline', 'peerwire', '--version'], project, 'npx');
    assertOk(version, 'npx peerwire --version');
    const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), ours.version);
  });
});
