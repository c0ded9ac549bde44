// Builds the node a validated config describes — CometBFT (key from `<home>/node_key.json`, persistent
// peers, seeds, seed mode, PEX, observed channels) or Zcash family (network, start-up peers, crawler) —
// with its peer store in `<home>/peers.dat`, one log line per peer connected and disconnected, and the
// facts the /status document needs (for Zcash also the address book's groups and newest last-seen). (The router logs one line per peer connected and disconnected.) Peer address mistakes are config errors naming the key.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OffsetClock, realClock } from '../core/clock.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { NodeAddress } from '../core/node-address.ts';
import type { PeerManager } from '../engine/peers/peer-manager.ts';
import { rawCodec } from '../core/message-codec.ts';
import type { Router } from '../engine/router/router.ts';
import { describeChannelMessage } from '../cometbft/channels/channel-codec.ts';
import { PEX_CHANNEL, STANDARD_CHANNELS, type StandardChannel } from '../cometbft/wire/standard-channels.ts';
import { loadOrGenerateNodeKey } from '../cometbft/wire/node-key-file.ts';
import { cometbftAddress } from '../cometbft/wire/transport.ts';
import { networkByName } from '../zcash/params/network-params.ts';
import { parseZcashAddress } from '../zcash/connection/transport.ts';
import { createCometbftNode, type CometbftNodeOptions } from '../cometbft/node/cometbft-node.ts';
import { COMETBFT_INBOUND_BUDGET } from '../cometbft/wire/cometbft-budget.ts';
import { ZCASH_INBOUND_BUDGET } from '../zcash/connection/zcash-budget.ts';
import type { InboundBudgetOptions } from '../transport/inbound-budget.ts';
import { ERR_CONFIG_INVALID, type NodeConfig } from './config.ts';
import type { EngineNode } from '../engine/node/engine-node.ts';
import { formatHostPort, parseHostPort } from '../core/host-port.ts';
import { ZcashNode } from '../zcash/node/zcash-node.ts';

/** Default listen address per wire: loopback, the wire's usual port (set `listen` to serve others). */
export const DEFAULT_COMETBFT_LISTEN = '127.0.0.1:26656';

export interface ConfiguredNode {
  readonly wire: 'cometbft' | 'zcash';
  readonly id: string;
  readonly network: string;
  readonly listen: string | undefined;
  readonly router: Router;
  readonly peerManager: PeerManager;
  readonly extra: () => Record<string, unknown>;
  start(): void;
  stop(): Promise<void>;
}

function badKey(key: string, value: string, error: unknown): PeerwireError {
  return new PeerwireError(ERR_CONFIG_INVALID, `config: ${key}: ${(error as Error).message} (found "${value.slice(0, 80)}")`, {
    action: 'transient',
  });
}

function parseList<T>(key: string, values: readonly string[], parse: (text: string) => T): T[] {
  return values.map((value) => {
    try {
      return parse(value);
    } catch (error) {
      throw badKey(key, value, error);
    }
  });
}

/** A standard channel by name (`mempool`, `consensus-vote`...) or id (`48`, `0x30`). */
export function channelByName(text: string): StandardChannel | undefined {
  const lower = text.toLowerCase();
  const id = /^0x[0-9a-f]+$/.test(lower) ? parseInt(lower, 16) : /^\d+$/.test(lower) ? Number(lower) : undefined;
  return STANDARD_CHANNELS.find((c) => c.id === id || c.name.toLowerCase() === lower || c.name.toLowerCase().replace(/_/g, '-') === lower);
}

function wrapListenError(error: unknown, listen: string): unknown {
  const text = error instanceof Error ? `${error.message} ${(error.cause as Error | undefined)?.message ?? ''}` : String(error);
  if (text.includes('EADDRINUSE')) {
    return new PeerwireError(ErrorCode.ConnectionFailed, `cannot listen on ${listen}: address already in use`, { action: 'transient' });
  }
  if (text.includes('EACCES') || text.includes('EADDRNOTAVAIL')) {
    return new PeerwireError(ErrorCode.ConnectionFailed, `cannot listen on ${listen}: ${text.includes('EACCES') ? 'permission denied' : 'address not available'}`, {
      cause: error,
      action: 'transient',
    });
  }
  return error;
}

