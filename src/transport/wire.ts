// A Wire turns a raw ByteLink into a Connection: its framing, its handshake and its channel rules. The
// plain test wire, CometBFT's SecretConnection + MConnection and Zcash's codec each implement this
// once and run over every carrier (TCP, memory) unchanged.

import type { ByteLink } from './byte-link.ts';
import type { Connection, Direction } from './types.ts';

export interface Wire {
  /** Short name for logs and metrics labels (`plain`, `cometbft`, `zcash`). */
  readonly name: string;
  /**
   * Wraps a fresh link (nothing read from it yet) in a connection that has not handshaken. The
   * connection owns the link from now on: closing one closes the other.
   */
  connect(link: ByteLink, direction: Direction): Connection;
}
