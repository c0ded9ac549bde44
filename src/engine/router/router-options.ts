// The router's tunables and their defaults, each with the reason for its value. Defaults follow what
// real CometBFT and Zebra nodes do; the local-network profile (for test networks on one machine)
// relaxes the per-IP rules, since every node there shares 127.0.0.1.

export interface RouterOptions {
  /** Deadline for resolving a host name (ms). DNS answers in well under a second or not at all. */
  readonly resolveTimeoutMs: number;
  /** Deadline for one endpoint's connect (ms). Real CometBFT nodes use 1 s on LANs; 3 s tolerates WAN RTTs. */
  readonly dialTimeoutMs: number;
  /**
   * Deadline for the whole wire handshake (ms). Zebra and CometBFT nodes give 3 s; CometBFT then allows
   * 3 s more for NodeInfo, so that wire passes 6000.
   */
  readonly handshakeTimeoutMs: number;
  /** Dials in flight at once. Tendermint uses 32 x NumCPU; 32 keeps a 2-core box responsive. */
  readonly maxConcurrentDials: number;
  /** Inbound handshakes in flight at once: bounds sockets a slowloris attacker can hold (js-libp2p: 10). */
  readonly maxPendingHandshakes: number;
  /** Inbound handshakes in flight from one IP. One honest node needs one; a few allow NATed hosts. */
  readonly maxPendingHandshakesPerIp: number;
  /** A fresh attempt from an IP with none in flight is refused if its last one is this recent (ms; Tendermint 100). */
  readonly minAcceptIntervalPerIpMs: number;
  /** Remote IPs tracked by the accept gate at once (bounds that map). */
  readonly maxTrackedIps: number;
  /**
   * A peer whose socket does not drain, or whose full `block` queue keeps a sender waiting, for this long
   * is disconnected (ms). Tendermint used a 10 s send timeout.
   */
  readonly stallTimeoutMs: number;
  /** First pause after a loop iteration fails (ms); doubles per consecutive failure. */
  readonly loopRetryMinMs: number;
  /** Longest pause between failing loop iterations (ms): loops never die, they slow down. */
  readonly loopRetryMaxMs: number;
}

export const DEFAULT_ROUTER_OPTIONS: RouterOptions = {
  resolveTimeoutMs: 3_000,
  dialTimeoutMs: 3_000,
  handshakeTimeoutMs: 3_000,
  maxConcurrentDials: 32,
  maxPendingHandshakes: 64,
  maxPendingHandshakesPerIp: 4,
  minAcceptIntervalPerIpMs: 100,
  maxTrackedIps: 4_096,
  stallTimeoutMs: 10_000,
  loopRetryMinMs: 10,
  loopRetryMaxMs: 5_000,
};

/** For test networks on one machine: every node is 127.0.0.1, so per-IP limits must not bite. */
export const LOCAL_NETWORK_ROUTER_OPTIONS: Partial<RouterOptions> = {
  maxPendingHandshakesPerIp: 64,
  minAcceptIntervalPerIpMs: 0,
};
