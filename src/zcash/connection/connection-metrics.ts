// Counters of the Zcash connection layer. Messages and bytes use zebrad's names as its Prometheus
// exporter writes them (`zcash.net.in.messages` becomes `zcash_net_in_messages`; the Rust exporter adds
// no `_total`, so only the byte counters, named `.bytes.total` in Zebra, end in it), so zebrad
// dashboards work. Zebra also labels these by the remote `addr`, which is remote-controlled and
// unbounded: that label is left out. Every label comes from a bounded set: the command label is one
// of Zebra's command names or `unknown` (never the remote's command text), error codes are our own
// constants, request kinds our own union.

import { RTT_BUCKETS_SECONDS, type Counter, type Histogram, type Metrics } from '../../core/metrics.ts';

export class ConnectionMetrics {
  private readonly received: Counter;
  private readonly sent: Counter;
  private readonly inBytes: Counter;
  private readonly outBytes: Counter;
  private readonly unknown: Counter;
  private readonly codecErrors: Counter;
  private readonly requests: Counter;
  private readonly inbound: Counter;
  private readonly heartbeatRtt: Histogram;

  constructor(metrics: Metrics) {
    this.received = metrics.counter({
      name: 'zcash_net_in_messages',
      help: 'Zcash messages received after the handshake, by command (unknown commands as `unknown`).',
      labelNames: ['command'],
    });
    this.sent = metrics.counter({
      name: 'zcash_net_out_messages',
      help: 'Zcash messages sent, by command.',
      labelNames: ['command'],
    });
    this.inBytes = metrics.counter({ name: 'zcash_net_in_bytes_total', help: 'Zcash frame bytes received (header and body).' });
    this.outBytes = metrics.counter({ name: 'zcash_net_out_bytes_total', help: 'Zcash frame bytes sent (header and body).' });
    this.unknown = metrics.counter({
      name: 'peerwire_zcash_unknown_commands_total',
      help: 'Messages with commands Zebra does not know (sendcmpct, feefilter, ...), ignored.',
    });
    this.codecErrors = metrics.counter({
      name: 'peerwire_zcash_codec_errors_total',
      help: 'Connections closed because the peer sent undecodable bytes, by error code.',
      labelNames: ['code'],
    });
    this.requests = metrics.counter({
      name: 'peerwire_zcash_requests_total',
      help: 'Requests made of peers through the Zcash client, by kind and result.',
      labelNames: ['kind', 'result'],
    });
    this.heartbeatRtt = metrics.histogram({
      name: 'peerwire_zcash_heartbeat_rtt_seconds',
      help: 'Round trip of heartbeat pings (ping sent to matching pong).',
      buckets: RTT_BUCKETS_SECONDS,
    });
    this.inbound = metrics.counter({
      name: 'peerwire_zcash_inbound_requests_total',
      help: 'Peer requests handled by the inbound service, by result.',
      labelNames: ['result'],
    });
  }

  messageReceived(command: string): void {
    this.received.inc({ command });
  }

  messageSent(command: string, frameBytes: number): void {
    this.sent.inc({ command });
    this.outBytes.inc(undefined, frameBytes);
  }

  bytesReceived(frameBytes: number): void {
    this.inBytes.inc(undefined, frameBytes);
  }

  unknownCommand(): void {
    this.unknown.inc();
    this.received.inc({ command: 'unknown' });
  }

  codecError(code: string): void {
    this.codecErrors.inc({ code });
  }

  request(kind: string, result: string): void {
    this.requests.inc({ kind, result });
  }

  heartbeat(rttMs: number): void {
    this.heartbeatRtt.observe(rttMs / 1000);
  }

  inboundRequest(result: string): void {
    this.inbound.inc({ result });
  }
}
