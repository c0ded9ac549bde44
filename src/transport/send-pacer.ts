// Delay-based pacing of a connection's bulk data, measured in band with extra pings; used by the
// CometBFT MConnection (PacketPing/PacketPong) and the Zcash connection (ping/pong with a nonce). Why:
// below a connection's send scheduler sit the link's userland buffer and the kernel's socket buffers on
// both ends (several MB on loopback, not settable from Node). Whatever the scheduler hands down waits
// there in FIFO order, so a consensus vote or a Zcash ping queued behind megabytes of block data waits
// for them all, whatever its priority. Keeping the bytes in flight near one round trip's worth leaves
// the backlog in the scheduler's queues, where priority still decides.
//
// How: after a batch of data we write a ping (one outstanding at a time). Both wires' peers answer a
// ping with a pong, and read the stream in order, so the pong proves the peer has read every byte
// written before that ping: bytes in flight are "written minus acknowledged", like a TCP window but
// counted at the application reader. Each pong is also a round trip sample; its excess over the
// smallest recent sample is the queueing delay (LEDBAT, RFC 6817; BBR's min-RTT filter). The window
// moves only on two samples in a row: it grows while both of the last two are under the target and
// shrinks in proportion when both are over, and holds between. One sample that sat out a scavenge or a
// descheduled reader then neither cuts nor grows it. So a fast reader gets a large window and a slow
// or rate-limited one (a Go peer under recv_rate) a small one. No protocol byte changes: the peer only
// sees more pings. The owner says whether other traffic shares the link: while one flow has it to
// itself (a CometBFT connection with one busy channel) nothing waits behind the queue, so a deeper
// target (0.75 ms) lets the window fill the link; the tight target returns when a second flow appears.
//
// Sans I/O: the owner passes times (ms, fractional) and byte positions; nothing here reads a clock.

/** Window before the first sample, bytes: one 64 KiB batch, what one socket write carries anyway. */
export const INITIAL_WINDOW_BYTES = 64 * 1024;
/**
 * Smallest window, bytes: 8 KiB keeps several 1 KiB packets moving per round trip even when the
 * measured delay says "shrink" (a window of one packet would halve the link on every sample).
 */
export const MIN_WINDOW_BYTES = 8 * 1024;
/**
 * Largest window, bytes: 4 MiB covers 40 MB/s over a 100 ms WAN path; past it the link's own
 * high-water mark is the limit anyway.
 */
export const MAX_WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Queueing delay allowed on top of the base round trip while the link is shared, ms: 0.1 ms on
 * loopback and LANs (a vote then waits about that long behind bulk data). Measured on the 2-core bench
 * box (BENCHMARKS.md, "The shared queueing target"), the connection-level probe under saturating bulk:
 * at 0.1 ms the vote's p50 / p99 were 152 / 278-513 us and the bulk sharing the link moved 31-34 MB/s;
 * at 0.15 ms 202 / 444 us and 64 MB/s; at 0.25 ms (the value until session 11) 307 / 550-913 us and
 * 58-90 MB/s, against an idle p99 of 164-476 us. Only a shared link pays it: a channel alone gets the
 * sole target below, so a block sync served alone still fills the link...
 */
export const MIN_TARGET_QUEUE_MS = 0.1;
/** ...or this fraction of the base round trip on slower paths, so a WAN link still fills (LEDBAT-like). */
export const TARGET_QUEUE_FRACTION = 0.25;
/**
 * Queueing allowed while the owner says no other traffic shares the link (setShared(false)), ms: then
 * nothing waits behind the bytes in flight, and the only cost of a deeper queue is to a message that
 * starts later. Measured on the 2-core bench box (BENCHMARKS.md, one run each, libsodium frames): one
 * channel's bulk was 1.07x / 1.10x / 1.24x the node:crypto sealed 1 KiB ceiling at 0.75 / 1 / 1.5 ms,
 * and the first vote after bulk alone waited a median 1.6 / 2.4 / 2.3 ms, at most 6.9 / 9.5 / 23 ms:
 * 0.75 ms fills the link and keeps that first vote well under 10 ms.
 */
export const SOLE_TARGET_QUEUE_MS = 0.75;
/** ...or this fraction of the base round trip on slower paths (twice the shared fraction). */
export const SOLE_TARGET_QUEUE_FRACTION = 0.5;
/** Growth per sample under the target: x1.25, so a window reaches a WAN's BDP within ~30 round trips. */
export const GROWTH_FACTOR = 1.25;
/** Largest cut per sample over the target: halve at most (TCP's multiplicative decrease). */
export const MAX_SHRINK_FACTOR = 0.5;
/**
 * The min-RTT filter forgets samples older than two of these periods (ms), so a route change or a
 * peer that got slower is noticed within ~20 s (BBR uses 10 s).
 */
export const MIN_RTT_PERIOD_MS = 10_000;

