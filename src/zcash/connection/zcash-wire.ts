// The Zcash wire as a transport Wire: each raw link becomes a ZcashConnection sharing one Handshake
// (config, nonce set, inbound service, address-book and inventory sinks). How a link was reached
// decides its ConnectedAddr: by default a dialed link is OutboundDirect and an accepted one
// InboundDirect; `isolated: true` makes every connection Isolated (e.g. over Tor), and
// `connectedAddr` lets a proxying transport describe its links itself.

import type { ByteLink } from '../../transport/byte-link.ts';
import type { Connection, Direction } from '../../transport/types.ts';
import type { Wire } from '../../transport/wire.ts';
import type { ConnectedAddr } from '../handshake/connected-addr.ts';
import { Handshake, type HandshakeConfig } from '../handshake/handshake.ts';
import type { InboundBudgetOptions } from '../../transport/inbound-budget.ts';
import { ZcashConnection } from './zcash-connection.ts';

export interface ZcashWireOptions {
  /** The shared handshake service; or `config` to build a default one (no sinks, no inbound service). */
  readonly handshake?: Handshake;
  readonly config?: HandshakeConfig;
  /** Every connection Isolated: reveals nothing about us, changes no shared state. Default false. */
  readonly isolated?: boolean;
  /** Describes a link's ConnectedAddr (proxies). Default: direct, by direction. */
  readonly connectedAddr?: (link: ByteLink, direction: Direction) => ConnectedAddr;
  /** Received bytes queued for the router before the link is paused. Default 1 MiB. */
  readonly receiveBufferBytes?: number;
  /** Client requests waiting behind the one in flight, per peer. Default 32. */
  readonly maxQueuedRequests?: number;
  /** Per-peer inbound budget; false = none. Default none (ZcashNode sets ZCASH_INBOUND_BUDGET, zcash-budget.ts). */
  readonly inboundBudget?: InboundBudgetOptions | false;
  /**
   * Pace block frames by the queueing delay measured with extra pings (send-scheduler.ts). Default
   * true; false keeps the scheduler's control-first order and low-water mark only (the benchmark's
   * before/after reference).
   */
  readonly pacing?: boolean;
}

export class ZcashWire implements Wire {
  readonly name = 'zcash';
  readonly handshake: Handshake;
  private readonly options: ZcashWireOptions;

  constructor(options: ZcashWireOptions) {
    this.options = options;
    if (options.handshake !== undefined) this.handshake = options.handshake;
    else if (options.config !== undefined)
      this.handshake = Handshake.builder().withConfig(options.config).finish();
    else throw new TypeError('zcashWire needs a handshake or a config');
  }

  connect(link: ByteLink, direction: Direction): ZcashConnection & Connection {
    const o = this.options;
    const connectedAddr: ConnectedAddr | undefined =
      o.isolated === true ? { kind: 'isolated' } : o.connectedAddr?.(link, direction);
    return new ZcashConnection(link, direction, this.handshake, {
      ...(connectedAddr === undefined ? {} : { connectedAddr }),
      ...(o.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: o.receiveBufferBytes }),
      ...(o.maxQueuedRequests === undefined ? {} : { maxQueuedRequests: o.maxQueuedRequests }),
      ...(o.inboundBudget === undefined ? {} : { inboundBudget: o.inboundBudget }),
      ...(o.pacing === undefined ? {} : { pacing: o.pacing }),
    });
  }
}

export function zcashWire(options: ZcashWireOptions): ZcashWire {
  return new ZcashWire(options);
}
