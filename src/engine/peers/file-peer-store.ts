// FilePeerStore: the persistent, crash-safe PeerStore. The whole store lives in memory and is written
// as one file that is replaced atomically (write a temporary file, fsync, rename over the store, fsync
// the directory) with a versioned header and a SHA-256 checksum, as Bitcoin Core keeps peers.dat.
// The format is in file-peer-store-format.ts, the file-system steps in file-peer-store-fs.ts.
//
// Why one file and not LevelDB (classic-level) or another key-value store: no native addon to build
// on every platform, one file an operator can copy or delete, and crash safety that is trivial to
// argue (rename is atomic: a crash leaves the old store or the new one, never a mix). The store is
// small (hundreds to a few thousand records) and written at most once per flush interval, so
// rewriting it whole costs little. Tendermint v0.35 wrote every change through to a key-value DB
// without fsync; here changes are batched and each commit is durable.
//
// Behaviour:
// - put/delete change memory only and arm one timer: the first change after a commit schedules an
//   automatic flush `flushInterval` later, and later changes ride along. The timer is not pushed back
//   by further changes, so a steady stream of changes cannot postpone persistence forever: at most
//   `flushInterval` of changes is lost in a crash.
// - flush() commits every change made before the call; concurrent flushes run one after another.
//   A failed automatic flush is logged, counted and retried with backoff; it never throws anywhere.
// - load() never throws for a bad file: a missing file is an empty store; a damaged one (truncated,
//   wrong checksum, unknown version, over a cap, ...) is reported by ONE warning, renamed aside as
//   `<file>.corrupt-<epoch ms>` (the newest few are kept) and replaced by an empty store. Temporary
//   files left by a crash are removed first.
// - One process owns the file: two stores on the same path would overwrite each other's commits.

import { type Clock, type Timer, realClock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { noopMetrics, type Counter, type Gauge, type Metrics } from '../../core/metrics.ts';
import type { NodeId } from '../../core/node-address.ts';
import {
  MAX_PEER_FILE_BYTES,
  MAX_PEER_RECORDS,
  decodePeerFile,
  encodePeerFile,
  normalisePeerRecord,
  serialisePeerRecord,
  type DecodedPeerFile,
  type PeerFileDefect,
} from './file-peer-store-format.ts';
import {
  moveAside,
  readFileBounded,
  removeLeftoverTemps,
  writeFileAtomically,
} from './file-peer-store-fs.ts';
import type { PeerRecord, PeerStore } from './types.ts';

export const ERR_PEERS_STORE_NOT_LOADED = 'ERR_PEERS_STORE_NOT_LOADED';
export const ERR_PEERS_STORE_FULL = 'ERR_PEERS_STORE_FULL';
export const ERR_PEERS_STORE_WRITE = 'ERR_PEERS_STORE_WRITE';

/** Default debounce: at most one second of peer changes is lost in a crash, at most one write a second. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Damaged files kept for inspection: enough to compare a few incidents, bounded so they never pile up. */
export const DEFAULT_KEEP_CORRUPT = 3;
/** Longest wait between retries of a failing automatic flush (a full disk should not spin the CPU). */
const MAX_RETRY_DELAY_MS = 60_000;
/** First retry delay after a failed automatic flush, when the flush interval is shorter. */
const MIN_RETRY_DELAY_MS = 1000;

export interface FilePeerStoreOptions {
  /** The store file, inside the node's home directory (e.g. `<home>/data/peers.dat`). Required. */
  readonly path: string;
  /** Milliseconds from the first unflushed change to the automatic flush; default 1000. 0 = next timer turn. */
  readonly flushInterval?: number;
  /** Timers for the automatic flush and timestamps of moved-aside files; default the real clock. */
  readonly clock?: Clock;
  /** Default: silent. The store logs with `component: 'peer-store'`. */
  readonly logger?: Logger;
  /** Default: no metrics. */
  readonly metrics?: Metrics;
  /** Damaged store files kept beside the store; default 3. */
  readonly keepCorrupt?: number;
}

// A local no-op logger instead of core's silentLogger: importing that value loads pino, a third of the
// start-up time of a small process that only opens the store (the
// crash test spawns fifty; `peerwire decode` reads a store file). Callers in a node pass real ones.
const noop = (): void => undefined;
const quietLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => quietLogger,
};

