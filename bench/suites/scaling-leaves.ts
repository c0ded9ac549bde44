// The peers of the scaling figures (scaling.ts): bare, handshaken connections of either wire in the
// benchmark process, each counting every message the node under test sends it. A leaf is the
// connection layer alone (SecretConnection + NodeInfo + MConnection, or the Zcash version/verack
// handshake), not a node: 1,000 full nodes would not fit one process on a 2-core box, and the figures
// are about the node under test, whose process holds nothing else.

import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import type { Connection } from '../../src/transport/types.ts';
import { ProgressCounter } from '../harness.ts';
// A fresh CometBFT identity per leaf (benchLocalNode): the node refuses a second connection from one node id.
import { benchLocalNode, benchTransport, CONNECT_TIMEOUT_MS, loopback } from './cometbft-bench.ts';
import type { ScalingWire } from './scaling-hub.ts';
import { benchZcashTransport, zcashLocalNode } from './zcash-peer.ts';

/** Dials in flight at once while growing: keeps the node's pending-handshake count small. */
const DIAL_CONCURRENCY = 8;

export class Leaves {
  /** Messages received by all leaves together. */
  readonly delivered = new ProgressCounter();
  private readonly conns: Connection[] = [];
  private readonly transport: StreamTransport;

  constructor(
    private readonly wire: ScalingWire,
    private readonly port: number,
  ) {
    this.transport = wire === 'cometbft' ? benchTransport() : benchZcashTransport();
  }

  get count(): number {
    return this.conns.length;
  }

  /** Dials until `target` leaves are connected and handshaken. */
  async grow(target: number): Promise<void> {
    let next = this.conns.length;
    const worker = async (): Promise<void> => {
      while (next < target) {
        next++;
        this.conns.push(await this.dialOne());
      }
    };
    await Promise.all(Array.from({ length: DIAL_CONCURRENCY }, worker));
  }

  async close(): Promise<void> {
    for (const conn of this.conns) conn.close();
    this.conns.length = 0;
    await this.transport.close();
  }

  private async dialOne(): Promise<Connection> {
    const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    const conn = await this.transport.dial(loopback(this.port), signal);
    await conn.handshake(this.wire === 'cometbft' ? benchLocalNode('scaling-leaf') : zcashLocalNode(), signal);
    const count = async (): Promise<void> => {
      for await (const _message of conn) this.delivered.add(1);
    };
    // Ends when the leaf is closed; an early close shows as missing deliveries at the phase deadline.
    count().catch(() => undefined);
    return conn;
  }
}
