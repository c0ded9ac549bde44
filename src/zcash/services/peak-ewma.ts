// The load of one peer for power-of-two-choices routing: a peak-sensitive EWMA of request round-trip
// times times the requests in flight (as Zebra's peer set measures its services). A slow answer
// raises the estimate at once (peak), fast answers lower it gradually, and an idle peer's estimate
// decays towards zero so it gets traffic again; in-flight requests multiply the cost so a busy peer
// is avoided before its answers come back.

import type { Clock } from '../../core/clock.ts';

/** EWMA_DEFAULT_RTT: a new peer is assumed slow (21 s, about a request timeout) until it proves otherwise. */
export const EWMA_DEFAULT_RTT = 21_000;
/** EWMA_DECAY_TIME: how quickly old round trips are forgotten (200 s). */
export const EWMA_DECAY_TIME = 200_000;

export class PeakEwma {
  private estimate: number;
  private updatedAt: number;
  private inFlight = 0;

  constructor(
    private readonly clock: Clock,
    defaultRtt = EWMA_DEFAULT_RTT,
    private readonly decayTime = EWMA_DECAY_TIME,
  ) {
    this.estimate = defaultRtt;
    this.updatedAt = clock.now();
  }

  /** Requests in flight. */
  get pending(): number {
    return this.inFlight;
  }

  /** Marks one request started; the returned function records its completion and round-trip time. */
  begin(): () => void {
    const started = this.clock.now();
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.observe(this.clock.now() - started);
    };
  }

  /** The current cost: decayed estimate × (in-flight + 1). */
  load(): number {
    this.observe(0);
    return this.estimate * (this.inFlight + 1);
  }

  private observe(rtt: number): void {
    const now = this.clock.now();
    const sample = Math.max(0, rtt);
    if (sample > this.estimate) {
      this.estimate = sample;
    } else {
      const elapsed = Math.max(0, now - this.updatedAt);
      const decay = Math.exp(-elapsed / this.decayTime);
      this.estimate = this.estimate * decay + sample * (1 - decay);
    }
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
