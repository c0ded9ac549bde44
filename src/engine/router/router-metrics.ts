// The router's metrics, named p2p_router_<thing>_<unit>. Labels are bounded: channel ids (at most
// 65,536 and in practice a handful), directions, error codes and fixed reason names — never peer ids
// or addresses.

import type { Counter, Gauge, Metrics } from '../../core/metrics.ts';
import type { Direction } from '../../transport/types.ts';

export class RouterMetrics {
  private readonly peers: Gauge;
  private readonly connects: Counter;
  private readonly messagesSent: Counter;
  private readonly bytesSent: Counter;
  private readonly messagesReceived: Counter;
  private readonly bytesReceived: Counter;
  private readonly drops: Counter;
  private readonly dialFailures: Counter;
  private readonly handshakeFailures: Counter;
  private readonly rejections: Counter;
  private readonly evictions: Counter;
  private readonly loopErrors: Counter;
  private readonly peerErrors: Counter;

  constructor(metrics: Metrics) {
    this.peers = metrics.gauge({
      name: 'p2p_router_peers',
      help: 'Connected peers',
      labelNames: ['direction'],
    });
    this.connects = metrics.counter({
      name: 'p2p_router_connections_total',
      help: 'Peers routed',
      labelNames: ['direction'],
    });
    this.messagesSent = metrics.counter({
      name: 'p2p_router_messages_sent_total',
      help: 'Messages handed to connections',
      labelNames: ['channel'],
    });
    this.bytesSent = metrics.counter({
      name: 'p2p_router_sent_bytes_total',
      help: 'Message bytes handed to connections',
      labelNames: ['channel'],
    });
    this.messagesReceived = metrics.counter({
      name: 'p2p_router_messages_received_total',
      help: 'Messages delivered to channels',
      labelNames: ['channel'],
    });
    this.bytesReceived = metrics.counter({
      name: 'p2p_router_received_bytes_total',
      help: 'Message bytes delivered to channels',
      labelNames: ['channel'],
    });
    this.drops = metrics.counter({
      name: 'p2p_router_messages_dropped_total',
      help: 'Messages dropped, by reason',
      labelNames: ['channel', 'reason'],
    });
    this.dialFailures = metrics.counter({
      name: 'p2p_router_dial_failures_total',
      help: 'Failed dials',
      labelNames: ['code'],
    });
    this.handshakeFailures = metrics.counter({
      name: 'p2p_router_handshake_failures_total',
      help: 'Failed handshakes',
      labelNames: ['direction', 'code'],
    });
    this.rejections = metrics.counter({
      name: 'p2p_router_connections_rejected_total',
      help: 'Connections refused after accept or dial',
      labelNames: ['direction', 'reason'],
    });
    this.evictions = metrics.counter({ name: 'p2p_router_evictions_total', help: 'Peers evicted' });
    this.loopErrors = metrics.counter({
      name: 'p2p_router_loop_errors_total',
      help: 'Loop iterations that failed and were retried',
      labelNames: ['loop'],
    });
    this.peerErrors = metrics.counter({
      name: 'p2p_router_peer_errors_total',
      help: 'Errors reported against peers by services',
      labelNames: ['code'],
    });
  }

  peerConnected(direction: Direction): void {
    this.peers.inc({ direction });
    this.connects.inc({ direction });
  }

  peerDisconnected(direction: Direction): void {
    this.peers.dec({ direction });
  }

  sent(channel: number, bytes: number): void {
    this.messagesSent.inc({ channel });
    this.bytesSent.inc({ channel }, bytes);
  }

  received(channel: number, bytes: number): void {
    this.messagesReceived.inc({ channel });
    this.bytesReceived.inc({ channel }, bytes);
  }

  dropped(channel: number, reason: string): void {
    this.drops.inc({ channel, reason });
  }

  dialFailed(code: string): void {
    this.dialFailures.inc({ code });
  }

  handshakeFailed(direction: Direction, code: string): void {
    this.handshakeFailures.inc({ direction, code });
  }

  rejected(direction: Direction, reason: string): void {
    this.rejections.inc({ direction, reason });
  }

  evicted(): void {
    this.evictions.inc();
  }

  loopError(loop: string): void {
    this.loopErrors.inc({ loop });
  }

  peerError(code: string): void {
    this.peerErrors.inc({ code });
  }
}
