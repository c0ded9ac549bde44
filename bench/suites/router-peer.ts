// The receiving node of the two-process router figures, run in a forked child by openSide(): an engine
// node on 127.0.0.1 TCP (plain wire, local-network profile) whose benchmark channel counts every
// message delivered to it. The parent dials it by the address `start` returns and waits on `waitFor`.

import { formatNodeAddress } from '../../src/core/node-address.ts';
import type { EngineNode } from '../../src/engine/node/engine-node.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { SideHandlers } from '../harness.ts';
import { benchNode, openCountedChannel, ProgressCounter } from './engine-bench.ts';

let node: EngineNode | undefined;
const counter = new ProgressCounter();

export const handlers: SideHandlers = {
  /** Starts the node; returns its address (`id@127.0.0.1:port`). */
  async start(): Promise<string> {
    if (node !== undefined) throw new PeerwireError(ErrorCode.InvalidArgument, 'router peer already started');
    counter.reset();
    node = await benchNode({ carrier: 'tcp' });
    openCountedChannel(node, counter);
    node.start();
    return formatNodeAddress(node.address);
  },
  /** Resolves with the delivered count once it reaches `target`. */
  waitFor(arg: unknown): Promise<number> {
    return counter.waitFor((arg as { target: number }).target);
  },
  async close(): Promise<void> {
    const n = node;
    node = undefined;
    await n?.stop();
  },
};
