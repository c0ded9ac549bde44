// The lab's address plan, as pure functions: which wire each host runs, which /16 it sits in, its
// address and ports, and the names of the namespaces and links a run creates. Everything lives in
// 10.192.0.0/10 (10.192.x.x – 10.255.x.x), a private range this machine uses nowhere else; hosts are
// spread over several /16s so the per-address-group rules have groups to count, and the eclipse
// attackers share one /16 of their own.

import { isIPv4 } from 'node:net';

/** The lab's whole range: every lab address is inside it, and the root namespace refuses it. */
export const LAB_SUPERNET = '10.192.0.0/10';
/** Second octet of the first host /16 (10.201.0.0/16), clear of the attacker and router /16s. */
const FIRST_HOST_GROUP = 201;
/** The eclipse attackers' /16: 10.250.0.0/16. */
export const ATTACKER_GROUP = '10.250';
/** The router's address on every link (hosts route the lab range through it). */
export const ROUTER_GATEWAY = '10.255.255.254';
/** CometBFT's usual p2p port. */
export const COMETBFT_PORT = 26656;
/** Zcash regtest's default port (network-params.ts), so Zebra's port rules see an ordinary peer. */
export const ZCASH_PORT = 18233;
/** /status and /metrics port on each namespace's own loopback (unreachable from anywhere else). */
export const METRICS_PORT = 9100;
/** Namespace and link names start with this, then the run id: stale runs are found by it. */
export const NAME_PREFIX = 'pwl';

export type Wire = 'cometbft' | 'zcash';

export interface HostPlan {
  readonly index: number;
  /** Short name: h00, h01, ... */
  readonly name: string;
  readonly wire: Wire;
  readonly ip: string;
  readonly port: number;
  /** The host's /16, e.g. `10.201`. */
  readonly group: string;
}

/** /16 groups for `count` hosts: about four hosts (two per wire) per group, at least three groups. */
export function groupCount(count: number): number {
  return Math.max(3, Math.ceil(count / 4));
}

/**
 * The hosts: wires alternate (even index CometBFT, odd Zcash) so both wires span every /16; pairs
 * of hosts share a /16, cycling over groupCount(count) groups.
 */
export function planHosts(count: number): HostPlan[] {
  if (!Number.isInteger(count) || count < 2 || count > 64) throw new RangeError(`hosts must be an integer in 2..64, got ${count}`);
  const groups = groupCount(count);
  const hosts: HostPlan[] = [];
  for (let index = 0; index < count; index++) {
    const second = FIRST_HOST_GROUP + (Math.floor(index / 2) % groups);
    const wire: Wire = index % 2 === 0 ? 'cometbft' : 'zcash';
    hosts.push({
      index,
      name: `h${String(index).padStart(2, '0')}`,
      wire,
      ip: `10.${second}.0.${10 + index}`,
      port: wire === 'cometbft' ? COMETBFT_PORT : ZCASH_PORT,
      group: `10.${second}`,
    });
  }
  return hosts;
}

/** The attackers' addresses: `count` addresses in the attacker /16. */
export function attackerIps(count: number): string[] {
  if (!Number.isInteger(count) || count < 0 || count > 200) throw new RangeError(`attackers must be in 0..200, got ${count}`);
  return Array.from({ length: count }, (_v, k) => `${ATTACKER_GROUP}.0.${10 + k}`);
}

/** True when `ip` is an IPv4 address inside LAB_SUPERNET. */
export function inLabSupernet(ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b! >= 192 && b! <= 255;
}

/** The /16 of an IPv4 address (`10.201`). */
export function groupOf(ip: string): string {
  return ip.split('.').slice(0, 2).join('.');
}

/** Names of everything a run creates; all start with NAME_PREFIX + run id, and link names fit in 15 bytes. */
export function labNames(runId: string): {
  readonly prefix: string;
  readonly router: string;
  readonly tun: string;
  host(index: number): string;
  routerLink(index: number): string;
  attacker(index: number): string;
  attackerLink(index: number): string;
} {
  if (!/^[0-9a-f]{4}$/.test(runId)) throw new RangeError(`run id must be 4 hex digits, got ${runId}`);
  const prefix = `${NAME_PREFIX}${runId}`;
  const two = (n: number): string => String(n).padStart(2, '0');
  const three = (n: number): string => String(n).padStart(3, '0');
  return {
    prefix,
    router: `${prefix}-rt`,
    tun: `${prefix}tun`,
    host: (index) => `${prefix}-h${two(index)}`,
    routerLink: (index) => `${prefix}r${two(index)}`,
    attacker: (index) => `${prefix}-a${three(index)}`,
    attackerLink: (index) => `${prefix}a${three(index)}`,
  };
}

/** The run id of a lab name (`pwl1a2b-h03` → `1a2b`), or undefined for names the lab did not make. */
export function runIdOf(name: string): string | undefined {
  const match = new RegExp(`^${NAME_PREFIX}([0-9a-f]{4})`).exec(name);
  return match?.[1];
}
