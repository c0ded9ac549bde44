// The peer graph as the nodes themselves report it: every node's /status lists its peers with their
// remote addresses, and each lab host has exactly one address, so peers map to hosts by IP. From
// that: per-wire edges, connected components, degrees, and the links crossing a split. Pure.

import type { HostPlan, Wire } from './topology.ts';

export interface PeerStatus {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remote?: string;
  readonly listenAddress?: string;
}

/** The fields of a node's /status document the lab reads (node-status.ts and the wire extras). */
export interface NodeStatus {
  readonly wire: Wire;
  readonly id: string;
  readonly listen?: string;
  readonly uptimeSeconds?: number;
  readonly peers: readonly PeerStatus[];
  readonly peerStore?: { readonly stored?: number; readonly connected?: number; readonly inbound?: number; readonly outbound?: number };
  readonly addressBook?: number;
  readonly readyPeers?: number;
  readonly clock?: number;
  readonly addressBookLatestSeen?: number;
  readonly addressBookGroups?: Readonly<Record<string, number>>;
}

/** The IP of a `remote` text: `10.201.0.10:26656`, `10.201.0.10`, `[::1]:1`. */
export function ipOfRemote(remote: string | undefined): string | undefined {
  if (remote === undefined || remote === '') return undefined;
  if (remote.startsWith('[')) return remote.slice(1, remote.indexOf(']'));
  const parts = remote.split(':');
  return parts.length === 2 ? parts[0] : remote;
}

export interface Snapshot {
  /** Status per host name; undefined when the host is down or did not answer. */
  readonly statuses: ReadonlyMap<string, NodeStatus | undefined>;
}

/** Peer IPs a node reports, with direction. */
export function peerIps(status: NodeStatus | undefined): { ip: string; direction: 'inbound' | 'outbound' }[] {
  if (status === undefined) return [];
  const out: { ip: string; direction: 'inbound' | 'outbound' }[] = [];
  for (const p of status.peers) {
    const ip = ipOfRemote(p.remote);
    if (ip !== undefined) out.push({ ip, direction: p.direction });
  }
  return out;
}

/**
 * Undirected edges among `hosts` (by host name): a link counts when either end reports it, since a
 * node may list a connection a moment before or after its peer does.
 */
export function edges(hosts: readonly HostPlan[], snapshot: Snapshot): Set<string> {
  const byIp = new Map(hosts.map((h) => [h.ip, h]));
  const set = new Set<string>();
  for (const host of hosts) {
    for (const peer of peerIps(snapshot.statuses.get(host.name))) {
      const other = byIp.get(peer.ip);
      if (other === undefined || other.name === host.name) continue;
      set.add(host.name < other.name ? `${host.name}-${other.name}` : `${other.name}-${host.name}`);
    }
  }
  return set;
}

/** Connected components of `hosts` under `edgeSet`, largest first. */
export function components(hosts: readonly HostPlan[], edgeSet: ReadonlySet<string>): string[][] {
  const neighbours = new Map<string, string[]>(hosts.map((h) => [h.name, []]));
  for (const edge of edgeSet) {
    const [a, b] = edge.split('-') as [string, string];
    if (neighbours.has(a) && neighbours.has(b)) {
      neighbours.get(a)!.push(b);
      neighbours.get(b)!.push(a);
    }
  }
  const seen = new Set<string>();
  const result: string[][] = [];
  for (const host of hosts) {
    if (seen.has(host.name)) continue;
    const component: string[] = [];
    const stack = [host.name];
    seen.add(host.name);
    while (stack.length > 0) {
      const name = stack.pop()!;
      component.push(name);
      for (const next of neighbours.get(name) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    result.push(component.sort());
  }
  return result.sort((a, b) => b.length - a.length);
}

/** Peers of `host` among `hosts` (by the same either-end rule as edges()). */
export function degree(host: HostPlan, hosts: readonly HostPlan[], edgeSet: ReadonlySet<string>): number {
  const names = new Set(hosts.map((h) => h.name));
  let n = 0;
  for (const edge of edgeSet) {
    const [a, b] = edge.split('-') as [string, string];
    if ((a === host.name && names.has(b)) || (b === host.name && names.has(a))) n++;
  }
  return n;
}

/** Edges with one end in each side. */
export function crossing(edgeSet: ReadonlySet<string>, sideA: ReadonlySet<string>, sideB: ReadonlySet<string>): string[] {
  return [...edgeSet].filter((edge) => {
    const [a, b] = edge.split('-') as [string, string];
    return (sideA.has(a) && sideB.has(b)) || (sideA.has(b) && sideB.has(a));
  });
}

/** One connected graph per wire over the given live hosts (a wire with no live host counts as connected). */
export function connectedPerWire(hosts: readonly HostPlan[], snapshot: Snapshot): { wire: Wire; components: string[][] }[] {
  return (['cometbft', 'zcash'] as const).map((wire) => {
    const ofWire = hosts.filter((h) => h.wire === wire);
    return { wire, components: components(ofWire, edges(ofWire, snapshot)) };
  });
}
