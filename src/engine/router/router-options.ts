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
  /**
   * Inbound handshakes in flight at once: bounds sockets a slowloris attacker can hold (js-libp2p: 10).
   * A slot is held only until the handshake ends; connected peers count against the peer manager's
   * inbound limit instead. When full, a newcomer from a less represented subnet evicts (accept-gate.ts).
   */
  readonly maxPendingHandshakes: number;
  /** Inbound handshakes in flight from one IP. One honest node needs one; a few allow NATed hosts. */
  readonly maxPendingHandshakesPerIp: number;
  /**
   * After a failed, refused or evicted inbound attempt, its IP is refused for this long (ms): CometBFT
   * 100 (Tendermint's connection-tracker window), Zebra 10 (MIN_INBOUND_PEER_FAILED_CONNECTION_INTERVAL).
   */
  readonly minAcceptIntervalPerIpMs: number;
  /** Idle remote IPs whose pacing the accept gate remembers (bounds that map; least recent forgotten). */
  readonly maxTrackedIps: number;
  /**
   * The share of `handshakeTimeoutMs` a handshake gets when every pending slot is taken; from half
   * occupancy the deadline shrinks linearly to it, so stalled sockets are shed faster under pressure.
   * 0.25: a 3 s deadline becomes 750 ms, still 100 round trips on a LAN and several on a WAN.
   */
  readonly minHandshakeDeadlineFraction: number;
  /**
   * Connected peers (both directions) per remote IP. Default Infinity (Tendermint v0.35's router had no
   * such rule); the node assemblies set the wire's rule: CometBFT 1 unless `allow_duplicate_ip`, Zebra
   * 1 (`max_connections_per_ip`).
   */
  readonly maxConnectionsPerIp: number;
  /**
   * Event-loop utilisation (0..1, sampled each second) above which new inbound connections are shed
   * with a rising probability (overload-shedder.ts); 1 disables shedding. Default 1: the load of one
   * event loop is one node's load only in a node process, so the node assemblies turn it on
   * (NODE_OVERLOAD_THRESHOLD) and routers embedded in tests or larger programs leave it off.
   */
  readonly overloadThreshold: number;
  /**
   * How long a refused or evicted inbound socket is held open, unread and silent, before it is closed
   * (ms; refusal-hold.ts). 0 closes at once. Default 0 for embedded routers; node processes on a real
   * network use NODE_REFUSAL_HOLD_MS.
   */
  readonly refusalHoldMs: number;
  /**
   * Refused sockets held at once, at most (their descriptors); past it refusals close at once. 1,024:
   * as many as the largest slowloris probe (1,000 sockets) and well within a process's descriptors.
   */
  readonly maxHeldRefusals: number;
  /**
   * After an inbound peer is found banned (at admission, or when it leaves banned), its IP is refused
   * before any handshake for this long (ms; accept-gate.ts). 0 turns it off. Default 0 for embedded
   * routers (tests put many nodes on one address); node processes on a real network use
   * NODE_BANNED_IP_REFUSAL_MS.
   */
  readonly bannedIpRefusalMs: number;
  /**
   * A peer whose socket does not drain, or whose full `block` queue keeps a sender waiting, for this long
   * is disconnected (ms). Tendermint used a 10 s send timeout.
   */
  readonly stallTimeoutMs: number;
  /**
   * How long a guest (engine/peers/guests.ts: a newcomer let in while full, to be given addresses)
   * may stay before it is closed (ms). Its pending-handshake slot is held meanwhile, so guests share
   * the handshake budget. An honest newcomer asks at once and is answered within a round trip; 5 s
   * covers the slowest intercontinental links (300 ms RTT) many times over.
   */
  readonly guestTimeoutMs: number;
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
  minHandshakeDeadlineFraction: 0.25,
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  overloadThreshold: 1,
  refusalHoldMs: 0,
  maxHeldRefusals: 1_024,
  bannedIpRefusalMs: 0,
  stallTimeoutMs: 10_000,
  guestTimeoutMs: 5_000,
  loopRetryMinMs: 10,
  loopRetryMaxMs: 5_000,
};

/** For test networks on one machine: every node is 127.0.0.1, so per-IP limits must not bite. */
export const LOCAL_NETWORK_ROUTER_OPTIONS: Partial<RouterOptions> = {
  maxPendingHandshakesPerIp: 64,
  minAcceptIntervalPerIpMs: 0,
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  // A local testnet runs many nodes on one event loop: its load says nothing about one node.
  overloadThreshold: 1,
  refusalHoldMs: 0,
  bannedIpRefusalMs: 0,
};

/**
 * Overload threshold of a node process (event-loop utilisation): above 90 % busy, the node sheds new
 * inbound connections before their handshakes, leaving the rest for the peers it already has.
 */
export const NODE_OVERLOAD_THRESHOLD = 0.9;

/**
 * How long a node process on a real network holds a refused inbound socket before closing it (ms). A
 * refusal happens only under pressure (pending slots full, an IP paced after a failure, overload), and
 * an honest dialer that is refused retries after seconds anyway (CometBFT's dial backoff, Zebra's
 * reconnection interval), so learning of it a second later costs it nothing; an attacker reconnecting
 * on every drop is slowed to one connection per socket per second. No upstream node does this; 1 s is
 * the first SYN retransmission timeout (RFC 6298), the delay an honest dialer suffers when the accept
 * queue overflows, which this hold exists to prevent.
 */
export const NODE_REFUSAL_HOLD_MS = 1_000;

/**
 * How long a node process on a real network refuses the IP of a peer it banned, before any handshake
 * (ms). A ban is by node id, which only a handshake proves, so without this a banned node that redials
 * at once costs a full handshake per attempt (the simulator's flood scenario: 48,430 in 3 virtual
 * minutes from 50 flooders; docs/simulation.md). Zebra refuses banned IPs outright; CometBFT bans ids
 * only. A minute keeps an honest neighbour behind the same NAT out only briefly.
 */
export const NODE_BANNED_IP_REFUSAL_MS = 60_000;

/** The router options a node process sets on a real network (the local-network profile sets its own). */
export const NODE_PROCESS_ROUTER_OPTIONS: Partial<RouterOptions> = {
  overloadThreshold: NODE_OVERLOAD_THRESHOLD,
  refusalHoldMs: NODE_REFUSAL_HOLD_MS,
  bannedIpRefusalMs: NODE_BANNED_IP_REFUSAL_MS,
};
