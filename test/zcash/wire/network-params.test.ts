// Network parameters against zcash-network-params.json: magics, ports, genesis hashes, activation
// heights, branch ids, minimum peer versions per upgrade, and Zebra's MinimumPeerVersion rule.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerwireError } from '../../../src/core/errors.ts';
import {
  BITCOIN_MAINNET,
  BITCOIN_REGTEST,
  CURRENT_NETWORK_PROTOCOL_VERSION,
  type NetworkParams,
  ZCASH_MAINNET,
  ZCASH_REGTEST,
  ZCASH_TESTNET,
  ZCASH_UPGRADE_TABLE,
  activeUpgrade,
  customZcashNetwork,
  minimumPeerVersion,
  networkByName,
  zcashRegtest,
} from '../../../src/zcash/index.ts';
import { loadJson, toHex } from './vectors.ts';

interface ParamsFile {
  networks: Record<
    'mainnet' | 'testnet' | 'regtest',
    { magic_hex: string; default_port?: number; genesis_hash: string }
  >;
  bitcoin_magics_for_reference: Record<string, string>;
  current_protocol_version: { zebra: number };
  network_upgrades: {
    name: string;
    mainnet_height: number | null;
    testnet_height: number | null;
    zebra_min_peer_version_mainnet: number;
    zebra_min_peer_version_testnet: number;
    zebra_min_peer_version_regtest: number;
    consensus_branch_id_hex: string | null;
  }[];
}

const file = loadJson<ParamsFile>('zcash-network-params.json');

