// Network addresses in messages: the 26-byte `net_addr` of `version` (services, IPv6, port), the
// 30-byte `addr` v1 entry (time + net_addr) and the BIP-155/ZIP-155 `addrv2` entry. Ports are
// big-endian (network order), everything else little-endian. Services are kept exactly as received
// (`bigint`, lossless); Zebra's rule of truncating unknown bits on receipt is `truncateServices`,
// applied by the handshake and address-book layers, so raw values stay visible for logs and Bitcoin
// peers.

import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { MAX_ADDR_V2_ADDR_SIZE } from '../encoding/constants.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import { IP_BYTES, ipFromBytes16, ipToBytes16, ipv4FromBytes } from './ip-address.ts';

/** NODE_NETWORK: serves the full chain. The only service bit Zebra knows. */
export const NODE_NETWORK = 1n;
/** NODE_BLOOM (zcashd, BIP-111): serves BIP-37 filters. Zebra does not keep it. */
export const NODE_BLOOM = 4n;
/** Service bits Zebra keeps on receipt (`PeerServices::from_bits_truncate`). */
export const ZEBRA_KNOWN_SERVICES = NODE_NETWORK;

/** Zebra's receipt rule: unknown service bits are dropped (0x409 → 0x1, 0x8 → 0). */
export function truncateServices(services: bigint): bigint {
  return services & ZEBRA_KNOWN_SERVICES;
}

export interface NetAddress {
  /** Advertised service bits, raw u64. */
  readonly services: bigint;
  /** Canonical IP text (IPv4-mapped shown as IPv4; IPv6 per RFC 5952). */
  readonly ip: string;
  /** TCP port, 0..65535. */
  readonly port: number;
}

/** An `addr`/`addrv2` entry: an address with its (untrusted) last-seen time. */
export interface AddrEntry extends NetAddress {
  /** Last-seen time, u32 seconds since the Unix epoch (untrusted, gossiped). */
  readonly time: number;
}

/** Width of a `net_addr` without time (in `version`). */
export const NET_ADDR_LENGTH = 26;
/** Width of an `addr` v1 entry. */
export const ADDR_V1_ENTRY_LENGTH = 30;
/** Smallest `addrv2` entry: time 4 + services 1 + network id 1 + length 1 + port 2. */
export const ADDR_V2_MIN_ENTRY_LENGTH = 9;

/** BIP-155 network ids. */
export const Bip155Network = { IPv4: 1, IPv6: 2, TorV2: 3, TorV3: 4, I2P: 5, CJDNS: 6 } as const;

export function readNetAddr(r: ByteReader, what: string): NetAddress {
  const services = r.u64le(`${what} services`);
  r.need(IP_BYTES + 2, what);
  const ip = ipFromBytes16(r.bytes, r.offset);
  r.offset += IP_BYTES;
  const port = r.u16be(`${what} port`);
  return { services, ip, port };
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw encodeError(`port out of range: ${port}`);
}

export function writeNetAddr(w: ByteWriter, a: NetAddress): void {
  checkPort(a.port);
  w.u64le(a.services);
  w.bytes(ipToBytes16(a.ip));
  w.u16be(a.port);
}

export function readAddrV1Entry(r: ByteReader): AddrEntry {
  const time = r.u32le('addr time');
  const a = readNetAddr(r, 'addr');
  return { time, services: a.services, ip: a.ip, port: a.port };
}

export function writeAddrV1Entry(w: ByteWriter, e: AddrEntry): void {
  if (!Number.isInteger(e.time) || e.time < 0 || e.time > 0xffffffff)
    throw encodeError(`addr time out of range: ${e.time}`);
  w.u32le(e.time);
  writeNetAddr(w, e);
}

/**
 * One `addrv2` entry with Zebra's rules: an address longer than 512 bytes, or an IPv4/IPv6 address
 * of the wrong length, rejects the whole message; other networks (Tor, I2P, CJDNS, unknown ids) are
 * skipped (returns undefined) whatever their length — Zebra only length-checks ids 1 and 2.
 */
export function readAddrV2Entry(r: ByteReader): AddrEntry | undefined {
  const time = r.u32le('addrv2 time');
  const services = r.compactSize64('addrv2 services');
  const network = r.u8('addrv2 network id');
  const len = r.compactSize('addrv2 address length');
  if (len > MAX_ADDR_V2_ADDR_SIZE)
    throw malformed(`addrv2 address of ${len} bytes exceeds ${MAX_ADDR_V2_ADDR_SIZE}`);
  r.need(len + 2, 'addrv2 address');
  let ip: string | undefined;
  if (network === Bip155Network.IPv4) {
    if (len !== 4) throw malformed(`addrv2 IPv4 address with length ${len} (must be 4)`);
    ip = ipv4FromBytes(r.bytes, r.offset);
  } else if (network === Bip155Network.IPv6) {
    if (len !== 16) throw malformed(`addrv2 IPv6 address with length ${len} (must be 16)`);
    ip = ipFromBytes16(r.bytes, r.offset);
  }
  r.offset += len;
  const port = r.u16be('addrv2 port');
  return ip === undefined ? undefined : { time, services, ip, port };
}
