// Network parameter sets: magic, default port, protocol version, body limit and upgrade schedule of
// each network we speak or decode (docs/protocols/zcash.md §1.2, §3.3, §8). Zcash Mainnet/Testnet/Regtest follow Zebra;
// custom Zcash test networks come from a builder (any magic except the reserved Mainnet and Regtest
// ones); Bitcoin mainnet/regtest exist for decoding and for tests against bcoin, which shares the
// framing. `minimumPeerVersion` is Zebra's MinimumPeerVersion rule.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { MAX_PROTOCOL_MESSAGE_LENGTH } from '../encoding/constants.ts';
import {
  CURRENT_NETWORK_PROTOCOL_VERSION,
  INITIAL_MIN_NETWORK_PROTOCOL_VERSION,
  type NetworkUpgrade,
  type UpgradeActivation,
  ZCASH_UPGRADE_TABLE,
} from './network-upgrades.ts';

export type NetworkFamily = 'zcash' | 'bitcoin';
/** Zebra's NetworkKind: decides e.g. the default port rule and the address validity checks. */
export type NetworkKind = 'mainnet' | 'testnet' | 'regtest';

export interface NetworkParams {
  /** Lookup name, e.g. `zcash-mainnet`. */
  readonly name: string;
  readonly family: NetworkFamily;
  readonly kind: NetworkKind;
  /** 4 magic bytes in wire order. */
  readonly magic: Uint8Array;
  readonly defaultPort: number;
  /** The protocol version we announce on this network. */
  readonly protocolVersion: number;
  /** Largest body after the handshake (Zcash 2 MiB; Bitcoin Core and bcoin 4,000,000). */
  readonly maxBodyLength: number;
  /** Genesis block hash, display hex, when known. */
  readonly genesisHash: string | undefined;
  /** Scheduled upgrades in activation order (always starts with Genesis at height 0). */
  readonly activations: readonly UpgradeActivation[];
  /** Floor of the minimum peer version whatever the tip (Zebra: the NU6.2 version). */
  readonly initialMinPeerVersion: number;
}

function magicBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function invalidArgument(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, message, { action: 'transient' });
}

function scheduled(
  heights: Partial<Record<NetworkUpgrade, number>>,
  minPeer: (row: (typeof ZCASH_UPGRADE_TABLE)[number]) => number,
): UpgradeActivation[] {
  const out: UpgradeActivation[] = [];
  let previous = -1;
  for (const row of ZCASH_UPGRADE_TABLE) {
    const height = row.upgrade === 'Genesis' ? 0 : heights[row.upgrade];
    if (height === undefined) continue;
    if (!Number.isInteger(height) || height < 0 || height < previous) {
      throw invalidArgument(
        `activation height of ${row.upgrade} must be an integer ≥ the previous upgrade's (${previous})`,
      );
    }
    previous = height;
    out.push({ upgrade: row.upgrade, height, minPeerVersion: minPeer(row), branchId: row.branchId });
  }
  return out;
}

function heightsOf(column: 'mainnetHeight' | 'testnetHeight'): Partial<Record<NetworkUpgrade, number>> {
  const h: Partial<Record<NetworkUpgrade, number>> = {};
  for (const row of ZCASH_UPGRADE_TABLE) if (row[column] !== undefined) h[row.upgrade] = row[column];
  return h;
}

export const ZCASH_MAINNET: NetworkParams = Object.freeze<NetworkParams>({
  name: 'zcash-mainnet',
  family: 'zcash',
  kind: 'mainnet',
  magic: magicBytes('24e92764'),
  defaultPort: 8233,
  protocolVersion: CURRENT_NETWORK_PROTOCOL_VERSION,
  maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH,
  genesisHash: '00040fe8ec8471911baa1db1266ea15dd06b4a8a5c453883c000b031973dce08',
  activations: scheduled(heightsOf('mainnetHeight'), (r) => r.minPeerMainnet),
  initialMinPeerVersion: INITIAL_MIN_NETWORK_PROTOCOL_VERSION,
});

export const ZCASH_TESTNET: NetworkParams = Object.freeze<NetworkParams>({
  name: 'zcash-testnet',
  family: 'zcash',
  kind: 'testnet',
  magic: magicBytes('fa1af9bf'),
  defaultPort: 18233,
  protocolVersion: CURRENT_NETWORK_PROTOCOL_VERSION,
  maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH,
  genesisHash: '05a60a92d99d85997cce3b87616c089f6124d7342af37106edc76126334a2c38',
  activations: scheduled(heightsOf('testnetHeight'), (r) => r.minPeerTestnet),
  initialMinPeerVersion: INITIAL_MIN_NETWORK_PROTOCOL_VERSION,
});

/** Reserved magics a custom network may not use (Zebra testnet.rs). */
const RESERVED_MAGICS = ['24e92764', 'aae83f5f'];

export interface RegtestOptions {
  /** Activation heights by upgrade (default: none, i.e. only Genesis — zcashd's default). */
  readonly activationHeights?: Partial<Record<NetworkUpgrade, number>>;
  /** Default 18233: Zebra uses the Testnet port for every Testnet-kind network (zcashd: 18344). */
  readonly defaultPort?: number;
}

/** Zcash Regtest with configurable activation heights and Zebra's Regtest minimum versions. */
export function zcashRegtest(options: RegtestOptions = {}): NetworkParams {
  return Object.freeze<NetworkParams>({
    name: 'zcash-regtest',
    family: 'zcash',
    kind: 'regtest',
    magic: magicBytes('aae83f5f'),
    defaultPort: options.defaultPort ?? 18233,
    protocolVersion: CURRENT_NETWORK_PROTOCOL_VERSION,
    maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH,
    genesisHash: '029f11d80ef9765602235e1bc9727e3eb6ba20839319f761fee920d63401e327',
    activations: scheduled(options.activationHeights ?? {}, (r) => r.minPeerRegtest),
    initialMinPeerVersion: INITIAL_MIN_NETWORK_PROTOCOL_VERSION,
  });
}

