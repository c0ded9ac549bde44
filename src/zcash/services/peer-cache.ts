// Zebra's on-disk peer cache (docs/protocols/zcash.md §4.5): every 5 min, up to 75 peers that answered us within the
// last 3 h are written to `<dir>/<network>.peers`, one `ip:port` per line; at start-up they are read
// back as initial peers (`new-initial`: addresses only, no metadata, so a stale or edited file can
// never claim a peer is good). Writes are atomic — a temporary file is written, fsynced and renamed
// over the old one, then the directory is fsynced — so a crash leaves the old or the new list. Reads
// are tolerant: the file size is checked before reading, malformed lines are skipped, and a missing or
// unreadable file means an empty cache.

import { open, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../../core/abort.ts';
import type { Clock, Timer } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { canonicalBookAddress } from '../policy/book-address.ts';
import type { BookAddress } from '../wire/peer-events.ts';

/** PEER_DISK_CACHE_UPDATE_INTERVAL: cheap enough to run often, recent enough to help a restart. */
export const PEER_DISK_CACHE_UPDATE_INTERVAL = 5 * 60_000;
/** MAX_PEER_DISK_CACHE_SIZE: three start-up target sizes' worth of peers. */
export const MAX_PEER_DISK_CACHE_SIZE = 75;
/**
 * Largest cache file read (64 KiB): 75 addresses take about 4 KiB; anything far larger is not ours
 * and only its head is read.
 */
export const MAX_PEER_CACHE_FILE_BYTES = 64 * 1024;

/** Where recently live peers come from (the address book). */
export interface LivePeers {
  recentlyLive(limit: number): BookAddress[];
}

export interface PeerCacheOptions {
  /** The cache directory (created if missing). */
  readonly dir: string;
  /** Network name, the file's base name (`zcash-mainnet` → `zcash-mainnet.peers`). */
  readonly network: string;
  readonly clock: Clock;
  /** Source for periodic writes; without it `start()` does nothing. */
  readonly peers?: LivePeers;
  /** Default 5 min. */
  readonly interval?: number;
  /** Default 75. */
  readonly maxPeers?: number;
  readonly logger?: Logger;
}

let tempCounter = 0;

export class PeerCache {
  readonly path: string;
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly peers: LivePeers | undefined;
  private readonly interval: number;
  private readonly maxPeers: number;
  private readonly logger: Logger;
  private timer: Timer | undefined;
  private writing: Promise<void> | undefined;
  private stopped = false;

  constructor(options: PeerCacheOptions) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(options.network) || options.network.startsWith('.'))
      throw new PeerwireError(
        ErrorCode.InvalidArgument,
        `invalid network name for the peer cache: ${options.network.slice(0, 64)}`,
        { action: 'transient' },
      );
    this.dir = options.dir;
    this.path = join(options.dir, `${options.network}.peers`);
    this.clock = options.clock;
    this.peers = options.peers;
    this.interval = options.interval ?? PEER_DISK_CACHE_UPDATE_INTERVAL;
    this.maxPeers = options.maxPeers ?? MAX_PEER_DISK_CACHE_SIZE;
    this.logger = (options.logger ?? silentLogger).child({ component: 'zcash-peer-cache' });
  }

  /** The cached addresses (canonical, deduplicated, at most maxPeers); empty when there is no usable file. */
  async load(signal?: AbortSignal): Promise<BookAddress[]> {
    throwIfAborted(signal);
    let text: string;
    try {
      const handle = await open(this.path, 'r');
      try {
        const size = (await handle.stat()).size;
        const length = Math.min(size, MAX_PEER_CACHE_FILE_BYTES);
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, 0);
        text = buffer.subarray(0, bytesRead).toString('utf8');
        if (size > MAX_PEER_CACHE_FILE_BYTES) {
          this.logger.warn({ size }, 'peer cache file is oversized; reading only its head');
          text = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
        }
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'ENOENT')
        this.logger.warn(
          { err: toPeerwireError(error, ErrorCode.Internal, 'transient') },
          'peer cache unreadable; ignoring it',
        );
      return [];
    }
    throwIfAborted(signal);
    const out: BookAddress[] = [];
    const seen = new Set<string>();
    let skipped = 0;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const addr = canonicalBookAddress(line);
      if (addr === undefined) {
        skipped++;
        continue;
      }
      if (seen.has(addr)) continue;
      seen.add(addr);
      out.push(addr);
      if (out.length >= this.maxPeers) break;
    }
    if (skipped > 0) this.logger.warn({ skipped }, 'skipped malformed lines in the peer cache');
    return out;
  }

  /** Writes `addrs` (at most maxPeers) atomically. */
  async save(addrs: readonly BookAddress[], signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const lines = addrs.slice(0, this.maxPeers).filter((a) => canonicalBookAddress(a) === a);
    await mkdir(this.dir, { recursive: true });
    const temp = `${this.path}.tmp-${process.pid}-${++tempCounter}`;
    try {
      const handle = await open(temp, 'w', 0o644);
      try {
        await handle.writeFile(lines.map((l) => `${l}\n`).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      throwIfAborted(signal);
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw toPeerwireError(error, ErrorCode.Internal, 'transient');
    }
    await syncDir(this.dir);
  }

  /** Starts the periodic writer (every 5 min). */
  start(): void {
    if (this.peers === undefined || this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.timer = undefined;
      this.writing = this.writeNow().finally(() => {
        this.writing = undefined;
        if (!this.stopped) this.timer = this.clock.setTimer(this.interval, tick);
      });
    };
    this.timer = this.clock.setTimer(this.interval, tick);
  }

  /** Stops the writer after one last write of the current live peers. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.writing;
    if (this.peers !== undefined) await this.writeNow();
  }

  /** Writes the current live peers now; failures are logged, never thrown (the cache is a hint). */
  async writeNow(): Promise<void> {
    if (this.peers === undefined) return;
    try {
      await this.save(this.peers.recentlyLive(this.maxPeers));
    } catch (error) {
      this.logger.warn(
        { err: toPeerwireError(error, ErrorCode.Internal, 'transient') },
        'peer cache write failed',
      );
    }
  }
}

/** fsyncs a directory so a rename in it survives a crash (best effort: not every platform allows it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Directories cannot be opened for sync on some platforms; the rename itself is still atomic.
  }
}
