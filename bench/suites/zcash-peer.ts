// The listening Zcash node of the handshake figures, run in a forked child by openSide(): a Zcash TCP
// transport on 127.0.0.1 with its own Handshake service (its own nonce set, so the parent's dials are
// never mistaken for self-connections), answering every inbound connection with the Zebra handshake
// and holding it until the dialer hangs up.

import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { NodeKey } from '../../src/core/node-key.ts';
import { tcpEndpoint } from '../../src/transport/endpoint.ts';
import type { StreamTransport } from '../../src/transport/stream-transport.ts';
import type { Connection, LocalNode } from '../../src/transport/types.ts';
import { Handshake } from '../../src/zcash/handshake/handshake.ts';
import { ZCASH_MAINNET } from '../../src/zcash/params/network-params.ts';
import { zcashTcpTransport } from '../../src/zcash/connection/transport.ts';
import type { SideHandlers } from '../harness.ts';

/**
 * Handshake deadline (ms). Zebra gives 3 s; the benchmark box may be shared with busy workers, and a
 * timed-out handshake would turn into a failed figure rather than a slow one.
 */
export const BENCH_HANDSHAKE_TIMEOUT_MS = 15_000;

/** A Zcash transport with its own handshake service, for mainnet parameters. */
export function benchZcashTransport(options: { readonly pacing?: boolean } = {}): StreamTransport {
  const handshake = Handshake.builder()
    .withConfig({ network: ZCASH_MAINNET, handshakeTimeoutMs: BENCH_HANDSHAKE_TIMEOUT_MS })
    .withUserAgent('/peerwire-bench:0.1.0/')
    .finish();
  return zcashTcpTransport({ handshake, ...(options.pacing === undefined ? {} : { pacing: options.pacing }) });
}

/** What handshake() is handed; the Zcash wire identifies peers by address and ignores the key. */
export function zcashLocalNode(): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels: [],
    info: { id: key.id, protocolVersion: String(ZCASH_MAINNET.protocolVersion), channels: [] },
  };
}

let transport: StreamTransport | undefined;
let stop = new AbortController();
let handshakes = 0;
let failures = 0;
let blocksReceived = 0;

async function serve(conn: Connection): Promise<void> {
  try {
    await conn.handshake(zcashLocalNode(), AbortSignal.timeout(BENCH_HANDSHAKE_TIMEOUT_MS * 2));
    handshakes++;
  } catch {
    // The dialer sends its verack before it hangs up, so a failure here is a real one: it is reported.
    failures++;
    return;
  }
  // Reads (and drops) what the dialer sends, so the priority figure's block stream keeps flowing; the
  // connection itself answers pings.
  try {
    for await (const _m of conn) blocksReceived++;
  } catch {
    // closed by the dialer
  }
}

async function acceptLoop(t: StreamTransport, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let conn: Connection;
    try {
      conn = await t.accept(signal);
    } catch {
      return; // closed or stopped
    }
    serve(conn).catch(() => undefined);
  }
}

export const handlers: SideHandlers = {
  /** Starts listening; returns the port. */
  async listen(): Promise<number> {
    if (transport !== undefined)
      throw new PeerwireError(ErrorCode.InvalidArgument, 'zcash peer already listening');
    stop = new AbortController();
    const t = benchZcashTransport();
    transport = t;
    const endpoint = await t.listen(tcpEndpoint('127.0.0.1', 0));
    acceptLoop(t, stop.signal).catch(() => undefined);
    return endpoint.port;
  },
  /** Inbound handshakes completed and failed so far, and messages read after them. */
  stats(): { handshakes: number; failures: number; blocksReceived: number } {
    return { handshakes, failures, blocksReceived };
  },
  async close(): Promise<void> {
    stop.abort();
    const t = transport;
    transport = undefined;
    await t?.close();
  },
};
