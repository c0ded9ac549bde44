// Builds whole networks of engine nodes for integration tests: on the memory transport (one
// MemoryNetwork per test) or on 127.0.0.1 TCP, with the local-network profile, bootstrapped from seeds.

import { realClock } from '../../src/core/clock.ts';
import { parseNodeAddress, type NodeAddress } from '../../src/core/node-address.ts';
import { EngineNode, type EngineNodeOptions } from '../../src/engine/node/engine-node.ts';
import {
  localNetworkProfile,
  TendermintPolicy,
  type TendermintPolicyOptions,
} from '../../src/engine/peers/tendermint-policy.ts';
import { LOCAL_NETWORK_ROUTER_OPTIONS } from '../../src/engine/router/router-options.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';
import { memoryTransport, tcpTransport } from '../../src/plain/transports.ts';

export interface NetworkNodeOptions extends Partial<EngineNodeOptions> {
  readonly policy?: never;
  readonly policyOptions?: TendermintPolicyOptions;
}

function common(options: NetworkNodeOptions): Partial<EngineNodeOptions> {
  return {
    network: 'test-net',
    clock: realClock,
    policy: new TendermintPolicy({ ...localNetworkProfile, ...options.policyOptions }),
    router: { ...LOCAL_NETWORK_ROUTER_OPTIONS, ...options.router },
    addressExchange: {
      requestIntervalMs: 200,
      minInboundRequestIntervalMs: 0,
      crawlIntervalMs: 200,
      ...(options.addressExchange || {}),
    },
  };
}

export async function memoryNode(
  net: MemoryNetwork,
  name: string,
  options: NetworkNodeOptions = {},
): Promise<EngineNode> {
  const { policyOptions: _policyOptions, ...rest } = options;
  return EngineNode.create({
    ...common(options),
    ...rest,
    transports: [memoryTransport(net, { name })],
    listen: [{ protocol: 'memory', host: name, port: 0 }],
  } as EngineNodeOptions);
}

export async function tcpNode(options: NetworkNodeOptions = {}): Promise<EngineNode> {
  const { policyOptions: _policyOptions, ...rest } = options;
  return EngineNode.create({
    ...common(options),
    ...rest,
    transports: [tcpTransport()],
    listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }],
  } as EngineNodeOptions);
}

export function addressOf(node: EngineNode): NodeAddress {
  return node.address;
}

export function parse(text: string): NodeAddress {
  return parseNodeAddress(text);
}

export { MemoryNetwork };
