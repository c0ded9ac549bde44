// The router's metrics, named peerwire_router_<thing>_<unit>. Labels are bounded: channel ids (at most
// 65,536 and in practice a handful), directions, error codes and fixed reason names — never peer ids
// or addresses. A slice's TrafficObserver (traffic-observer.ts) sees the same events with the peer.

import type { Counter, Gauge, Metrics } from '../../core/metrics.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { Direction } from '../../transport/types.ts';
import type { TrafficObserver } from './traffic-observer.ts';

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
  private readonly guestsEnded: Counter;
  private readonly peerErrors: Counter;
  private readonly disconnects: Counter;
  private readonly observer: TrafficObserver | undefined;
  private readonly queuedBytes: Gauge;

  constructor(metrics: Metrics, observer?: TrafficObserver) {
    this.observer = observer;
    this.peers = metrics.gauge({
      name: 'peerwire_router_peers',
      help: 'Connected peers',
      labelNames: ['direction'],
    });
    this.queuedBytes = metrics.gauge({
      name: 'peerwire_router_queued_bytes',
      help: "Message bytes waiting in all peers' send queues",
    });
    this.connects = metrics.counter({
      name: 'peerwire_router_connections_total',
      help: 'Peers routed',
      labelNames: ['direction'],
    });
    this.messagesSent = metrics.counter({
      name: 'peerwire_router_messages_sent_total',
      help: 'Messages handed to connections',
      labelNames: ['channel'],
    });
    this.bytesSent = metrics.counter({
      name: 'peerwire_router_sent_bytes_total',
      help: 'Message bytes handed to connections',
      labelNames: ['channel'],
    });
    this.messagesReceived = metrics.counter({
      name: 'peerwire_router_messages_received_total',
      help: 'Messages delivered to channels',
      labelNames: ['channel'],
    });
    this.bytesReceived = metrics.counter({
      name: 'peerwire_router_received_bytes_total',
      help: 'Message bytes delivered to channels',
      labelNames: ['channel'],
    });
    this.drops = metrics.counter({
      name: 'peerwire_router_messages_dropped_total',
      help: 'Messages dropped, by reason',
      labelNames: ['channel', 'reason'],
    });
    this.dialFailures = metrics.counter({
      name: 'peerwire_router_dial_failures_total',
      help: 'Failed dials',
      labelNames: ['code'],
    });
    this.handshakeFailures = metrics.counter({
      name: 'peerwire_router_handshake_failures_total',
      help: 'Failed handshakes',
      labelNames: ['direction', 'code'],
    });
    this.rejections = metrics.counter({
      name: 'peerwire_router_connections_rejected_total',
      help: 'Connections refused after accept or dial',
      labelNames: ['direction', 'reason'],
    });
    this.evictions = metrics.counter({ name: 'peerwire_router_evictions_total', help: 'Peers evicted' });
    this.guestsEnded = metrics.counter({
      name: 'peerwire_router_guests_ended_total',
      help: 'Guests (newcomers answered while full) closed, by outcome (answered, expired, other)',
      labelNames: ['outcome'],
    });
    this.loopErrors = metrics.counter({
      name: 'peerwire_router_loop_errors_total',
      help: 'Loop iterations that failed and were retried',
      labelNames: ['loop'],
    });
    this.disconnects = metrics.counter({
      name: 'peerwire_router_disconnects_total',
      help: 'Connected peers that went away, by the error code that closed them (none: a clean close); ERR_PEER_FLOOD counts flooders cut off',
      labelNames: ['direction', 'code'],
    });
    this.peerErrors = metrics.counter({
      name: 'peerwire_router_peer_errors_total',
      help: 'Errors reported against peers by services',
      labelNames: ['code'],
    });
  }

  peerConnected(peer: NodeId, direction: Direction): void {
    this.peers.inc({ direction });
    this.connects.inc({ direction });
    this.observer?.peerUp(peer, direction);
  }

  peerDisconnected(peer: NodeId, direction: Direction, code = 'none'): void {
    this.peers.dec({ direction });
    this.disconnects.inc({ direction, code });
    this.observer?.peerDown(peer, direction);
  }

  sent(peer: NodeId, channel: number, bytes: Uint8Array): void {
    this.messagesSent.inc({ channel });
    this.bytesSent.inc({ channel }, bytes.length);
    this.observer?.sent(peer, channel, bytes);
  }

  received(peer: NodeId, channel: number, bytes: Uint8Array): void {
    this.messagesReceived.inc({ channel });
    this.bytesReceived.inc({ channel }, bytes.length);
    this.observer?.received(peer, channel, bytes);
  }

  /** A peer's send queue now holds `queuedBytes`, `change` more than it last reported. */
  pending(peer: NodeId, queuedBytes: number, change: number): void {
    this.queuedBytes.inc(undefined, change);
    this.observer?.pending(peer, queuedBytes);
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

  guestEnded(outcome: 'answered' | 'expired' | 'other'): void {
    this.guestsEnded.inc({ outcome });
  }

  loopError(loop: string): void {
    this.loopErrors.inc({ loop });
  }

  peerError(code: string): void {
    this.peerErrors.inc({ code });
  }
}