export class SendPacer {
  private window = INITIAL_WINDOW_BYTES;
  /** Bytes written, counted from the start of the connection. */
  private sent = 0;
  /** Bytes the peer has provably read (written before the last answered probe). */
  private acked = 0;
  private probePosition: number | undefined;
  private probeSentAt = 0;
  /** Bytes in flight when the probe left: a window that was not used is not grown (RFC 7661). */
  private probeInFlight = 0;
  /** Min-RTT filter: the minimum of the current period and of the previous one. */
  private minCurrent = Number.POSITIVE_INFINITY;
  private minPrevious = Number.POSITIVE_INFINITY;
  private periodStart: number | undefined;
  private lastRtt: number | undefined;
  /**
   * The sample before the last one: the window moves only when it and the last agree (a filter over
   * recent delays, as LEDBAT's current-delay filter, RFC 6817 section 3.4.2). Two samples hide a
   * single outlier and still react within one extra round trip. A cut forgets it, so a sample taken
   * before the cut took effect cannot cut again. Measured on a quiet 2-core box (BENCHMARKS.md):
   * bulk 0.27-0.45x the sealed ceiling against 0.24x when every sample moved the window, with the
   * priority p90 under load 0.47-0.56 ms against 0.45-0.47 ms.
   */
  private previousRtt: number | undefined;
  /** False while the owner says one flow has the link to itself: the sole target applies. */
  private shared = true;

  /** Bytes that may still be written now (<= 0: wait for a pong). */
  get room(): number {
    return this.acked + this.window - this.sent;
  }

  /** The current window, bytes. */
  get windowBytes(): number {
    return this.window;
  }

  /** Bytes written and not yet proven read. */
  get inFlight(): number {
    return this.sent - this.acked;
  }

  /** The last round trip sample and the base round trip (ms), for status pages and tests. */
  get rtt(): { last: number | undefined; base: number | undefined } {
    const base = this.baseRtt();
    return { last: this.lastRtt, base: Number.isFinite(base) ? base : undefined };
  }

  /** True when a probe should follow the bytes just written: data unacknowledged and none outstanding. */
  get wantsProbe(): boolean {
    return this.probePosition === undefined && this.sent > this.acked;
  }

  /**
   * Data bytes to write before the next probe (Infinity while one is outstanding). Probes go half a
   * window apart: the pong for the first half comes back while the peer still reads the second, so
   * the sender refills before the peer runs dry (a probe only at the window's end idles the link for
   * one round trip per window).
   */
  get bytesUntilProbe(): number {
    if (this.probePosition !== undefined) return Number.POSITIVE_INFINITY;
    return this.acked + Math.floor(this.window / 2) - this.sent;
  }

  /**
   * Whether other traffic shares the link (default true: the tight target). Becoming shared cuts a
   * window grown under the sole target to the bytes already in flight (the initial window at least):
   * no more bulk data goes out until pongs drain them, while the light channel that made the link
   * shared still has its overdraft, and the tight target cuts further from the next two samples on.
   */
  setShared(shared: boolean): void {
    if (shared === this.shared) return;
    this.shared = shared;
    if (!shared) return;
    const cap = Math.max(INITIAL_WINDOW_BYTES, this.sent - this.acked);
    if (this.window > cap) {
      this.window = cap;
      this.previousRtt = undefined;
    }
  }

  /** Counts data bytes handed to the link. */
  onWritten(bytes: number): void {
    this.sent += bytes;
  }

  /** A PacketPing was written after every byte counted so far. */
  onProbeWritten(now: number): void {
    if (this.probePosition !== undefined) return;
    this.probePosition = this.sent;
    this.probeSentAt = now;
    this.probeInFlight = this.sent - this.acked;
  }

  /**
   * A PacketPong arrived. It answers the outstanding probe (a pong the peer owed for another ping of
   * ours answers it too: the peer has then read at least as far). Returns true when the window moved.
   */
  onPong(now: number): boolean {
    const position = this.probePosition;
    if (position === undefined) return false;
    this.probePosition = undefined;
    this.acked = position;
    this.sample(now, Math.max(0, now - this.probeSentAt));
    return true;
  }

  private sample(now: number, rtt: number): void {
    this.lastRtt = rtt;
    if (this.periodStart === undefined) this.periodStart = now;
    else if (now - this.periodStart >= MIN_RTT_PERIOD_MS) {
      this.minPrevious = this.minCurrent;
      this.minCurrent = Number.POSITIVE_INFINITY;
      this.periodStart = now;
    }
    if (rtt < this.minCurrent) this.minCurrent = rtt;
    const previous = this.previousRtt;
    this.previousRtt = rtt;
    if (previous === undefined) return;
    const base = this.baseRtt();
    const target = this.shared
      ? Math.max(MIN_TARGET_QUEUE_MS, base * TARGET_QUEUE_FRACTION)
      : Math.max(SOLE_TARGET_QUEUE_MS, base * SOLE_TARGET_QUEUE_FRACTION);
    const lower = Math.min(previous, rtt) - base;
    const upper = Math.max(previous, rtt) - base;
    if (upper <= target) {
      // Grow only a window the sender filled at least a quarter of the way (probes go at half): an
      // idle or rate-limited connection says nothing about how much more the path would take.
      if (this.probeInFlight * 4 < this.window) return;
      this.window = Math.min(MAX_WINDOW_BYTES, Math.ceil(this.window * GROWTH_FACTOR));
    } else if (lower > target) {
      const factor = Math.max(MAX_SHRINK_FACTOR, target / lower);
      this.window = Math.max(MIN_WINDOW_BYTES, Math.floor(this.window * factor));
      this.previousRtt = undefined;
    }
  }

  private baseRtt(): number {
    return Math.min(this.minCurrent, this.minPrevious);
  }
}