export const ZCASH_REGTEST: NetworkParams = zcashRegtest();

export interface CustomNetworkOptions {
  /** Lookup name; must not be one of the built-in names. */
  readonly name: string;
  /** 4 bytes (or 8 hex characters), wire order; the Mainnet and Regtest magics are reserved. */
  readonly magic: Uint8Array | string;
  /** Default 18233 (Testnet-kind network). */
  readonly defaultPort?: number;
  /** Activation heights (Genesis is always 0). */
  readonly activationHeights?: Partial<Record<NetworkUpgrade, number>>;
  /** Default CURRENT_NETWORK_PROTOCOL_VERSION. */
  readonly protocolVersion?: number;
}

/**
 * A custom Zcash test network. Zebra specifies no minimum versions for custom networks, so every
 * upgrade requires the current protocol version (docs/protocols/zcash.md §3.3).
 */
export function customZcashNetwork(options: CustomNetworkOptions): NetworkParams {
  const magic = typeof options.magic === 'string' ? magicBytes(options.magic) : new Uint8Array(options.magic);
  const hex = Buffer.from(magic).toString('hex');
  if (magic.length !== 4) throw invalidArgument('magic must be 4 bytes');
  if (RESERVED_MAGICS.includes(hex)) throw invalidArgument(`magic ${hex} is reserved (Mainnet/Regtest)`);
  if (BUILTIN.has(options.name)) throw invalidArgument(`network name ${options.name} is reserved`);
  const protocolVersion = options.protocolVersion ?? CURRENT_NETWORK_PROTOCOL_VERSION;
  const port = options.defaultPort ?? 18233;
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw invalidArgument(`invalid port ${port}`);
  return Object.freeze<NetworkParams>({
    name: options.name,
    family: 'zcash',
    kind: 'testnet',
    magic,
    defaultPort: port,
    protocolVersion,
    maxBodyLength: MAX_PROTOCOL_MESSAGE_LENGTH,
    genesisHash: undefined,
    activations: scheduled(options.activationHeights ?? {}, () => protocolVersion),
    initialMinPeerVersion: INITIAL_MIN_NETWORK_PROTOCOL_VERSION,
  });
}

/**
 * Bitcoin Core's PROTOCOL_VERSION (wtxidrelay); bcoin 1.0.2 announces 70015. 70001 (BIP-37 relay
 * flag) is the floor we accept, as bcoin does.
 */
const BITCOIN_PROTOCOL_VERSION = 70016;
const BITCOIN_MIN_PEER_VERSION = 70001;
/** Bitcoin Core and bcoin MAX_PROTOCOL_MESSAGE_LENGTH. */
const BITCOIN_MAX_BODY_LENGTH = 4_000_000;

function bitcoin(
  name: string,
  kind: NetworkKind,
  magicHex: string,
  port: number,
  genesisHash: string,
): NetworkParams {
  return Object.freeze<NetworkParams>({
    name,
    family: 'bitcoin',
    kind,
    magic: magicBytes(magicHex),
    defaultPort: port,
    protocolVersion: BITCOIN_PROTOCOL_VERSION,
    maxBodyLength: BITCOIN_MAX_BODY_LENGTH,
    genesisHash,
    activations: [
      { upgrade: 'Genesis', height: 0, minPeerVersion: BITCOIN_MIN_PEER_VERSION, branchId: undefined },
    ],
    initialMinPeerVersion: BITCOIN_MIN_PEER_VERSION,
  });
}

export const BITCOIN_MAINNET = bitcoin(
  'bitcoin-mainnet',
  'mainnet',
  'f9beb4d9',
  8333,
  '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
);
/** Bitcoin Core regtest port 18444 (bcoin uses 48444). */
export const BITCOIN_REGTEST = bitcoin(
  'bitcoin-regtest',
  'regtest',
  'fabfb5da',
  18444,
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
);

const BUILTIN: ReadonlyMap<string, NetworkParams> = new Map(
  [ZCASH_MAINNET, ZCASH_TESTNET, ZCASH_REGTEST, BITCOIN_MAINNET, BITCOIN_REGTEST].map((n) => [n.name, n]),
);

/** Names accepted by `networkByName`. */
export const NETWORK_NAMES: readonly string[] = [...BUILTIN.keys()];

/** A built-in network by its exact name (or one of `custom`); throws ERR_INVALID_ARGUMENT otherwise. */
export function networkByName(name: string, custom: readonly NetworkParams[] = []): NetworkParams {
  const found = BUILTIN.get(name) ?? custom.find((n) => n.name === name);
  if (found === undefined)
    throw invalidArgument(`unknown network "${name.slice(0, 40)}" (known: ${NETWORK_NAMES.join(', ')})`);
  return found;
}

/** The upgrade active at `height` (the last activation at or below it). */
export function activeUpgrade(network: NetworkParams, height: number): UpgradeActivation {
  let active = network.activations[0]!;
  for (const a of network.activations) if (a.height <= height) active = a;
  return active;
}

/**
 * Zebra's MinimumPeerVersion: max(min version specified for the upgrade active at the tip — height 0
 * when the tip is unknown — and the initial minimum). Peers below it are refused at the handshake
 * and dropped when an upgrade activates.
 */
export function minimumPeerVersion(network: NetworkParams, tipHeight: number | undefined): number {
  const active = activeUpgrade(network, tipHeight ?? 0);
  return Math.max(active.minPeerVersion, network.initialMinPeerVersion);
}
