// The far end of the router-level priority figure (cometbft-router.ts), run in a forked child: a whole
// CometBFT node (router, PeerManager, MConnection over 127.0.0.1 TCP) that echoes every message on the
// echo channel back to its sender and counts the bulk bytes delivered on the data channel.

import { formatNodeAddress } from '../../src/core/node-address.ts';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { EngineNode } from '../../src/engine/node/engine-node.ts';
import { ProgressCounter, type SideHandlers } from '../side-process.ts';
import { routerBenchNode, type RouterBenchVariant } from './cometbft-router-node.ts';

let node: EngineNode | undefined;
const dataBytes = new ProgressCounter();

export const handlers: SideHandlers = {
  /** Starts the node; returns its address (`id@127.0.0.1:port`). */
  async start(arg: unknown): Promise<string> {
    if (node !== undefined) throw new PeerwireError(ErrorCode.InvalidArgument, 'router side already started');
    dataBytes.reset();
    const started = await routerBenchNode(arg as RouterBenchVariant, []);
    node = started.node;
    void (async () => {
      for await (const envelope of started.echo) {
        await started.echo.send({ to: envelope.from, message: envelope.message });
      }
    })();
    void (async () => {
      for await (const envelope of started.data) dataBytes.add(envelope.message.length);
    })();
    node.start();
    return formatNodeAddress(node.address);
  },
  /** Resolves once `target` bulk bytes were delivered. */
  waitFor(arg: unknown): Promise<number> {
    return dataBytes.waitFor((arg as { target: number }).target);
  },
  async close(): Promise<void> {
    const n = node;
    node = undefined;
    await n?.stop();
  },
};
