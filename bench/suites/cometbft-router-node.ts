// One node of the router-level priority figure, as both ends build it: a CometBFT node on 127.0.0.1
// (local-network profile, no PEX) with the benchmark's two channels opened through the router — bulk
// data at priority 1 and the echo channel at priority 10, CometBFT's ratio between block parts and votes.

import { rawCodec } from '../../src/core/message-codec.ts';
import type { NodeAddress } from '../../src/core/node-address.ts';
import type { EngineNode } from '../../src/engine/node/engine-node.ts';
import type { Channel } from '../../src/engine/router/channel.ts';
import { createCometbftNode } from '../../src/cometbft/node/cometbft-node.ts';
import { CHAIN_ID, DATA_CHANNEL, ECHO_CHANNEL } from './cometbft-bench.ts';

export interface RouterBenchVariant {
  /** Per-peer send and receive rate (bytes/s) on both ends; CometBFT's default when absent. */
  readonly rateBytesPerSecond?: number;
}

export interface RouterBenchNode {
  readonly node: EngineNode;
  readonly data: Channel<Uint8Array>;
  readonly echo: Channel<Uint8Array>;
}

/** Bulk messages a peer may have queued on the data channel: enough to keep the link saturated. */
const DATA_SEND_QUEUE = 64;

export async function routerBenchNode(
  variant: RouterBenchVariant,
  persistentPeers: readonly NodeAddress[],
): Promise<RouterBenchNode> {
  const rate = variant.rateBytesPerSecond;
  const node = await createCometbftNode({
    chainId: CHAIN_ID,
    listen: { host: '127.0.0.1', port: 0 },
    persistentPeers,
    pex: false,
    localNetwork: true,
    ...(rate === undefined ? {} : { sendRate: rate, recvRate: rate }),
  });
  const data = node.openChannel(DATA_CHANNEL, rawCodec, { priority: 1, sendQueueCapacity: DATA_SEND_QUEUE });
  const echo = node.openChannel(ECHO_CHANNEL, rawCodec, { priority: 10 });
  return { node, data, echo };
}
