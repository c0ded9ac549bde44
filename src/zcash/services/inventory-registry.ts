// Zebra's inventory registry (peer_set/inventory_registry.rs; docs/protocols/zcash.md §6): which ready peer has said it
// has — or does not have — a block or transaction, so single-item downloads go to a peer that can
// answer and never to one that said it cannot. Connections send InventoryChanges (`inv` → available,
// `notfound` and undelivered downloads → missing) through `send`, a bounded queue (capacity = the
// total connection limit; when full the *oldest* change is dropped and counted, like Zebra's broadcast
// channel). Every structure here is keyed by remote input and bounded:
// - two maps, `current` and `prev`, hash → (peer → status); every 53 s `prev` is replaced by
//   `current` and `current` starts empty, so a mark lives 53–106 s;
// - at most 1,000 hashes per map and 70 peers per hash, the oldest evicted;
// - a Missing mark is never overwritten by a later Available from the same peer within the interval
//   (a peer cannot "reset" itself to attract requests);
// - a disconnected peer is removed everywhere.
// Lookups prefer `current` over `prev` for the same peer.

import { BoundedQueue } from '../../core/bounded-queue.ts';
import type { Clock, Timer } from '../../core/clock.ts';
import { noopMetrics, type Counter, type Metrics } from '../../core/metrics.ts';
import type { InventoryChange, InventoryCollector, InventoryHash } from '../wire/peer-events.ts';

/** INVENTORY_ROTATION_INTERVAL: shorter than the 75 s block interval, so block marks age out quickly. */
export const INVENTORY_ROTATION_INTERVAL = 53_000;
/** MAX_INV_PER_MAP: bounds memory under an `inv` flood (a few hundred KB at most). */
export const MAX_INV_PER_MAP = 1000;
/** MAX_PEERS_PER_INV: more than the default outbound limit, far below the total connection limit. */
export const MAX_PEERS_PER_INV = 70;
/** Default input queue capacity: Zebra's total connection limit (75 + 125). */
const DEFAULT_QUEUE_CAPACITY = 200;
/** A block hash or legacy txid (32 bytes) or a ZIP-239 wtx id (64 bytes), lower-case hex. */
const HASH_TEXT = /^[0-9a-f]{64}(?:[0-9a-f]{64})?$/;

export type InventoryStatus = 'available' | 'missing';

export interface InventoryRegistryOptions {
  readonly clock: Clock;
  /** Input queue capacity. Default 200 (the default total connection limit). */
  readonly queueCapacity?: number;
  /** Default 53 s. */
  readonly rotationInterval?: number;
  /** Default 1,000. */
  readonly maxHashesPerMap?: number;
  /** Default 70. */
  readonly maxPeersPerHash?: number;
  readonly metrics?: Metrics;
}

type StatusMap = Map<InventoryHash, Map<string, InventoryStatus>>;

export class InventoryRegistry implements InventoryCollector {
  private readonly clock: Clock;
  private readonly queue: BoundedQueue<InventoryChange>;
  private readonly rotationInterval: number;
  private readonly maxHashes: number;
  private readonly maxPeers: number;
  private current: StatusMap = new Map();
  private prev: StatusMap = new Map();
  private drainTimer: Timer | undefined;
  private rotationTimer: Timer | undefined;
  private readonly dropCounter: Counter;
  private readonly evictions: Counter;
  private invalid = 0;
  private stopped = false;

  constructor(options: InventoryRegistryOptions) {
    this.clock = options.clock;
    this.rotationInterval = options.rotationInterval ?? INVENTORY_ROTATION_INTERVAL;
    this.maxHashes = Math.max(1, options.maxHashesPerMap ?? MAX_INV_PER_MAP);
    this.maxPeers = Math.max(1, options.maxPeersPerHash ?? MAX_PEERS_PER_INV);
    const metrics = options.metrics ?? noopMetrics;
    this.dropCounter = metrics.counter({
      name: 'peerwire_zcash_inventory_changes_dropped_total',
      help: 'Inventory changes dropped because the registry queue was full (oldest first)',
    });
    this.evictions = metrics.counter({
      name: 'peerwire_zcash_inventory_evictions_total',
      help: 'Inventory marks evicted by the per-map and per-hash caps',
      labelNames: ['cap'],
    });
    this.queue = new BoundedQueue<InventoryChange>({
      name: 'zcash-inventory-registry',
      capacity: options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
      policy: 'drop-oldest',
      onDrop: () => this.dropCounter.inc(),
    });
  }

