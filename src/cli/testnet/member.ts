// One node of a testnet, whatever its wire: what the runner needs to start it, stop it, count its
// distinct peers, originate demo messages, probe round trips, and see which messages reached it.
// A demo message is named `origin/seq`; every member floods what it has not seen to its peers and
// hands everything it holds to a peer that connects (as a mempool does), so every message reaches
// every node once the network is connected, whenever it was sent.

import type { WebNodeDetail } from '../web/web-view.ts';
import type { TrafficStats } from './traffic-stats.ts';

/** Demo messages one node may hold: bounds the seen set (a default run makes ~1,200 in total). */
export const MAX_SEEN_MESSAGES = 100_000;

export type TestnetWire = 'cometbft' | 'zcash';

export interface TestnetMember {
  readonly wire: TestnetWire;
  readonly index: number;
  /** `host:port` the node listens on. */
  readonly listen: string;
  /** What the next node bootstraps from (the seed's address in the wire's form). */
  readonly bootstrapAddress: string;
  /** Demo messages this node holds (originated or received). */
  readonly seen: ReadonlySet<string>;
  start(): void;
  stop(): Promise<void>;
  /** Distinct remote nodes connected now (a pair may hold two connections on the Zcash wire). */
  distinctPeers(): number;
  /** Originates one demo message. */
  originate(seq: number): void;
  /** Measures one round trip to each connected peer (results go to the stats). */
  probe(): void;
  /** How this node's peers name it (CometBFT: its node id; Zcash: its user agent), for the peer graph. */
  readonly identity: string;
  /** The identities of the nodes connected now (same form as `identity`). */
  peerIdentities(): string[];
  /** The node's drill-down for the web view. */
  detail(): WebNodeDetail;
}

export interface MemberContext {
  readonly index: number;
  /** The seed's bootstrap address; undefined for the seed itself. */
  readonly seed: string | undefined;
  /** Peers each node aims for: min(N − 1, 4). */
  readonly target: number;
  /** Nodes of this wire in the run (the seed must accept them all). */
  readonly nodes: number;
  readonly stats: TrafficStats;
  /** Where the run's demo payloads come from (their size is the payload size). */
  readonly payloadBytes: number;
}

/** The demo message name. */
export function messageKey(origin: number, seq: number): string {
  return `${origin}/${seq}`;
}
