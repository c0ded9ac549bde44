// Zcash network upgrades: activation heights, consensus branch ids and the minimum peer protocol
// version Zebra specifies for each (docs/protocols/zcash.md §3.3, §8; vectors zcash-network-params.json). Heights and
// versions up to NU6.2 agree between Zebra and zcashd; NU6.3 is Zebra-only and its version is marked
// provisional upstream; NU7 is not scheduled. Regtest heights are configurable, never hard-coded.

/** Upgrades in activation order. */
export const NETWORK_UPGRADES = [
  'Genesis',
  'Overwinter',
  'Sapling',
  'Blossom',
  'Heartwood',
  'Canopy',
  'NU5',
  'NU6',
  'NU6.1',
  'NU6.2',
  'NU6.3',
  'NU7',
] as const;

export type NetworkUpgrade = (typeof NETWORK_UPGRADES)[number];

/** Zebra's CURRENT_NETWORK_PROTOCOL_VERSION at the spec snapshot (NU6.3, provisional). */
export const CURRENT_NETWORK_PROTOCOL_VERSION = 170160;
/** Zebra's INITIAL_MIN_NETWORK_PROTOCOL_VERSION on every network kind: the NU6.2 value. */
export const INITIAL_MIN_NETWORK_PROTOCOL_VERSION = 170150;
/** zcashd MIN_PEER_PROTO_VERSION (the Genesis/BeforeOverwinter minimum). */
export const MIN_PEER_PROTO_VERSION = 170002;
/** ZIP-239: MSG_WTX may be used on connections that negotiated at least this version. */
export const CINV_WTX_VERSION = 170014;

interface UpgradeRow {
  readonly upgrade: NetworkUpgrade;
  /** Consensus branch id (u32), undefined for Genesis. */
  readonly branchId: number | undefined;
  readonly mainnetHeight: number | undefined;
  readonly testnetHeight: number | undefined;
  readonly minPeerMainnet: number;
  readonly minPeerTestnet: number;
  /** Zebra has no Regtest entry for Overwinter: it falls back to the current version. */
  readonly minPeerRegtest: number;
}

/** The table of docs/protocols/zcash.md §8 / §3.3. */
export const ZCASH_UPGRADE_TABLE: readonly UpgradeRow[] = [
  {
    upgrade: 'Genesis',
    branchId: undefined,
    mainnetHeight: 0,
    testnetHeight: 0,
    minPeerMainnet: 170002,
    minPeerTestnet: 170002,
    minPeerRegtest: 170002,
  },
  {
    upgrade: 'Overwinter',
    branchId: 0x5ba81b19,
    mainnetHeight: 347_500,
    testnetHeight: 207_500,
    minPeerMainnet: 170005,
    minPeerTestnet: 170003,
    minPeerRegtest: CURRENT_NETWORK_PROTOCOL_VERSION,
  },
  {
    upgrade: 'Sapling',
    branchId: 0x76b809bb,
    mainnetHeight: 419_200,
    testnetHeight: 280_000,
    minPeerMainnet: 170007,
    minPeerTestnet: 170007,
    minPeerRegtest: 170006,
  },
  {
    upgrade: 'Blossom',
    branchId: 0x2bb40e60,
    mainnetHeight: 653_600,
    testnetHeight: 584_000,
    minPeerMainnet: 170009,
    minPeerTestnet: 170008,
    minPeerRegtest: 170008,
  },
  {
    upgrade: 'Heartwood',
    branchId: 0xf5b9230b,
    mainnetHeight: 903_000,
    testnetHeight: 903_800,
    minPeerMainnet: 170011,
    minPeerTestnet: 170010,
    minPeerRegtest: 170010,
  },
  {
    upgrade: 'Canopy',
    branchId: 0xe9ff75a6,
    mainnetHeight: 1_046_400,
    testnetHeight: 1_028_500,
    minPeerMainnet: 170013,
    minPeerTestnet: 170012,
    minPeerRegtest: 170012,
  },
  {
    upgrade: 'NU5',
    branchId: 0xc2d6d0b4,
    mainnetHeight: 1_687_104,
    testnetHeight: 1_842_420,
    minPeerMainnet: 170100,
    minPeerTestnet: 170050,
    minPeerRegtest: 170050,
  },
  {
    upgrade: 'NU6',
    branchId: 0xc8e71055,
    mainnetHeight: 2_726_400,
    testnetHeight: 2_976_000,
    minPeerMainnet: 170120,
    minPeerTestnet: 170110,
    minPeerRegtest: 170110,
  },
  {
    upgrade: 'NU6.1',
    branchId: 0x4dec4df0,
    mainnetHeight: 3_146_400,
    testnetHeight: 3_536_500,
    minPeerMainnet: 170140,
    minPeerTestnet: 170130,
    minPeerRegtest: 170130,
  },
  {
    upgrade: 'NU6.2',
    branchId: 0x5437f330,
    mainnetHeight: 3_364_600,
    testnetHeight: 4_052_000,
    minPeerMainnet: 170150,
    minPeerTestnet: 170150,
    minPeerRegtest: 170150,
  },
  // Provisional protocol version (marked so in Zebra); Zebra-only upgrade.
  {
    upgrade: 'NU6.3',
    branchId: 0x37a5165b,
    mainnetHeight: 3_428_143,
    testnetHeight: 4_134_000,
    minPeerMainnet: 170160,
    minPeerTestnet: 170160,
    minPeerRegtest: 170160,
  },
  // Not scheduled; versions and branch id provisional ("TODO" upstream).
  {
    upgrade: 'NU7',
    branchId: 0x77190ad8,
    mainnetHeight: undefined,
    testnetHeight: undefined,
    minPeerMainnet: 170180,
    minPeerTestnet: 170170,
    minPeerRegtest: 170170,
  },
];

/** One scheduled upgrade on one network. */
export interface UpgradeActivation {
  readonly upgrade: NetworkUpgrade;
  readonly height: number;
  /** Minimum peer protocol version once this upgrade is active (Zebra's min_specified_for_upgrade). */
  readonly minPeerVersion: number;
  readonly branchId: number | undefined;
}

export function upgradeRow(upgrade: NetworkUpgrade): UpgradeRow {
  return ZCASH_UPGRADE_TABLE.find((r) => r.upgrade === upgrade)!;
}
