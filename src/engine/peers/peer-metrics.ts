// The PeerManager's metrics: connected peers per slot, store size, dial results, refusals by code,
// evictions by reason, bans and guests. Label values come from fixed sets (directions, result names, our own
// error codes), never from remote input.

import type { Counter, Gauge, Metrics } from '../../core/metrics.ts';

export interface PeerMetrics {
  readonly connected: Gauge;
  readonly stored: Gauge;
  readonly dials: Counter;
  readonly refused: Counter;
  readonly evictions: Counter;
  readonly bans: Counter;
  readonly guests: Counter;
}

export function createPeerMetrics(metrics: Metrics): PeerMetrics {
  return {
    connected: metrics.gauge({
      name: 'peerwire_peers_connected_peers',
      help: 'Connected peers by slot',
      labelNames: ['direction'],
    }),
    stored: metrics.gauge({ name: 'peerwire_peers_stored_peers', help: 'Peers in the peer store' }),
    dials: metrics.counter({
      name: 'peerwire_peers_dials_total',
      help: 'Dials by result (started, upgrade, rotation, failed, connected)',
      labelNames: ['result'],
    }),
    refused: metrics.counter({
      name: 'peerwire_peers_refused_total',
      help: 'Connections refused, by error code',
      labelNames: ['code'],
    }),
    evictions: metrics.counter({
      name: 'peerwire_peers_evictions_total',
      help: 'Evictions handed to the router, by reason (marked, over_limit)',
      labelNames: ['reason'],
    }),
    bans: metrics.counter({ name: 'peerwire_peers_bans_total', help: 'Peers banned' }),
    guests: metrics.counter({
      name: 'peerwire_peers_guests_total',
      help: 'Newcomers admitted as guests while the inbound side was full (answered, then closed)',
    }),
  };
}
