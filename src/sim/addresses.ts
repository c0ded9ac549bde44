// Virtual addresses of simulated nodes. They look like public IPv4 addresses spread over many /16s,
// because the policies under test (one outbound peer per /16 in CometBFT, per IP in Zebra) only mean
// something when groups differ; they are never given to a socket: a simulated node's only carrier is
// the in-memory SimCarrier. Honest nodes get one address each, drawn from the whole public space
// without repeats; attackers share one /16 (the textbook eclipse set-up: cheap addresses, one network).

import { classifyAddress } from '../engine/peers/address-group.ts';
import { randomBelow, type Random } from '../core/random.ts';

/** The /16 every attacker address is taken from (a public-looking block, 0 of 65,536 used by honest nodes). */
export const ATTACKER_SLASH16 = '77.88';

function isPublic(host: string): boolean {
  return classifyAddress({ protocol: 'tcp', host, port: 1 }) === 'routable';
}

/** Draws `count` distinct public IPv4 addresses, outside the attacker /16, each from its own /24. */
export function honestAddresses(count: number, random: Random): string[] {
  const used = new Set<string>();
  const out: string[] = [];
  // Bounded: the space has ~3.7 billion public addresses; a draw fails only on a repeat or a
  // reserved block, so 100 tries per address is far more than ever needed.
  for (let tries = 0; out.length < count && tries < count * 100; tries++) {
    const a = 1 + randomBelow(random, 223);
    const b = randomBelow(random, 256);
    const c = randomBelow(random, 256);
    const host = `${a}.${b}.${c}.${1 + randomBelow(random, 254)}`;
    const slash24 = `${a}.${b}.${c}`;
    if (`${a}.${b}` === ATTACKER_SLASH16 || used.has(slash24) || !isPublic(host)) continue;
    used.add(slash24);
    out.push(host);
  }
  if (out.length < count) throw new Error(`could not draw ${count} distinct addresses`);
  return out;
}

/** `count` distinct addresses inside the attacker /16 (at most 65,024). */
export function attackerAddresses(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${ATTACKER_SLASH16}.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`);
  return out;
}

/** The /16 of an IPv4 address (`a.b`). */
export function slash16(host: string): string {
  const dot = host.indexOf('.', host.indexOf('.') + 1);
  return host.slice(0, dot);
}
