// CometBFT's p2p metrics under CometBFT's own names and labels (p2p/metrics.go, namespace `cometbft`,
// subsystem `p2p`, and the `chain_id` label its node adds to every metric), so the dashboards operators
// run for CometBFT nodes show a peerwire node too. Fed by the router's TrafficObserver:
//   cometbft_p2p_peers                                  gauge, connected peers
//   cometbft_p2p_peer_receive_bytes_total{peer_id,chID} counter, message bytes received per peer and channel
//   cometbft_p2p_peer_send_bytes_total{peer_id,chID}    counter, message bytes sent per peer and channel
//   cometbft_p2p_peer_pending_send_bytes{peer_id}       gauge, bytes queued for the peer
//   cometbft_p2p_message_receive_bytes_total{message_type} / _send_bytes_total{message_type}, counters
//   cometbft_p2p_message_send_total{message_type}       counter, messages sent
// `chID` is Go's `%#x` of the channel id (`0x30`). `peer_id` is remote-chosen, so unlike CometBFT we
// remove a peer's series when its last connection ends: live series stay bounded by the peer limits.

import type { Counter, Gauge, Labels, Metrics } from '../../core/metrics.ts';
import type { NodeId } from '../../core/node-address.ts';
import type { TrafficObserver } from '../../engine/router/traffic-observer.ts';
import { messageTypeLabel } from '../channels/message-type-label.ts';

/** Go's `fmt.Sprintf("%#x", chID)`: `0x0`, `0x30`. */
export function chIdLabel(channelId: number): string {
  return `0x${channelId.toString(16)}`;
}

export class CometbftP2pMetrics implements TrafficObserver {
  private readonly chainId: string;
  private readonly peers: Gauge;
  private readonly peerReceiveBytes: Counter;
  private readonly peerSendBytes: Counter;
  private readonly peerPending: Gauge;
  private readonly messageReceiveBytes: Counter;
  private readonly messageSendBytes: Counter;
  private readonly messageSends: Counter;
  /** Routed connections per peer (a replacing connection overlaps the one it replaces). */
  private readonly connections = new Map<NodeId, number>();
  /** Channels each connected peer has series for, so they can be removed. */
  private readonly channelsSeen = new Map<NodeId, Set<number>>();

  constructor(metrics: Metrics, chainId: string) {
    this.chainId = chainId;
    this.peers = metrics.gauge({ name: 'cometbft_p2p_peers', help: 'Number of peers.', labelNames: ['chain_id'] });
    this.peerReceiveBytes = metrics.counter({
      name: 'cometbft_p2p_peer_receive_bytes_total',
      help: 'Number of bytes received from a given peer.',
      labelNames: ['chain_id', 'peer_id', 'chID'],
    });
    this.peerSendBytes = metrics.counter({
      name: 'cometbft_p2p_peer_send_bytes_total',
      help: 'Number of bytes sent to a given peer.',
      labelNames: ['chain_id', 'peer_id', 'chID'],
    });
    this.peerPending = metrics.gauge({
      name: 'cometbft_p2p_peer_pending_send_bytes',
      help: 'Pending bytes to be sent to a given peer.',
      labelNames: ['chain_id', 'peer_id'],
    });
    this.messageReceiveBytes = metrics.counter({
      name: 'cometbft_p2p_message_receive_bytes_total',
      help: 'Number of bytes of each message type received.',
      labelNames: ['chain_id', 'message_type'],
    });
    this.messageSendBytes = metrics.counter({
      name: 'cometbft_p2p_message_send_bytes_total',
      help: 'Number of bytes of each message type sent.',
      labelNames: ['chain_id', 'message_type'],
    });
    this.messageSends = metrics.counter({
      name: 'cometbft_p2p_message_send_total',
      help: 'Number of messages sent of each message type.',
      labelNames: ['chain_id', 'message_type'],
    });
    this.peers.set(0, { chain_id: chainId });
  }

  peerUp(peer: NodeId): void {
    this.connections.set(peer, (this.connections.get(peer) ?? 0) + 1);
    this.peers.set(this.connections.size, { chain_id: this.chainId });
  }

  peerDown(peer: NodeId): void {
    const left = (this.connections.get(peer) ?? 1) - 1;
    if (left > 0) {
      this.connections.set(peer, left);
      return;
    }
    this.connections.delete(peer);
    this.peers.set(this.connections.size, { chain_id: this.chainId });
    const base = { chain_id: this.chainId, peer_id: peer };
    for (const channelId of this.channelsSeen.get(peer) ?? []) {
      const labels: Labels = { ...base, chID: chIdLabel(channelId) };
      this.peerReceiveBytes.remove(labels);
      this.peerSendBytes.remove(labels);
    }
    this.channelsSeen.delete(peer);
    this.peerPending.remove(base);
  }

  received(peer: NodeId, channelId: number, bytes: Uint8Array): void {
    if (this.track(peer, channelId)) this.peerReceiveBytes.inc({ chain_id: this.chainId, peer_id: peer, chID: chIdLabel(channelId) }, bytes.length);
    this.messageReceiveBytes.inc({ chain_id: this.chainId, message_type: messageTypeLabel(channelId, bytes) }, bytes.length);
  }

  sent(peer: NodeId, channelId: number, bytes: Uint8Array): void {
    const messageType = messageTypeLabel(channelId, bytes);
    if (this.track(peer, channelId)) this.peerSendBytes.inc({ chain_id: this.chainId, peer_id: peer, chID: chIdLabel(channelId) }, bytes.length);
    this.messageSendBytes.inc({ chain_id: this.chainId, message_type: messageType }, bytes.length);
    this.messageSends.inc({ chain_id: this.chainId, message_type: messageType });
  }

  pending(peer: NodeId, queuedBytes: number): void {
    if (this.connections.has(peer)) this.peerPending.set(queuedBytes, { chain_id: this.chainId, peer_id: peer });
  }

  /** Per-peer series exist only between a peer's up and down (so down can remove them all). */
  private track(peer: NodeId, channelId: number): boolean {
    if (!this.connections.has(peer)) return false;
    let channels = this.channelsSeen.get(peer);
    if (channels === undefined) {
      channels = new Set();
      this.channelsSeen.set(peer, channels);
    }
    channels.add(channelId);
    return true;
  }
}