export async function createConfiguredNode(config: NodeConfig, logger: Logger, metrics: Metrics): Promise<ConfiguredNode> {
  await mkdir(config.home, { recursive: true });
  // clock_offset simulates a host whose clock is wrong (tests of Zebra's timestamp rules).
  const clock = config.clock_offset === 0 ? realClock : new OffsetClock(realClock, config.clock_offset * 1000);
  const storePath = join(config.home, 'peers.dat');
  if (config.wire === 'cometbft') {
    const chainId = config.chain_id!;
    const listenText = config.listen ?? DEFAULT_COMETBFT_LISTEN;
    const listen = parseHostPort(listenText, { allowZeroPort: true });
    const persistentPeers: NodeAddress[] = parseList('peers', config.peers, cometbftAddress);
    const seeds: NodeAddress[] = parseList('seeds', config.seeds, cometbftAddress);
    const observed = config.observe_channels.map((name) => {
      const channel = channelByName(name);
      if (channel === undefined || channel.id === PEX_CHANNEL.id) {
        throw new PeerwireError(ERR_CONFIG_INVALID, `config: observe_channels: "${name}" is not an observable standard channel (${STANDARD_CHANNELS.filter((c) => c.id !== PEX_CHANNEL.id).map((c) => c.name).join(', ')})`, {
          action: 'transient',
        });
      }
      return channel;
    });
    const key = await loadOrGenerateNodeKey(join(config.home, 'node_key.json'));
    let node: EngineNode;
    try {
      node = await createCometbftNode({
        chainId,
        key,
        listen,
        persistentPeers,
        seeds,
        seedMode: config.seed_mode,
        pex: config.pex,
        ...(config.max_outbound === undefined ? {} : { maxOutbound: config.max_outbound }),
        ...(config.max_inbound === undefined ? {} : { maxInbound: config.max_inbound }),
        localNetwork: config.local_network,
        labNetwork: config.lab_network,
        clock,
        ...(config.allow_duplicate_ip === undefined ? {} : { allowDuplicateIp: config.allow_duplicate_ip }),
        ...(config.send_rate === undefined ? {} : { sendRate: config.send_rate }),
        ...(config.recv_rate === undefined ? {} : { recvRate: config.recv_rate }),
        ...(config.recv_message_rate === undefined ? {} : { inboundBudget: messageBudget(COMETBFT_INBOUND_BUDGET, config.recv_message_rate) }),
        admission: admissionOf(config),
        ...(config.outbound_rotation_seconds === undefined ? {} : { outboundRotationInterval: config.outbound_rotation_seconds * 1000 }),
        ...(config.max_inbound_guests === undefined ? {} : { maxInboundGuests: config.max_inbound_guests }),
        moniker: config.moniker,
        storePath,
        logger,
        metrics,
      });
    } catch (error) {
      throw wrapListenError(error, listenText);
    }
    const observedCounter = metrics.counter({
      name: 'peerwire_node_observed_messages_total',
      help: 'Messages received on observed channels, by channel and message kind',
      labelNames: ['channel', 'kind'],
    });
    const observeLog = logger.child({ component: 'observer' });
    const loops: Promise<void>[] = [];
    for (const channel of observed) {
      const open = node.openChannel(channel.id, rawCodec, { priority: channel.priority, recvMessageCapacity: channel.recvMessageCapacity });
      loops.push(
        (async () => {
          for await (const envelope of open) {
            let kind = 'malformed';
            try {
              kind = describeChannelMessage(channel.id, envelope.message).kind;
            } catch {
              // Counted as malformed; the observer never judges peers.
            }
            observedCounter.inc({ channel: channel.name, kind });
            observeLog.debug({ peer: envelope.from, channel: channel.name, kind, bytes: envelope.message.length }, 'message');
          }
        })(),
      );
    }
    const address = node.address;
    return {
      wire: 'cometbft',
      id: node.id,
      network: chainId,
      listen: formatHostPort({ host: address.host, port: address.port }),
      router: node.router,
      peerManager: node.peerManager,
      extra: () => ({ chainId, seedMode: config.seed_mode, observing: observed.map((c) => c.name), clock: clock.now() }),
      start: () => node.start(),
      stop: async () => {
        await node.stop();
        await Promise.allSettled(loops);
      },
    };
  }
  const network = networkByName(config.network);
  const listenText = config.listen ?? `127.0.0.1:${network.defaultPort}`;
  const listen = parseHostPort(listenText, { allowZeroPort: true });
  const peers = [...config.peers, ...config.seeds];
  parseList('peers', peers, parseZcashAddress);
  let node: ZcashNode;
  try {
    node = await ZcashNode.create({
      network,
      listen,
      peers,
      ...(config.max_outbound === undefined ? {} : { maxOutbound: config.max_outbound }),
      ...(config.max_inbound === undefined ? {} : { maxInbound: config.max_inbound }),
      crawler: config.crawler,
      localNetwork: config.local_network,
      labNetwork: config.lab_network,
      clock,
      ...(config.max_connections_per_ip === undefined ? {} : { maxConnectionsPerIp: config.max_connections_per_ip }),
      ...(config.recv_message_rate === undefined ? {} : { inboundBudget: messageBudget(ZCASH_INBOUND_BUDGET, config.recv_message_rate) }),
      admission: admissionOf(config),
      userAgent: config.user_agent,
      storePath,
      logger,
      metrics,
    });
  } catch (error) {
    throw wrapListenError(error, listenText);
  }
  return {
    wire: 'zcash',
    id: node.id,
    network: network.name,
    listen: node.address,
    router: node.router,
    peerManager: node.peerManager,
    extra: () => {
      const book = node.bookSummary();
      return {
        addressBook: node.addressBook.size,
        readyPeers: node.peerSet.readyCount,
        crawler: node.crawler !== undefined,
        clock: book.clock,
        addressBookLatestSeen: book.latestSeen,
        addressBookGroups: book.groups,
      };
    },
    start: () => node.start(),
    stop: () => node.stop(),
  };
}

/** The router's pending-handshake and overload keys, as far as the config sets them. */
function admissionOf(config: NodeConfig): NonNullable<CometbftNodeOptions['admission']> {
  return {
    ...(config.max_pending_handshakes === undefined ? {} : { maxPendingHandshakes: config.max_pending_handshakes }),
    ...(config.max_pending_handshakes_per_ip === undefined ? {} : { maxPendingHandshakesPerIp: config.max_pending_handshakes_per_ip }),
    ...(config.overload_threshold_percent === undefined ? {} : { overloadThreshold: config.overload_threshold_percent / 100 }),
    ...(config.guest_timeout_seconds === undefined ? {} : { guestTimeoutMs: config.guest_timeout_seconds * 1000 }),
    ...(config.refusal_hold_ms === undefined ? {} : { refusalHoldMs: config.refusal_hold_ms }),
  };
}

/** A wire's inbound budget with its message rate replaced (burst: two seconds' worth, as the defaults). */
function messageBudget(base: InboundBudgetOptions, messagesPerSecond: number): InboundBudgetOptions {
  return { ...base, messagesPerSecond, messageBurst: 2 * messagesPerSecond };
}