export class FilePeerStore implements PeerStore {
  readonly path: string;
  private readonly flushInterval: number;
  private readonly keepCorrupt: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly writes: Counter;
  private readonly writtenBytes: Counter;
  private readonly corruptLoads: Counter;
  private readonly recordGauge: Gauge;
  /** Each record's normalised JSON text, so a flush only joins strings and a put is a snapshot. */
  private readonly records = new Map<NodeId, string>();
  private loading: Promise<PeerRecord[]> | undefined;
  private loaded = false;
  private dirty = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private timer: Timer | undefined;
  private retryDelay = 0;
  private chain: Promise<void> = Promise.resolve();
  private writeSequence = 0;

  constructor(options: FilePeerStoreOptions) {
    const flushInterval = options.flushInterval ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!Number.isFinite(flushInterval) || flushInterval < 0) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'flushInterval must be a non-negative number of ms');
    }
    if (options.path.length === 0)
      throw new PeerwireError(ErrorCode.InvalidArgument, 'peer store path is empty');
    this.path = options.path;
    this.flushInterval = flushInterval;
    this.keepCorrupt = Math.max(0, options.keepCorrupt ?? DEFAULT_KEEP_CORRUPT);
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? quietLogger).child({ component: 'peer-store' });
    const metrics = options.metrics ?? noopMetrics;
    this.writes = metrics.counter({
      name: 'peerwire_peers_store_writes_total',
      help: 'Peer store commits, by result.',
      labelNames: ['result'],
    });
    this.writtenBytes = metrics.counter({
      name: 'peerwire_peers_store_written_bytes_total',
      help: 'Bytes of peer store files written.',
    });
    this.corruptLoads = metrics.counter({
      name: 'peerwire_peers_store_corrupt_loads_total',
      help: 'Peer store files refused at load and moved aside, by defect.',
      labelNames: ['reason'],
    });
    this.recordGauge = metrics.gauge({
      name: 'peerwire_peers_store_records',
      help: 'Peer records in the store.',
    });
  }

  /**
   * Loads the committed state (call once, before put/delete). Never throws for a missing or damaged
   * file. A second call returns the current in-memory state.
   */
  async load(): Promise<PeerRecord[]> {
    if (this.closed)
      throw new PeerwireError(ErrorCode.Closed, 'peer store is closed', { action: 'transient' });
    if (this.loading !== undefined) {
      await this.loading;
      return [...this.records.values()].map((json) => JSON.parse(json) as PeerRecord);
    }
    this.loading = this.loadFromDisk();
    return this.loading;
  }

  put(record: PeerRecord): void {
    this.checkWritable();
    const json = serialisePeerRecord(normalisePeerRecord(record));
    if (!this.records.has(record.id) && this.records.size >= MAX_PEER_RECORDS) {
      throw new PeerwireError(ERR_PEERS_STORE_FULL, `peer store holds ${MAX_PEER_RECORDS} records`, {
        action: 'transient',
      });
    }
    if (this.records.get(record.id) === json) return;
    this.records.set(record.id, json);
    this.changed();
  }

  delete(id: NodeId): void {
    this.checkWritable();
    if (this.records.delete(id)) this.changed();
  }

  /** Commits every change made before the call. Rejects with ERR_PEERS_STORE_WRITE (or _TOO_LARGE). */
  flush(): Promise<void> {
    this.cancelTimer();
    const run = this.chain.then(() => this.commit());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Flushes, then stops every timer. Further put/delete throw ERR_CLOSED. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  /** Number of records in memory (committed or not). */
  get size(): number {
    return this.records.size;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    if (this.loading !== undefined) await this.loading;
    try {
      await this.flush();
    } finally {
      this.cancelTimer();
    }
  }

  private checkWritable(): void {
    if (this.closed)
      throw new PeerwireError(ErrorCode.Closed, 'peer store is closed', { action: 'transient' });
    if (!this.loaded) {
      // Writing before load would replace the committed store with a partial one at the next flush.
      throw new PeerwireError(
        ERR_PEERS_STORE_NOT_LOADED,
        'peer store: load() must complete before put/delete',
        {
          action: 'transient',
        },
      );
    }
  }

  private changed(): void {
    this.dirty = true;
    this.recordGauge.set(this.records.size);
    if (this.timer === undefined) this.schedule(this.flushInterval);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimer(ms, () => {
      this.timer = undefined;
      // Failures are logged, counted and rescheduled by commit(); nothing to do with them here.
      this.flush().catch(() => undefined);
    });
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async commit(): Promise<void> {
    if (!this.dirty) return;
    // The snapshot is taken synchronously, so it is the state after some whole sequence of calls.
    const snapshot = [...this.records.values()];
    this.dirty = false;
    try {
      const file = encodePeerFile(snapshot);
      await writeFileAtomically(this.path, file, this.writeSequence++);
      this.writes.inc({ result: 'ok' });
      this.writtenBytes.inc(undefined, file.length);
    } catch (error) {
      this.dirty = true;
      this.writes.inc({ result: 'error' });
      const typed =
        error instanceof PeerwireError ? error : toPeerwireError(error, ERR_PEERS_STORE_WRITE, 'transient');
      if (!this.closed) {
        // Retry with backoff whoever asked for this flush: changes must not wait for the next put.
        this.retryDelay = Math.min(
          MAX_RETRY_DELAY_MS,
          this.retryDelay === 0 ? Math.max(MIN_RETRY_DELAY_MS, this.flushInterval) : this.retryDelay * 2,
        );
        this.schedule(this.retryDelay);
      }
      this.logger.warn(
        { err: typed, retryInMs: this.closed ? undefined : this.retryDelay },
        'peer store write failed',
      );
      throw typed;
    }
    this.retryDelay = 0;
  }

  private async loadFromDisk(): Promise<PeerRecord[]> {
    let decoded: DecodedPeerFile | undefined;
    try {
      const removed = await removeLeftoverTemps(this.path);
      if (removed.length > 0)
        this.logger.info({ removed }, 'removed temporary files left by an interrupted write');
    } catch (error) {
      // Harmless if it stays: leftovers are never read, and the next load tries again. Not a warning,
      // so that a damaged store still yields exactly one.
      this.logger.info({ err: toPeerwireError(error) }, 'could not remove leftover temporary files');
    }
    try {
      const read = await readFileBounded(this.path, MAX_PEER_FILE_BYTES);
      if (read.kind === 'too_large') {
        decoded = {
          ok: false,
          reason: 'too_large',
          detail: `${read.size} bytes is over the ${MAX_PEER_FILE_BYTES}-byte cap`,
        };
      } else if (read.kind === 'read') {
        decoded = decodePeerFile(read.bytes);
      }
    } catch (error) {
      decoded = { ok: false, reason: 'io_error', detail: toPeerwireError(error).message };
    }
    if (decoded === undefined) {
      this.logger.debug({ path: this.path }, 'no peer store yet; starting empty');
    } else if (decoded.ok) {
      for (const record of decoded.records) this.records.set(record.id, serialisePeerRecord(record));
      this.logger.debug({ path: this.path, records: decoded.records.length }, 'peer store loaded');
    } else {
      await this.quarantine(decoded.reason, decoded.detail);
    }
    this.loaded = true;
    this.recordGauge.set(this.records.size);
    return decoded?.ok === true ? decoded.records : [];
  }

  /** One warning, the file moved aside (or the reason it could not be), an empty store. */
  private async quarantine(reason: PeerFileDefect, detail: string): Promise<void> {
    this.corruptLoads.inc({ reason });
    let movedTo: string | undefined;
    let moveError: string | undefined;
    try {
      movedTo = await moveAside(this.path, this.clock.now(), this.keepCorrupt);
    } catch (error) {
      moveError = toPeerwireError(error).message;
    }
    this.logger.warn(
      { path: this.path, reason, detail, movedTo, moveError },
      'peer store file is unreadable; starting with an empty peer store',
    );
  }
}
