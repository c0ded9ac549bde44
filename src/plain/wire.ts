// The plain test wire as a Wire: length-prefixed channel frames and a small Ed25519 challenge-response
// handshake (handshake.ts). The engine is tested with it over TCP and memory carriers until the real
// wires exist, and it stays the cheapest wire for large in-process simulations.

import type { ByteLink } from '../transport/byte-link.ts';
import type { Connection, Direction } from '../transport/types.ts';
import type { Wire } from '../transport/wire.ts';
import { PlainConnection, type PlainConnectionOptions } from './connection.ts';

export type PlainWireOptions = PlainConnectionOptions;

export class PlainWire implements Wire {
  readonly name = 'plain';
  private readonly options: PlainWireOptions;

  constructor(options: PlainWireOptions = {}) {
    this.options = options;
  }

  connect(link: ByteLink, direction: Direction): Connection {
    return new PlainConnection(link, direction, this.options);
  }
}

export function plainWire(options: PlainWireOptions = {}): PlainWire {
  return new PlainWire(options);
}
