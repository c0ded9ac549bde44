// Address classes and address groups. An eclipse attacker usually controls many addresses in few
// networks, so outbound connections are limited per *group* (Bitcoin's and CometBFT's netgroup: the
// IPv4 /16, the IPv6 /32) rather than per address, and addresses that cannot be reached from the
// internet (loopback, private, link-local, documentation, multicast) are kept out of a strict address
// book. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`) are grouped by the IPv4
// address they carry, so one IPv4 network cannot count as two groups by changing notation
// (Zebra GHSA-63wg-wjjj-7cp8). A local test network on one machine treats loopback as routable and
// groups it like any IPv4 address (127.a.b.c: one group per 127.a), see `loopbackRoutable`; a lab of
// many hosts on private addresses (netlab) groups private addresses by /16 too, see `privateRoutable`.

import { isIP } from 'node:net';
import type { NodeAddress } from '../../core/node-address.ts';

/**
 * - `routable`: a public IP address.
 * - `loopback`: 127.0.0.0/8, ::1.
 * - `private`: RFC 1918, carrier-grade NAT, link-local, IPv6 unique-local and link-local: reachable
 *   only inside a site.
 * - `unroutable`: unspecified, documentation, benchmark, multicast, reserved, broadcast.
 * - `name`: a DNS name (its class is only known after resolution).
 * - `memory`: an in-process endpoint.
 */
export type AddressClass = 'routable' | 'loopback' | 'private' | 'unroutable' | 'name' | 'memory';

/** The 4 or 16 bytes of an IP literal, or undefined when `host` is not one. Zone ids (`%eth0`) are ignored. */
export function ipBytes(host: string): Uint8Array | undefined {
  const percent = host.indexOf('%');
  const text = percent >= 0 ? host.slice(0, percent) : host;
  const family = isIP(text);
  if (family === 4) return parseIpv4(text);
  if (family === 6) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function parseIpv6(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let head = text;
  let tailV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftParts = left === '' || left === undefined ? [] : left.split(':');
  const rightParts = right === undefined || right === '' ? [] : right.split(':');
  const parts =
    right === undefined
      ? leftParts
      : [...leftParts, ...Array<string>(8 - leftParts.length - rightParts.length).fill('0'), ...rightParts];
  for (let i = 0; i < 8; i++) {
    const word = Number.parseInt(parts[i] ?? '0', 16);
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  }
  if (tailV4 !== undefined) bytes.set(tailV4, 12);
  return bytes;
}

/** The IPv4 address carried by an IPv4-mapped (::ffff:0:0/96) or 6to4 (2002::/16) IPv6 address. */
function embeddedIpv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16) return undefined;
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12, 16);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

/** The canonical IP text: IPv4-mapped IPv6 becomes IPv4; other IPv6 is written fully expanded, lower case. */
export function canonicalIp(host: string): string | undefined {
  const bytes = ipBytes(host);
  if (bytes === undefined) return undefined;
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return words.join(':');
}

