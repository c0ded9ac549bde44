// The `version` message body (docs/protocols/zcash.md §2.1): every field up to and including start_height is required
// (Zebra; zcashd is laxer), the relay byte is optional (absent → true; a value other than 0/1 is a
// parse error), the user agent is capped at 256 bytes before its bytes are read and must be UTF-8,
// and the timestamp must lie in chrono's DateTime range (Zebra rejects i64::MAX, accepts 0).

import type { ByteReader } from '../encoding/byte-reader.ts';
import type { ByteWriter } from '../encoding/byte-writer.ts';
import { MAX_USER_AGENT_LENGTH } from '../encoding/constants.ts';
import { encodeError, malformed } from '../encoding/errors.ts';
import type { VersionMessage } from './messages.ts';
import { readNetAddr, writeNetAddr } from './net-address.ts';

/**
 * chrono's DateTime<Utc> range in seconds: -262144-01-01T00:00:00Z ..= +262143-12-31T23:59:59Z
 * (NaiveDate MIN/MAX). Both ends are well inside JavaScript's safe-integer range.
 */
export const MIN_VERSION_TIMESTAMP = -8_334_632_937_600;
export const MAX_VERSION_TIMESTAMP = 8_210_298_412_799;

export function readVersion(r: ByteReader): VersionMessage {
  const version = r.u32le('version');
  const services = r.u64le('version services');
  const ts = r.i64le('version timestamp');
  if (ts < BigInt(MIN_VERSION_TIMESTAMP) || ts > BigInt(MAX_VERSION_TIMESTAMP)) {
    throw malformed(`version timestamp ${ts} is out of range`);
  }
  const addrRecv = readNetAddr(r, 'version addr_recv');
  const addrFrom = readNetAddr(r, 'version addr_from');
  const nonce = r.u64le('version nonce');
  const userAgent = r.varStr(MAX_USER_AGENT_LENGTH, 'user agent');
  const startHeight = r.u32le('version start_height');
  let relay = true;
  if (r.remaining > 0) {
    const b = r.u8('version relay');
    if (b > 1) throw malformed(`non-bool value ${b} supplied in relay field`);
    relay = b === 1;
  }
  return {
    command: 'version',
    version,
    services,
    timestamp: Number(ts),
    addrRecv,
    addrFrom,
    nonce,
    userAgent,
    startHeight,
    relay,
  };
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw encodeError(`${what} out of u32 range: ${v}`);
}

export function writeVersion(w: ByteWriter, m: VersionMessage): void {
  checkU32(m.version, 'version');
  checkU32(m.startHeight, 'start_height');
  if (
    !Number.isInteger(m.timestamp) ||
    m.timestamp < MIN_VERSION_TIMESTAMP ||
    m.timestamp > MAX_VERSION_TIMESTAMP
  ) {
    throw encodeError(`version timestamp out of range: ${m.timestamp}`);
  }
  w.u32le(m.version);
  w.u64le(m.services);
  w.i64le(BigInt(m.timestamp));
  writeNetAddr(w, m.addrRecv);
  writeNetAddr(w, m.addrFrom);
  w.u64le(m.nonce);
  w.varStr(m.userAgent, MAX_USER_AGENT_LENGTH, 'user agent');
  w.u32le(m.startHeight);
  w.u8(m.relay ? 1 : 0);
}