describe('zcash network parameters', () => {
  it('match the vector magics, ports and genesis hashes', () => {
    const pairs: [NetworkParams, 'mainnet' | 'testnet' | 'regtest'][] = [
      [ZCASH_MAINNET, 'mainnet'],
      [ZCASH_TESTNET, 'testnet'],
      [ZCASH_REGTEST, 'regtest'],
    ];
    for (const [n, key] of pairs) {
      assert.equal(toHex(n.magic), file.networks[key].magic_hex);
      assert.equal(n.genesisHash, file.networks[key].genesis_hash);
      assert.equal(n.protocolVersion, file.current_protocol_version.zebra);
      assert.equal(n.maxBodyLength, 2 * 1024 * 1024);
    }
    assert.equal(ZCASH_MAINNET.defaultPort, file.networks.mainnet.default_port);
    assert.equal(ZCASH_TESTNET.defaultPort, file.networks.testnet.default_port);
    assert.equal(ZCASH_REGTEST.defaultPort, 18233); // Zebra: the Testnet port for every Testnet-kind network
    assert.equal(toHex(BITCOIN_MAINNET.magic), file.bitcoin_magics_for_reference.mainnet);
    assert.equal(toHex(BITCOIN_REGTEST.magic), file.bitcoin_magics_for_reference.regtest);
    assert.equal(BITCOIN_MAINNET.defaultPort, 8333);
    assert.equal(BITCOIN_REGTEST.defaultPort, 18444);
  });

  it('match the vector upgrade table (heights, branch ids, minimum peer versions)', () => {
    assert.equal(ZCASH_UPGRADE_TABLE.length, file.network_upgrades.length);
    file.network_upgrades.forEach((v, i) => {
      const row = ZCASH_UPGRADE_TABLE[i]!;
      assert.ok(
        v.name.startsWith(row.upgrade === 'Genesis' ? 'BeforeOverwinter/Genesis' : row.upgrade),
        v.name,
      );
      assert.equal(row.mainnetHeight ?? null, v.mainnet_height);
      assert.equal(row.testnetHeight ?? null, v.testnet_height);
      assert.equal(row.minPeerMainnet, v.zebra_min_peer_version_mainnet);
      assert.equal(row.minPeerTestnet, v.zebra_min_peer_version_testnet);
      assert.equal(row.minPeerRegtest, v.zebra_min_peer_version_regtest);
      const branch = v.consensus_branch_id_hex?.slice(0, 8) ?? null;
      assert.equal(row.branchId === undefined ? null : row.branchId.toString(16).padStart(8, '0'), branch);
    });
  });

  it('looks networks up by exact name', () => {
    for (const name of [
      'zcash-mainnet',
      'zcash-testnet',
      'zcash-regtest',
      'bitcoin-mainnet',
      'bitcoin-regtest',
    ]) {
      assert.equal(networkByName(name).name, name);
    }
    assert.throws(
      () => networkByName('mainnet'),
      (e: unknown) => e instanceof PeerwireError && e.code === 'ERR_INVALID_ARGUMENT',
    );
    const custom = customZcashNetwork({ name: 'my-testnet', magic: '01020304' });
    assert.equal(networkByName('my-testnet', [custom]), custom);
  });

  it('computes Zebra minimum peer versions from the tip height', () => {
    assert.equal(minimumPeerVersion(ZCASH_MAINNET, undefined), 170150);
    assert.equal(minimumPeerVersion(ZCASH_MAINNET, 0), 170150);
    assert.equal(minimumPeerVersion(ZCASH_MAINNET, 3_364_600), 170150);
    assert.equal(minimumPeerVersion(ZCASH_MAINNET, 3_428_142), 170150);
    assert.equal(minimumPeerVersion(ZCASH_MAINNET, 3_428_143), 170160);
    assert.equal(minimumPeerVersion(ZCASH_TESTNET, 4_133_999), 170150);
    assert.equal(minimumPeerVersion(ZCASH_TESTNET, 4_134_000), 170160);
    assert.equal(activeUpgrade(ZCASH_MAINNET, 1_687_104).upgrade, 'NU5');
    assert.equal(activeUpgrade(ZCASH_MAINNET, 1_687_103).upgrade, 'Canopy');
    assert.equal(activeUpgrade(ZCASH_TESTNET, 1_842_420).minPeerVersion, 170050);
    assert.equal(minimumPeerVersion(ZCASH_REGTEST, 1_000_000), 170150);
    assert.equal(minimumPeerVersion(BITCOIN_REGTEST, 0), 70001);
  });

  it('builds Regtest with configurable heights and Zebra Regtest minimums', () => {
    const r = zcashRegtest({
      activationHeights: {
        Overwinter: 1,
        Sapling: 1,
        Blossom: 1,
        Heartwood: 1,
        Canopy: 1,
        NU5: 1,
        'NU6.3': 10,
      },
    });
    assert.equal(activeUpgrade(r, 1).upgrade, 'NU5');
    assert.equal(activeUpgrade(r, 1).minPeerVersion, 170050);
    assert.equal(minimumPeerVersion(r, 9), 170150);
    assert.equal(minimumPeerVersion(r, 10), 170160);
    assert.throws(
      () => zcashRegtest({ activationHeights: { Overwinter: 10, Sapling: 5 } }),
      /activation height/,
    );
  });

  it('builds custom test networks, refusing reserved magics and names', () => {
    const n = customZcashNetwork({
      name: 'lab',
      magic: new Uint8Array([1, 2, 3, 4]),
      defaultPort: 28233,
      activationHeights: { NU5: 100 },
    });
    assert.equal(n.kind, 'testnet');
    assert.equal(n.defaultPort, 28233);
    assert.equal(minimumPeerVersion(n, 0), CURRENT_NETWORK_PROTOCOL_VERSION);
    assert.equal(minimumPeerVersion(n, 200), CURRENT_NETWORK_PROTOCOL_VERSION);
    assert.throws(() => customZcashNetwork({ name: 'x', magic: '24e92764' }), /reserved/);
    assert.throws(() => customZcashNetwork({ name: 'x', magic: 'aae83f5f' }), /reserved/);
    assert.throws(() => customZcashNetwork({ name: 'zcash-mainnet', magic: '01020304' }), /reserved/);
    assert.throws(() => customZcashNetwork({ name: 'x', magic: '0102' }), /4 bytes/);
  });
});
