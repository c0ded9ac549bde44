// The node config: defaults, the file < environment < flags order, text conversion of environment
// values, and one readable error per mistake (key, source, expectation, what was found).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerwireError } from '../../src/core/errors.ts';
import { ERR_CONFIG_INVALID, loadConfig, validateConfig } from '../../src/cli/config.ts';

function configError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PeerwireError);
    assert.equal(error.code, ERR_CONFIG_INVALID);
    assert.match(error.message, pattern);
    return true;
  };
}

test('defaults: zcash-mainnet network, PEX and crawler on, metrics off; cometbft needs a chain id', () => {
  const config = validateConfig({ wire: 'zcash' });
  assert.equal(config.network, 'zcash-mainnet');
  assert.equal(config.pex, true);
  assert.equal(config.crawler, true);
  assert.equal(config.metrics, '');
  assert.deepEqual(config.peers, []);
  assert.throws(() => validateConfig({}), configError(/chain_id is required/));
});

test('file < environment < flags, with environment text converted to each key type', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-config-unit-'));
  try {
    const file = join(dir, 'node.toml');
    await writeFile(file, 'chain_id = "from-file"\nmoniker = "file"\nmax_outbound = 3\npeers = ["a"]\n');
    const config = await loadConfig({
      file,
      env: { PEERWIRE_MONIKER: 'env', PEERWIRE_SEED_MODE: 'yes', PEERWIRE_PEERS: 'x, y', PEERWIRE_MAX_INBOUND: '7' },
      flags: { moniker: 'flag' },
    });
    assert.equal(config.chain_id, 'from-file');
    assert.equal(config.moniker, 'flag');
    assert.equal(config.seed_mode, true);
    assert.deepEqual(config.peers, ['x', 'y']);
    assert.equal(config.max_outbound, 3);
    assert.equal(config.max_inbound, 7);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('errors name the key, the source, the expectation and what was found', () => {
  const sources = new Map([['listen', { kind: 'env' as const, name: 'PEERWIRE_LISTEN' }]]);
  assert.throws(() => validateConfig({ chain_id: 'x', listen: 'nowhere' }, sources), configError(/listen \(environment PEERWIRE_LISTEN\): expected HOST:PORT.*found "nowhere"/));
  assert.throws(() => validateConfig({ chain_id: 'x', wire: 'eth' }), configError(/wire \(config\): expected one of "cometbft"\|"zcash", found "eth"/));
  assert.throws(() => validateConfig({ chain_id: 'x', chainid: 'y' }), configError(/unknown key "chainid".*did you mean "chain_id"/));
  assert.throws(() => validateConfig({ chain_id: 'x', peers: ['ok', 5] }), configError(/peers\.1 .*expected string, found 5/));
});