  /** Starts the rotation timer. */
  start(): void {
    if (this.rotationTimer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.rotate();
      this.rotationTimer = this.clock.setTimer(this.rotationInterval, tick);
    };
    this.rotationTimer = this.clock.setTimer(this.rotationInterval, tick);
  }

  /** Stops the timers and forgets everything. */
  stop(): void {
    this.stopped = true;
    this.rotationTimer?.cancel();
    this.drainTimer?.cancel();
    this.rotationTimer = undefined;
    this.drainTimer = undefined;
    this.queue.close(undefined, true);
    this.current.clear();
    this.prev.clear();
  }

  /** Changes dropped because the queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Hashes refused as malformed. */
  get malformed(): number {
    return this.invalid;
  }

  /** Hashes in each map (for tests and status pages). */
  sizes(): { current: number; prev: number } {
    return { current: this.current.size, prev: this.prev.size };
  }

  send(change: InventoryChange): void {
    if (this.stopped) return;
    this.queue.offer(change);
    this.drainTimer ??= this.clock.setTimer(0, () => {
      this.drainTimer = undefined;
      this.drain();
    });
  }

  /** Applies every queued change now (lookups do it first, the timer does it too). */
  drain(): void {
    for (let change = this.queue.shift(); change !== undefined; change = this.queue.shift())
      this.register(change);
  }

  /** Replaces `prev` with `current` and empties `current` (every 53 s). */
  rotate(): void {
    this.drain();
    this.prev = this.current;
    this.current = new Map();
  }

  private register(change: InventoryChange): void {
    const status: InventoryStatus = change.kind;
    // A change may not carry more hashes than a map holds: any excess would only evict its own head.
    const hashes =
      change.hashes.length > this.maxHashes ? change.hashes.slice(-this.maxHashes) : change.hashes;
    for (const hash of hashes) {
      if (typeof hash !== 'string' || !HASH_TEXT.test(hash)) {
        this.invalid++;
        continue;
      }
      this.mark(hash, change.peer, status);
    }
  }

  private mark(hash: InventoryHash, peer: string, status: InventoryStatus): void {
    let peers = this.current.get(hash);
    if (peers === undefined) {
      while (this.current.size >= this.maxHashes) {
        const oldest = this.current.keys().next().value;
        if (oldest === undefined) break;
        this.current.delete(oldest);
        this.evictions.inc({ cap: 'hashes' });
      }
      peers = new Map();
      this.current.set(hash, peers);
    }
    const existing = peers.get(peer);
    if (existing === 'missing' && status === 'available') return;
    if (existing === undefined) {
      while (peers.size >= this.maxPeers) {
        const oldest = peers.keys().next().value;
        if (oldest === undefined) break;
        peers.delete(oldest);
        this.evictions.inc({ cap: 'peers' });
      }
    }
    peers.set(peer, status);
  }

  /** The status `peer` reported for `hash` (current interval first), if any. */
  status(hash: InventoryHash, peer: string): InventoryStatus | undefined {
    this.drain();
    return this.current.get(hash)?.get(peer) ?? this.prev.get(hash)?.get(peer);
  }

  /** Peers whose latest mark for `hash` is Available. */
  advertisingPeers(hash: InventoryHash): string[] {
    return this.peersWith(hash, 'available');
  }

  /** Peers whose latest mark for `hash` is Missing. */
  missingPeers(hash: InventoryHash): string[] {
    return this.peersWith(hash, 'missing');
  }

  private peersWith(hash: InventoryHash, wanted: InventoryStatus): string[] {
    this.drain();
    const current = this.current.get(hash);
    const prev = this.prev.get(hash);
    const out: string[] = [];
    if (current !== undefined) for (const [peer, s] of current) if (s === wanted) out.push(peer);
    if (prev !== undefined)
      for (const [peer, s] of prev) if (s === wanted && current?.has(peer) !== true) out.push(peer);
    return out;
  }

  /** Forgets every mark of a peer (call when it disconnects). */
  removePeer(peer: string): void {
    this.drain();
    for (const map of [this.current, this.prev]) {
      for (const [hash, peers] of map) {
        if (peers.delete(peer) && peers.size === 0) map.delete(hash);
      }
    }
  }
}
