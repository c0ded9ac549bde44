// The metric instruments of an MConnection core, made once per connection from the node's registry
// (names and help text as docs/metrics.md lists them). Kept apart from the core so the core reads as the
// protocol and its scheduler.

import { RTT_BUCKETS_SECONDS, type Counter, type Histogram, type Metrics } from '../../../core/metrics.ts';

export interface MConnMetrics {
  readonly pingRtt: Histogram;
  readonly sentBytes: Counter;
  readonly receivedBytes: Counter;
  readonly receivedMessages: Counter;
}

export function mconnMetrics(m: Metrics): MConnMetrics {
  return {
    pingRtt: m.histogram({
      name: 'peerwire_mconn_ping_rtt_seconds',
      help: 'Round trip of MConnection keep-alive pings (ping written to pong read)',
      buckets: RTT_BUCKETS_SECONDS,
    }),
    sentBytes: m.counter({
      name: 'peerwire_mconn_sent_bytes_total',
      help: 'MConnection packet bytes written, per channel',
      labelNames: ['channel'],
    }),
    receivedBytes: m.counter({
      name: 'peerwire_mconn_received_bytes_total',
      help: 'MConnection stream bytes received',
    }),
    receivedMessages: m.counter({
      name: 'peerwire_mconn_received_messages_total',
      help: 'Reassembled messages delivered, per channel',
      labelNames: ['channel'],
    }),
  };
}
