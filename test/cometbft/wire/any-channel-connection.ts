// A test-side CometBFT connection that can also send on a channel it never declared, to exercise a
// receiver's ERR_UNKNOWN_CHANNEL check. Production connections refuse such sends (dropped and
// counted), so the raw path lives here: the message is cut into PacketMsgs, sealed with the
// connection's own SecretConnection session and written straight to the link, outside the scheduler.
// Sealing and writing happen in one synchronous step, so the frame counter stays in step with the
// pump's writes.

import { noopMetrics } from '../../../src/core/metrics.ts';
import type { ByteLink } from '../../../src/transport/byte-link.ts';
import type { Direction, LocalNode } from '../../../src/transport/types.ts';
import type { Wire } from '../../../src/transport/wire.ts';
import {
  CometbftConnection,
  type CometbftConnectionMetrics,
  type HandshakeExtras,
} from '../../../src/cometbft/wire/cometbft-connection.ts';
import type { CometbftWireOptions } from '../../../src/cometbft/wire/cometbft-wire.ts';
import {
  encodePacket,
  MAX_PACKET_MSG_PAYLOAD_SIZE,
} from '../../../src/cometbft/wire/mconnection/packet-codec.ts';

export class AnyChannelConnection extends CometbftConnection {
  private declared: ReadonlySet<number> = new Set();

  protected override startHandshake(local: LocalNode, extras: HandshakeExtras | undefined): void {
    this.declared = new Set(local.channels.map((c) => c.id));
    super.startHandshake(local, extras);
  }

  override send(channelId: number, bytes: Uint8Array): boolean {
    const session = this.secretSession;
    if (this.declared.has(channelId) || this.state !== 'open' || session === undefined)
      return super.send(channelId, bytes);
    const packets: Uint8Array[] = [];
    let offset = 0;
    do {
      const end = Math.min(bytes.length, offset + MAX_PACKET_MSG_PAYLOAD_SIZE);
      const data = bytes.subarray(offset, end);
      packets.push(encodePacket({ kind: 'msg', channelId, eof: end === bytes.length, data }, true));
      offset = end;
    } while (offset < bytes.length);
    return this.link.write(session.seal(packets));
  }
}

/** A CometBFT wire whose connections are AnyChannelConnections (counters discarded). */
export function anyChannelWire(options: CometbftWireOptions): Wire {
  const metrics: CometbftConnectionMetrics = {
    dropped: noopMetrics.counter({ name: 'test_dropped_total', help: 'unused', labelNames: ['reason'] }),
    core: undefined,
  };
  return {
    name: 'cometbft',
    connect: (link: ByteLink, direction: Direction) => new AnyChannelConnection(link, direction, options, metrics),
  };
}
