// Bad input ends in one clear line and a non-zero exit, never a stack trace: unknown flags, bad values
// and bad configs (file, environment) exit 2 naming the key; a port in use and an unreachable peer
// exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './run-cli.ts';

function oneLine(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/, 'no stack trace');
}

test('unknown flags, commands and bad values exit 2 with one line', { timeout: 120_000 }, async () => {
  oneLine(await runCli(['testnet', '--bogus']), 2, /unknown option '--bogus'/);
  oneLine(await runCli(['testnett']), 2, /unknown command 'testnett'/);
  oneLine(await runCli(['testnet', '--nodes', 'many']), 2, /--nodes <n>.*expected an integer/);
  oneLine(await runCli(['testnet', '--wire', 'ethereum']), 2, /Allowed choices are cometbft, zcash, both/);
});

test('bad configs exit 2 naming the key, the source, what was expected and what was found', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-config-'));
  try {
    const file = join(dir, 'node.toml');
    await writeFile(file, 'wire = "cometbft"\nchain_id = "x"\nseed_mod = true\n');
    oneLine(await runCli(['node', '--config', file, '--home', dir]), 2, /unknown key "seed_mod" in .*node\.toml \(did you mean "seed_mode"\?\)/);
    await writeFile(file, 'wire = "cometbft"\nchain_id = "x"\nmax_outbound = "ten"\n');
    oneLine(await runCli(['node', '--config', file, '--home', dir]), 2, /max_outbound \(.*node\.toml\): expected number, .*found "ten"/);
    await writeFile(file, 'wire = "cometbft"\nchain_id = \n');
    oneLine(await runCli(['node', '--config', file, '--home', dir]), 2, /not valid TOML/);
    oneLine(await runCli(['node', '--config', join(dir, 'missing.toml')]), 2, /cannot read config file .*ENOENT/);
    oneLine(await runCli(['node', '--wire', 'cometbft', '--home', dir]), 2, /chain_id is required/);
    oneLine(
      await runCli(['node', '--chain-id', 'x', '--home', dir], { env: { PEERWIRE_SEED_MODE: 'maybe' } }),
      2,
      /seed_mode \(environment PEERWIRE_SEED_MODE\): expected boolean, found "maybe"/,
    );
    oneLine(await runCli(['node', '--chain-id', 'x', '--home', dir, '--peer', 'nonsense']), 2, /config: peers: .*found "nonsense"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a port in use and an unreachable peer exit 1 with one line', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-errors-'));
  // Accepts and hangs up at once: a port that is taken, and a "peer" that is not a CometBFT node.
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    oneLine(await runCli(['node', '--chain-id', 'x', '--home', dir, '--listen', `127.0.0.1:${port}`]), 1, /cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    oneLine(
      await runCli(['observe', '--chain-id', 'x', '--peer', `${'ab'.repeat(20)}@127.0.0.1:${port}`, '--connect-timeout', '3']),
      1,
      /could not connect to .* within 3 s/,
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
});