function inV4(b: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyIpv4(b: Uint8Array): AddressClass {
  if (inV4(b, [127], 8)) return 'loopback';
  if (inV4(b, [10], 8) || inV4(b, [172, 16], 12) || inV4(b, [192, 168], 16)) return 'private';
  if (inV4(b, [100, 64], 10) || inV4(b, [169, 254], 16)) return 'private';
  if (inV4(b, [0], 8) || inV4(b, [192, 0, 0], 24) || inV4(b, [192, 0, 2], 24)) return 'unroutable';
  if (inV4(b, [198, 51, 100], 24) || inV4(b, [203, 0, 113], 24) || inV4(b, [198, 18], 15))
    return 'unroutable';
  if (inV4(b, [224], 4) || inV4(b, [240], 4) || inV4(b, [192, 88, 99], 24)) return 'unroutable';
  return 'routable';
}

function classifyIpv6(b: Uint8Array): AddressClass {
  const v4 = embeddedIpv4(b);
  if (v4 !== undefined) return classifyIpv4(v4);
  const zeroHead = b.subarray(0, 15).every((x) => x === 0);
  if (zeroHead && b[15] === 1) return 'loopback';
  if (zeroHead && b[15] === 0) return 'unroutable';
  if ((b[0]! & 0xfe) === 0xfc) return 'private';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'private';
  if (b[0] === 0xff) return 'unroutable';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'unroutable';
  // 3fff::/20 documentation (RFC 9637), 100::/64 discard (RFC 6666), 2001:10::/28 and 2001:20::/28 ORCHID.
  if (b[0] === 0x3f && b[1] === 0xff && (b[2]! & 0xf0) === 0) return 'unroutable';
  if (b[0] === 0x01 && b[1] === 0x00 && b.subarray(2, 8).every((x) => x === 0)) return 'unroutable';
  const orchid = b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00;
  if (orchid && ((b[3]! & 0xf0) === 0x10 || (b[3]! & 0xf0) === 0x20)) return 'unroutable';
  return 'routable';
}

/** What one host text is: its class and, for an IP literal, its subnet key (see subnetOf). */
interface HostFacts {
  readonly kind: AddressClass;
  /** `ipv4:a.b` or `ipv6:xxxx:xxxx`; undefined for a name. */
  readonly subnet: string | undefined;
}

/**
 * Hosts classified so far. The dial planner asks for the class and group of every candidate address on
 * every dial decision, and parsing the IP text each time was the top cost of a large network
 * (docs/simulation.md, finding 3). The answer depends on the text alone, so it is computed once per
 * host; the map is cleared when it reaches this size, which bounds it whatever peers gossip (a node's
 * book holds at most a few thousand addresses, so a clear is rare).
 */
const HOST_FACTS_MAX = 16_384;
const hostFacts = new Map<string, HostFacts>();

function factsOf(host: string): HostFacts {
  let facts = hostFacts.get(host);
  if (facts !== undefined) return facts;
  const bytes = ipBytes(host);
  if (bytes === undefined) {
    facts = { kind: 'name', subnet: undefined };
  } else {
    const kind = bytes.length === 4 ? classifyIpv4(bytes) : classifyIpv6(bytes);
    facts = { kind, subnet: subnetOfBytes(bytes) };
  }
  if (hostFacts.size >= HOST_FACTS_MAX) hostFacts.clear();
  hostFacts.set(host, facts);
  return facts;
}

function subnetOfBytes(bytes: Uint8Array): string {
  const v4 = bytes.length === 4 ? bytes : embeddedIpv4(bytes);
  if (v4 !== undefined) return `ipv4:${v4[0]}.${v4[1]}`;
  const hex = (i: number): string => ((bytes[i]! << 8) | bytes[i + 1]!).toString(16);
  return `ipv6:${hex(0)}:${hex(2)}`;
}

/** The class of an address's host. */
export function classifyAddress(address: NodeAddress): AddressClass {
  if (address.protocol === 'memory') return 'memory';
  return factsOf(address.host).kind;
}

export interface AddressGroupOptions {
  /** Group loopback addresses by their /16 like public ones (local test networks). Default false. */
  readonly loopbackRoutable?: boolean;
  /**
   * Treat private addresses (RFC 1918, CGNAT, link-local, IPv6 unique-local) as routable and group them
   * by their /16 (IPv6 /32), like public ones: a lab network of many hosts on private ranges, where
   * the per-group rules must bite as they would on the internet. Default false.
   */
  readonly privateRoutable?: boolean;
}

/**
 * The group key of an address: `ipv4:a.b` (the /16), `ipv6:xxxx:xxxx` (the /32), `name:<host>`,
 * `memory:<name>`, or the literal groups `local` (loopback, private) and `unroutable`, which a strict
 * book never dials anyway. With `loopbackRoutable`, loopback is grouped by its /16 (127.a).
 */
export function addressGroup(address: NodeAddress, options: AddressGroupOptions = {}): string {
  const kind = classifyAddress(address);
  if (kind === 'memory') return `memory:${address.host}`;
  if (kind === 'name') return `name:${address.host.toLowerCase().replace(/\.$/, '')}`;
  if (kind === 'unroutable') return 'unroutable';
  if (
    (kind === 'private' && options.privateRoutable !== true) ||
    (kind === 'loopback' && options.loopbackRoutable !== true)
  )
    return 'local';
  return factsOf(address.host).subnet!;
}

/**
 * Which addresses learned from peers a node may dial:
 * - `public`: only routable ones (never unspecified, loopback, RFC 1918, RFC 6598, RFC 3927, documentation,
 *   benchmark, multicast, reserved, IPv6 unique-local or documentation prefixes);
 * - `local` (the local-network profile): only loopback and private ones, so a test network never dials
 *   the internet whatever its peers gossip; DNS names are not dialed either (they may point anywhere).
 * Port 0 is never dialable. Addresses configured by the operator (persistent peers, seeds) bypass this.
 */
export type AddressScope = 'public' | 'local';

/** True when a peer-learned address may be dialed under `scope` (see AddressScope). */
export function dialableInScope(address: NodeAddress, scope: AddressScope, options: AddressGroupOptions = {}): boolean {
  const kind = classifyAddress(address);
  if (kind === 'memory') return true;
  if (address.port === 0) return false;
  if (scope === 'local') return kind === 'loopback' || kind === 'private';
  return isRoutable(address, options);
}

/**
 * True when an address may be dialed from the public internet (`loopbackRoutable` admits loopback too,
 * `privateRoutable` private addresses).
 */
export function isRoutable(address: NodeAddress, options: AddressGroupOptions = {}): boolean {
  const kind = classifyAddress(address);
  if (kind === 'loopback') return options.loopbackRoutable === true;
  if (kind === 'private') return options.privateRoutable === true;
  return kind === 'routable' || kind === 'name' || kind === 'memory';
}

/** True for private and loopback addresses: the only ones a lab-profile node admits (never a name). */
export function isPrivateOrLoopback(address: NodeAddress): boolean {
  const kind = classifyAddress(address);
  return kind === 'private' || kind === 'loopback';
}

/**
 * The subnet an IP belongs to for fairness between remote networks, whatever its class: the IPv4 /16
 * (`ipv4:a.b`, also for IPv4-mapped and 6to4 IPv6), the IPv6 /32 (`ipv6:xxxx:xxxx`). Loopback and
 * private addresses are grouped like public ones, so attackers on 127.1.x.y share one subnet and an
 * honest peer on 127.2.0.1 has another. A host that is not an IP literal (a memory endpoint) is its
 * own subnet.
 */
export function subnetOf(host: string): string {
  return factsOf(host).subnet ?? `host:${host}`;
}
