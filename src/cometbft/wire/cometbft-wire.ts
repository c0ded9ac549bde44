// The CometBFT p2p wire as a Wire (docs/protocols/cometbft.md §1-4): SecretConnection, NodeInfo exchange and
// MConnection over any ByteLink, so the same wire runs over TCP (real networks) and the in-process
// memory carrier (simulations). One instance serves every connection of a transport; its options are
// each connection's options and its counters are shared by them.

import { noopMetrics, type Metrics } from '../../core/metrics.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import type { Direction } from '../../transport/types.ts';
import type { Wire } from '../../transport/wire.ts';
import {
  CometbftConnection,
  type CometbftConnectionMetrics,
  type CometbftConnectionOptions,
} from './cometbft-connection.ts';

export interface CometbftWireOptions extends CometbftConnectionOptions {
  /**
   * Counters: peerwire_cometbft_send_dropped_total{reason} and the MConnection's peerwire_mconn_* counters.
   * Default: none.
   */
  readonly metrics?: Metrics;
}

export class CometbftWire implements Wire {
  readonly name = 'cometbft';
  readonly options: CometbftWireOptions;
  private readonly connectionMetrics: CometbftConnectionMetrics;

  constructor(options: CometbftWireOptions = {}) {
    this.options = options;
    const metrics = options.metrics ?? noopMetrics;
    this.connectionMetrics = {
      dropped: metrics.counter({
        name: 'peerwire_cometbft_send_dropped_total',
        help: 'Messages send() did not put on the wire: the peer lacks the channel, or we do not serve it',
        labelNames: ['reason'],
      }),
      core: options.metrics,
    };
  }

  connect(link: ByteLink, direction: Direction): CometbftConnection {
    return new CometbftConnection(link, direction, this.options, this.connectionMetrics);
  }
}

export function cometbftWire(options: CometbftWireOptions = {}): CometbftWire {
  return new CometbftWire(options);
}
