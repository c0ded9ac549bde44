// IP addresses as the Bitcoin-family wire carries them: 16 bytes of IPv6, with IPv4 sent as
// IPv4-mapped IPv6 (`::ffff:a.b.c.d`). Decoded addresses are canonical text — IPv4-mapped values
// become dotted IPv4, as Zebra canonicalises them on receipt (docs/protocols/zcash.md §2) — and IPv6 text follows
// RFC 5952 (lowercase, longest zero run compressed), so equal addresses compare equal as strings.

import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';

/** Width of an address on the wire. */
export const IP_BYTES = 16;

function isMapped(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}

/** Dotted text of 4 bytes at `o`. */
export function ipv4FromBytes(b: Uint8Array, o = 0): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Canonical text of the 16-byte address at `o` (IPv4-mapped → IPv4). */
export function ipFromBytes16(b: Uint8Array, o = 0): string {
  if (isMapped(b, o)) return ipv4FromBytes(b, o + 12);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!);
  // RFC 5952 §4.2: compress the longest run (length ≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function invalidIp(ip: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidAddress, `not an IP address: "${ip.slice(0, 60)}"`, {
    action: 'transient',
  });
}

function parseIPv4Into(ip: string, out: Uint8Array, o: number): void {
  const parts = ip.split('.');
  for (let i = 0; i < 4; i++) out[o + i] = Number(parts[i]);
}

/** 16 wire bytes for an IP literal (IPv4 → IPv4-mapped). Brackets and zone ids are not accepted. */
export function ipToBytes16(ip: string): Uint8Array {
  const out = new Uint8Array(IP_BYTES);
  if (isIPv4(ip)) {
    out[10] = 0xff;
    out[11] = 0xff;
    parseIPv4Into(ip, out, 12);
    return out;
  }
  if (!isIPv6(ip) || ip.includes('%')) throw invalidIp(ip);
  let text = ip;
  let tailV4: string | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = text.slice(lastColon + 1);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const fill = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...new Array<string>(tail === undefined ? 0 : fill).fill('0'),
    ...tailGroups,
  ];
  if (groups.length !== 8) throw invalidIp(ip);
  for (let i = 0; i < 8; i++) {
    const g = parseInt(groups[i]!, 16);
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  }
  if (tailV4 !== undefined) parseIPv4Into(tailV4, out, 12);
  return out;
}

/** Canonical form of any IP literal (what a decoder would produce for it). */
export function canonicalIp(ip: string): string {
  return ipFromBytes16(ipToBytes16(ip));
}
