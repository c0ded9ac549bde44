// When the next outbound rotation is due. A node whose outbound slots are full never dials again on
// its own, so a network that splits (a partition, a bootstrap that formed two clusters) stays split
// after the cause heals: every node keeps the peers of its own side (found by the simulator,
// docs/simulation.md). Bitcoin Core answers this with extra short-lived outbound connections on a
// randomised timer (feelers every 2 min, an extra block-relay peer every 5 min, replacing a worse
// one); Tendermint v0.35's upgrades only ever replace a peer with a better-scored one, which never
// happens between equally good peers. The rotation is the missing piece: at a jittered interval,
// while the outbound side is full, the dial planner makes one upgrade-style dial to a random
// eligible address and, once it connects, evicts one outbound peer (never a persistent one). This
// file only keeps the timer; the planner (dial-planner.ts) and admission (eviction.ts) do the rest.

/** The spread of one rotation interval: uniform in [0.5, 1.5) × the configured mean. */
const JITTER_SPREAD = 1;

export class OutboundRotation {
  private nextAt: number | undefined;

  /** `intervalMs` is the mean time between rotations; 0 turns rotation off. */
  constructor(
    private readonly intervalMs: number,
    private readonly random: () => number,
  ) {}

  get enabled(): boolean {
    return this.intervalMs > 0;
  }

  /**
   * The epoch ms from which the next rotation may start, or undefined when rotation is off. Armed by
   * the first `rotated` (PeerManager.start calls it: a node never rotates right after starting), or
   * else by the first call, one jittered interval after `now`.
   */
  dueAt(now: number): number | undefined {
    if (!this.enabled) return undefined;
    this.nextAt ??= now + this.jittered();
    return this.nextAt;
  }

  /** A rotation dial was handed out (or the node started) at `now`: the next waits a jittered interval. */
  rotated(now: number): void {
    this.nextAt = now + this.jittered();
  }

  private jittered(): number {
    return Math.round(this.intervalMs * (1 - JITTER_SPREAD / 2 + JITTER_SPREAD * this.random()));
  }
}
