// zebrad's peer-count gauges, under the names its Prometheus exporter writes (peer_set/set.rs:
// `zcash.net.peers`, `zcash.net.peers.inbound`, `zcash.net.peers.outbound`), so zebrad dashboards show a
// peerwire node's peers. Recounted from the router on every peer up or down: a handful of peers, and
// counting never drifts the way increments and decrements of a replaced connection could.

import type { Gauge, Metrics } from '../../core/metrics.ts';
import type { Router } from '../../engine/router/router.ts';

export class ZcashPeerGauges {
  private readonly all: Gauge;
  private readonly inbound: Gauge;
  private readonly outbound: Gauge;

  constructor(metrics: Metrics) {
    this.all = metrics.gauge({ name: 'zcash_net_peers', help: 'Connected Zcash peers.' });
    this.inbound = metrics.gauge({ name: 'zcash_net_peers_inbound', help: 'Connected inbound Zcash peers.' });
    this.outbound = metrics.gauge({ name: 'zcash_net_peers_outbound', help: 'Connected outbound Zcash peers.' });
  }

  update(router: Router): void {
    let inbound = 0;
    let outbound = 0;
    for (const peer of router.peerStatus()) {
      if (peer.direction === 'inbound') inbound++;
      else outbound++;
    }
    this.all.set(inbound + outbound);
    this.inbound.set(inbound);
    this.outbound.set(outbound);
  }
}
