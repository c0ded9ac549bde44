// Test helper: one TS CometBFT node on 127.0.0.1 = Router + PeerManager (Tendermint policy, local
// network profile) + the CometBFT TCP transport, with PEX optional. Used by the two-node and PEX tests.

import { realClock } from '../../../src/core/clock.ts';
import type { NodeAddress } from '../../../src/core/node-address.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import { PeerManager } from '../../../src/engine/peers/peer-manager.ts';
import { localNetworkProfile, TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import { LOCAL_NETWORK_ROUTER_OPTIONS } from '../../../src/engine/router/router-options.ts';
import { Router } from '../../../src/engine/router/router.ts';
import type { StreamTransport } from '../../../src/transport/stream-transport.ts';
import { cometbftPex, type CometbftPex, type CometbftPexOptions } from '../../../src/cometbft/pex/index.ts';
import { cometbftTcpTransport } from '../../../src/cometbft/wire/transport.ts';
import type { CometbftWireOptions } from '../../../src/cometbft/wire/cometbft-wire.ts';
import { LONG_MS } from '../../transport/compliance.ts';

export const CHAIN = 'peerwire-two-nodes';

export interface TestNode {
  readonly name: string;
  readonly key: NodeKey;
  readonly router: Router;
  readonly peerManager: PeerManager;
  readonly transport: StreamTransport;
  readonly address: NodeAddress;
  pex: CometbftPex | undefined;
  /** Starts the peer manager, PEX (if any) and the router; open channels before. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface NodeOptions {
  readonly persistentPeers?: readonly NodeAddress[];
  readonly pex?: CometbftPexOptions | false;
  readonly wire?: CometbftWireOptions;
}

export async function createNode(name: string, options: NodeOptions = {}): Promise<TestNode> {
  const key = NodeKey.generate();
  const peerManager = new PeerManager({
    selfId: key.id,
    clock: realClock,
    policy: new TendermintPolicy(localNetworkProfile),
    persistentPeers: options.persistentPeers ?? [],
  });
  // Generous deadlines: the test machine may be heavily loaded; nothing here measures time.
  const transport = cometbftTcpTransport({
    wire: { handshakeTimeoutMs: LONG_MS / 2, nodeInfoTimeoutMs: LONG_MS / 2, ...options.wire },
  });
  const endpoint = await transport.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
  const router = new Router({
    key,
    info: {
      protocolVersion: '8',
      network: CHAIN,
      userAgent: name,
      listenAddress: `${key.id}@127.0.0.1:${endpoint.port}`,
    },
    peerManager,
    transports: [transport],
    options: { ...LOCAL_NETWORK_ROUTER_OPTIONS, handshakeTimeoutMs: LONG_MS, dialTimeoutMs: LONG_MS },
  });
  const node: TestNode = {
    name,
    key,
    router,
    peerManager,
    transport,
    address: { protocol: 'tcp', id: key.id, host: '127.0.0.1', port: endpoint.port },
    pex: undefined,
    async start() {
      await peerManager.start();
      node.pex?.start();
      router.start();
    },
    async stop() {
      await node.pex?.stop();
      await router.stop();
      await peerManager.stop();
    },
  };
  if (options.pex !== undefined && options.pex !== false) {
    node.pex = cometbftPex({ router, peerManager }, options.pex);
    node.pex.open();
  }
  return node;
}
