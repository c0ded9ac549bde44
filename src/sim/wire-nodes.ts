// Node builders, one per wire: each calls the network's real node assembly (createCometbftNode,
// ZcashNode.create, or for `--wire-model fast` an EngineNode over the plain authenticated test wire
// with CometBFT's policy and PEX codec) with the simulation's carrier, clock, metrics, key and random
// stream. Nothing here re-implements node behaviour; attackers are real nodes with other options.

import { COMETBFT_DEFAULT_MAX_INBOUND, COMETBFT_DEFAULT_MAX_OUTBOUND, createCometbftNode } from '../cometbft/node/cometbft-node.ts';
import { COMETBFT_PEX_RULES, pexCodec } from '../cometbft/pex/index.ts';
import { EngineNode } from '../engine/node/engine-node.ts';
import { MemoryPeerStore } from '../engine/peers/memory-peer-store.ts';
import { TendermintPolicy } from '../engine/peers/tendermint-policy.ts';
import { NODE_BANNED_IP_REFUSAL_MS } from '../engine/router/router-options.ts';
import { plainWire } from '../plain/wire.ts';
import { StreamTransport } from '../transport/stream-transport.ts';
import { ZCASH_MAINNET } from '../zcash/params/network-params.ts';
import { ZcashNode } from '../zcash/node/zcash-node.ts';
import {
  ephemeralSource,
  hostAddress,
  nodeRandom,
  policyLimits,
  routerPeers,
  SIM_PORT,
  type SimContext,
  type SimNode,
  type SimNodeSpec,
} from './sim-node.ts';

/** CometBFT's chain id in the simulation (any id works; all nodes share it). */
const SIM_CHAIN_ID = 'sim-chain';
/**
 * Overload shedding off: it samples the real event loop's utilisation, which in a simulation is the
 * load of every node at once and of the simulator (the local testnet turns it off for the same reason).
 */
const SIM_ADMISSION = { overloadThreshold: 1 } as const;

/** Builds one generation of a node (not started). */
export async function buildNode(ctx: SimContext, spec: SimNodeSpec, generation: number): Promise<SimNode> {
  if (ctx.wire === 'zcash') return buildZcash(ctx, spec, generation);
  return buildCometbft(ctx, spec, generation);
}

function storeFor(ctx: SimContext, spec: SimNodeSpec): MemoryPeerStore {
  let store = ctx.stores.get(spec.host.index);
  if (store === undefined) {
    store = new MemoryPeerStore();
    ctx.stores.set(spec.host.index, store);
  }
  return store;
}

/** A store's committed records, re-opened for the next generation (EngineNode closes the old one). */
async function reopen(ctx: SimContext, spec: SimNodeSpec): Promise<MemoryPeerStore> {
  const old = storeFor(ctx, spec);
  const fresh = new MemoryPeerStore(await old.load());
  ctx.stores.set(spec.host.index, fresh);
  return fresh;
}

async function buildCometbft(ctx: SimContext, spec: SimNodeSpec, generation: number): Promise<SimNode> {
  const random = nodeRandom(spec, generation);
  const carrier = ctx.network.carrier(spec.host);
  const b = spec.behaviour;
  const maxOutbound = b.maxOutbound ?? COMETBFT_DEFAULT_MAX_OUTBOUND;
  const maxInbound = b.maxInbound ?? COMETBFT_DEFAULT_MAX_INBOUND;
  const bootstrap = spec.bootstrap
    .filter((k) => k.host.index !== spec.host.index)
    .map((k) => hostAddress(k.host, SIM_PORT.cometbft, k.id));
  const store = generation === 0 ? storeFor(ctx, spec) : await reopen(ctx, spec);
  let node: EngineNode;
  if (ctx.model === 'fast') {
    node = await EngineNode.create({
      key: spec.key,
      transports: [new StreamTransport({ carrier, wire: plainWire(), metrics: ctx.metrics })],
      listen: [{ protocol: 'tcp', host: spec.host.ip, port: SIM_PORT.cometbft }],
      network: SIM_CHAIN_ID,
      policy: new TendermintPolicy({ maxOutgoing: maxOutbound, maxIncoming: maxInbound, maxConnected: maxOutbound + maxInbound }),
      store,
      bootstrap,
      addressExchange: { ...COMETBFT_PEX_RULES, targetPeers: maxOutbound, seedMode: b.seedMode === true, ...b.pex, codec: pexCodec },
      // As a node process on a real network: a banned peer's IP is refused before its handshake.
      router: { bannedIpRefusalMs: NODE_BANNED_IP_REFUSAL_MS },
      clock: ctx.network.scheduler,
      random: random.next,
      metrics: ctx.metrics,
    });
  } else {
    node = await createCometbftNode({
      chainId: SIM_CHAIN_ID,
      key: spec.key,
      listen: { host: spec.host.ip, port: SIM_PORT.cometbft },
      seeds: bootstrap,
      maxOutbound,
      maxInbound,
      store,
      carrier,
      clock: ctx.network.scheduler,
      random: random.next,
      ephemeralKeys: ephemeralSource(random),
      ...(b.pex === undefined ? {} : { pexOverrides: b.pex }),
      ...(b.seedMode === true ? { seedMode: true } : {}),
      admission: SIM_ADMISSION,
      metrics: ctx.metrics,
    });
  }
  const policy = node.peerManager.policy;
  const perGroup = policy instanceof TendermintPolicy ? policy.options.maxOutboundPerGroup : Number.POSITIVE_INFINITY;
  return {
    spec,
    limits: policyLimits(policy, perGroup, 'slash16'),
    router: node.router,
    inner: node,
    start: () => node.start(),
    stop: () => node.stop(),
    crash: async () => {
      carrier.crash();
      await node.stop();
    },
    peers: () => routerPeers(node.router, node.peerManager),
    known: () => node.peerManager.stats().stored,
  };
}

async function buildZcash(ctx: SimContext, spec: SimNodeSpec, generation: number): Promise<SimNode> {
  const random = nodeRandom(spec, generation);
  const carrier = ctx.network.carrier(spec.host);
  const b = spec.behaviour;
  const node = await ZcashNode.create({
    network: ZCASH_MAINNET,
    listen: { host: spec.host.ip, port: SIM_PORT.zcash },
    transport: (wire) => new StreamTransport({ carrier, wire, metrics: ctx.metrics }),
    initialPeers: spec.bootstrap
      .filter((k) => k.host.index !== spec.host.index)
      .map((k) => hostAddress(k.host, SIM_PORT.zcash)),
    ...(b.maxOutbound === undefined ? {} : { maxOutbound: b.maxOutbound }),
    ...(b.maxInbound === undefined ? {} : { maxInbound: b.maxInbound }),
    ...(b.crawlIntervalMs === undefined ? {} : { crawlIntervalMs: b.crawlIntervalMs }),
    ...(b.minCrawlIntervalMs === undefined ? {} : { minCrawlIntervalMs: b.minCrawlIntervalMs }),
    key: spec.key,
    clock: ctx.network.scheduler,
    random: random.next,
    admission: SIM_ADMISSION,
    metrics: ctx.metrics,
  });
  return {
    spec,
    // Zebra limits outbound connections per IP, not per /16: one per group where a group is an IP.
    limits: policyLimits(node.policy, 1, 'ip'),
    router: node.router,
    inner: node,
    start: () => node.start(),
    stop: () => node.stop(),
    crash: async () => {
      carrier.crash();
      await node.stop();
    },
    peers: () => routerPeers(node.router, node.peerManager),
    known: () => node.addressBook.size,
  };
}
