// Progress of `peerwire crawl`: how many addresses it has found, how many it has contacted (dialed at
// least once, whether the dial worked or not), how many answered (the census), and how many are still
// pending (found, never contacted, not given up on). `done` is the `--until-done` test: nothing pending,
// no dial or getaddr in flight, no peer connected — or nothing the peer manager will ever dial. On a
// terminal, ProgressLine redraws one line in place on stderr (stdout stays the census).

/** What the counting needs of a peer-manager view (a structural subset of PeerView). */
export interface CrawlPeer {
  readonly record: {
    readonly addresses: readonly { readonly lastDialSuccess?: number | undefined; readonly lastDialFailure?: number | undefined }[];
    readonly lastConnected?: number | undefined;
    readonly inactive: boolean;
  };
  readonly dialing: boolean;
  readonly ready: boolean;
}

export interface CrawlProgress {
  readonly found: number;
  readonly contacted: number;
  readonly reachable: number;
  readonly pending: number;
  /** First dials and connections of uncontacted peers, and getaddr requests, still running. */
  readonly inFlight: number;
  readonly done: boolean;
}

export interface CrawlCounts {
  readonly peers: readonly CrawlPeer[];
  /** Peers recorded in the census. */
  readonly reachable: number;
  /** First getaddr requests (one per reachable peer) not yet answered or timed out. */
  readonly asking: number;
  /** Whether the peer manager has any address it would dial, now or later (nextDialTime() !== undefined). */
  readonly anythingToDial: boolean;
}

function contactedPeer(peer: CrawlPeer): boolean {
  return peer.record.lastConnected !== undefined || peer.record.addresses.some((a) => a.lastDialSuccess !== undefined || a.lastDialFailure !== undefined);
}

export function crawlProgress(counts: CrawlCounts): CrawlProgress {
  let contacted = 0;
  let pending = 0;
  let busy = 0;
  for (const peer of counts.peers) {
    if (contactedPeer(peer)) {
      // A redial of a peer already in the census is not progress (the crawl hangs up on it at once).
      contacted++;
      continue;
    }
    if (peer.dialing || peer.ready) busy++;
    else if (!peer.record.inactive) pending++;
  }
  const inFlight = busy + counts.asking;
  return {
    found: counts.peers.length,
    contacted,
    reachable: counts.reachable,
    pending,
    inFlight,
    done: inFlight === 0 && (pending === 0 || !counts.anythingToDial),
  };
}

export function formatCrawlProgress(network: string, p: CrawlProgress, seconds: number): string {
  return `crawling ${network}: ${p.found} found, ${p.contacted} contacted, ${p.reachable} reachable, ${p.pending} pending, ${p.inFlight} in flight, ${Math.round(seconds)} s`;
}

/** One status line redrawn in place on a terminal; nothing at all when not on a terminal. */
export class ProgressLine {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private drawn = false;

  constructor(write: (text: string) => void, tty: boolean) {
    this.write = write;
    this.tty = tty;
  }

  update(line: string): void {
    if (!this.tty) return;
    this.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Leaves the last line on screen and moves to the next. */
  finish(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }
}
