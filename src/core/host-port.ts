// `HOST:PORT` text, the way listen and metrics addresses are written in the config and on the command
// line (IPv6 in brackets: `[::1]:26656`). Peer addresses have their own parsers per wire
// (cometbftAddress, parseZcashAddress); this is only for our own sockets.

import { isIP } from 'node:net';
import { ErrorCode, PeerwireError } from './errors.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ParseHostPortOptions {
  /** Accept port 0 (any free port), for listen addresses. Default false. */
  readonly allowZeroPort?: boolean;
}

/** Parses `host:port` or `[ipv6]:port`; throws ERR_INVALID_ADDRESS with the reason. */
export function parseHostPort(text: string, options: ParseHostPortOptions = {}): HostPort {
  const bad = (why: string): PeerwireError =>
    new PeerwireError(ErrorCode.InvalidAddress, `invalid address "${text.slice(0, 80)}": ${why}`, { action: 'transient' });
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') throw bad('expected [ipv6]:port');
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw bad('not an IPv6 address');
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw bad('expected HOST:PORT');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw bad('IPv6 addresses need brackets');
    if (isIP(host) === 0 && !/^[A-Za-z0-9.-]{1,253}$/.test(host)) throw bad('bad host');
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad('port must be a number');
  const port = Number(portText);
  if (port > 0xffff || (port === 0 && options.allowZeroPort !== true)) throw bad('port out of range');
  return { host, port };
}

/** `host:port`, IPv6 in brackets. */
export function formatHostPort(value: HostPort): string {
  return isIP(value.host) === 6 ? `[${value.host}]:${value.port}` : `${value.host}:${value.port}`;
}
