// Counters of a testnet run: handshakes, demo messages and bytes, round trips and errors, shared by
// every node of the run (one process, one event loop, so plain numbers suffice). Round-trip times are
// kept in a bounded ring, so a long run holds a fixed amount of memory; percentiles are computed from
// it on demand.

/** Round-trip samples kept for percentiles: the most recent ones (a 30 s run of 16 nodes needs ~2k). */
export const MAX_RTT_SAMPLES = 8192;

export class TrafficStats {
  handshakes = 0;
  disconnects = 0;
  messagesSent = 0;
  messagesReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  errors = 0;
  private readonly rtts = new Float64Array(MAX_RTT_SAMPLES);
  private rttCount = 0;
  private lastError: string | undefined;

  recordRtt(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.rtts[this.rttCount % MAX_RTT_SAMPLES] = ms;
    this.rttCount++;
  }

  recordError(what: string): void {
    this.errors++;
    this.lastError = what;
  }

  get latestError(): string | undefined {
    return this.lastError;
  }

  get rttSamples(): number {
    return this.rttCount;
  }

  /** The p-th percentile (0..100) of the kept round trips, in ms; undefined without samples. */
  rttPercentile(p: number): number | undefined {
    const n = Math.min(this.rttCount, MAX_RTT_SAMPLES);
    if (n === 0) return undefined;
    const sorted = Array.from(this.rtts.subarray(0, n)).sort((a, b) => a - b);
    const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
    return sorted[rank];
  }
}
