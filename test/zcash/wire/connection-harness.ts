// Test harness for the Zcash connection layer: our ZcashConnection on one end of a memory link and a
// scripted raw peer on the other, which speaks frames through its own ZcashCodec. Also small test
// doubles for the address-book updater, the inventory collector and the inbound service that record
// what they receive.

import type { ManualClock } from '../../../src/core/clock.ts';
import type { ByteLink } from '../../../src/transport/byte-link.ts';
import { MemoryCarrier } from '../../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../../src/transport/memory-network.ts';
import { ZcashCodec } from '../../../src/zcash/wire/codec.ts';
import type { OutboundMessage, VersionMessage, ZcashMessage } from '../../../src/zcash/wire/messages.ts';
import { ZCASH_REGTEST, type NetworkParams } from '../../../src/zcash/params/network-params.ts';
import type {
  AddressBookUpdater,
  InventoryChange,
  InventoryCollector,
  MetaAddrChange,
} from '../../../src/zcash/wire/peer-events.ts';
import {
  ZcashConnection,
  type ZcashConnectionOptions,
} from '../../../src/zcash/connection/zcash-connection.ts';
import type {
  InboundService,
  ZcashRequest,
  ZcashResponse,
} from '../../../src/zcash/wire/requests.ts';
import {
  Handshake,
  type HandshakeConfig,
  type HandshakeBuilder,
} from '../../../src/zcash/handshake/handshake.ts';
import { localNode } from '../../transport/compliance.ts';
import type { PeerInfo } from '../../../src/transport/types.ts';
import { waitFor } from '../../helpers/wait.ts';

export const LONG_MS = 30_000;

export class RecordingAddressBook implements AddressBookUpdater {
  readonly changes: MetaAddrChange[] = [];
  send(change: MetaAddrChange): void {
    this.changes.push(change);
  }
  kinds(): string[] {
    return this.changes.map((c) => c.kind);
  }
}

export class RecordingInventory implements InventoryCollector {
  readonly changes: InventoryChange[] = [];
  send(change: InventoryChange): void {
    this.changes.push(change);
  }
}

export class RecordingInboundService implements InboundService {
  readonly requests: ZcashRequest[] = [];
  respond: (request: ZcashRequest) => ZcashResponse | Promise<ZcashResponse> = () => ({ kind: 'nil' });
  async handle(request: ZcashRequest): Promise<ZcashResponse> {
    this.requests.push(request);
    return this.respond(request);
  }
}

/** The far end: a bare link that sends and receives whole Zcash messages. */
export class RawPeer {
  readonly link: ByteLink;
  readonly codec: ZcashCodec;
  readonly received: ZcashMessage[] = [];
  ended = false;
  error: unknown;

  constructor(link: ByteLink, network: NetworkParams) {
    this.link = link;
    this.codec = new ZcashCodec({ network });
    link.attach({
      onData: (chunk) => {
        try {
          this.codec.push(chunk);
          for (let m = this.codec.next(); m !== undefined; m = this.codec.next()) this.received.push(m);
        } catch (error) {
          this.error = error;
        }
      },
      onClose: () => {
        this.ended = true;
      },
    });
  }

  send(message: OutboundMessage): void {
    this.link.write(this.codec.encode(message));
  }

  sendRaw(bytes: Uint8Array): void {
    this.link.write(bytes);
  }

  /** Waits for and removes the first received message with `command`. */
  async next(command: ZcashMessage['command'], timeoutMs = LONG_MS): Promise<ZcashMessage> {
    await waitFor(
      () => this.received.some((m) => m.command === command),
      `raw peer to receive ${command}`,
      timeoutMs,
    );
    const index = this.received.findIndex((m) => m.command === command);
    return this.received.splice(index, 1)[0]!;
  }

  count(command: string): number {
    return this.received.filter((m) => m.command === command).length;
  }
}

export function peerVersion(overrides: Partial<VersionMessage> = {}): VersionMessage {
  return {
    command: 'version',
    version: 170160,
    services: 1n,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: { services: 1n, ip: '127.0.0.1', port: 18233 },
    addrFrom: { services: 1n, ip: '127.0.0.9', port: 18233 },
    nonce: 0x1234_5678_9abc_def0n,
    userAgent: '/Zebra:6.3.0/',
    startHeight: 0,
    relay: true,
    ...overrides,
  };
}

export interface PairOptions extends ZcashConnectionOptions {
  readonly direction?: 'inbound' | 'outbound';
  readonly network?: NetworkParams;
  readonly config?: Partial<HandshakeConfig>;
  readonly clock?: ManualClock;
  /** Extra builder settings. */
  readonly build?: (builder: HandshakeBuilder) => HandshakeBuilder;
}

export interface Pair {
  readonly conn: ZcashConnection;
  readonly raw: RawPeer;
  readonly handshake: Handshake;
  readonly book: RecordingAddressBook;
  readonly inventory: RecordingInventory;
  close(): Promise<void>;
}

export async function makePair(options: PairOptions = {}): Promise<Pair> {
  const network = options.network ?? ZCASH_REGTEST;
  const book = new RecordingAddressBook();
  const inventory = new RecordingInventory();
  let builder = Handshake.builder()
    .withConfig({ network, ...options.config })
    .withAddressBookUpdater(book)
    .withInventoryCollector(inventory)
    .withAdvertisedServices(1n)
    .withUserAgent('/peerwire:test/');
  if (options.clock !== undefined) builder = builder.withClock(options.clock);
  if (options.build !== undefined) builder = options.build(builder);
  const handshake = builder.finish();
  const net = new MemoryNetwork();
  const ours = new MemoryCarrier(net, { name: 'us' });
  const theirs = new MemoryCarrier(net, { name: 'them' });
  const direction = options.direction ?? 'outbound';
  const signal = AbortSignal.timeout(LONG_MS);
  let ourLink: ByteLink;
  let rawLink: ByteLink;
  if (direction === 'outbound') {
    await theirs.listen({ protocol: 'memory', host: 'them', port: 0 });
    [ourLink, rawLink] = await Promise.all([
      ours.dial({ protocol: 'memory', host: 'them', port: 0 }, signal),
      theirs.accept(signal),
    ]);
  } else {
    await ours.listen({ protocol: 'memory', host: 'us', port: 0 });
    [rawLink, ourLink] = await Promise.all([
      theirs.dial({ protocol: 'memory', host: 'us', port: 0 }, signal),
      ours.accept(signal),
    ]);
  }
  const raw = new RawPeer(rawLink, network);
  const conn = new ZcashConnection(ourLink, direction, handshake, options);
  return {
    conn,
    raw,
    handshake,
    book,
    inventory,
    close: async () => {
      conn.close();
      await ours.close();
      await theirs.close();
    },
  };
}

/** Runs a full handshake with the raw peer answering as a well-behaved Zebra-like node. */
export async function handshakeWith(pair: Pair, version: VersionMessage = peerVersion()): Promise<PeerInfo> {
  const info = pair.conn.handshake(localNode('zcash'), AbortSignal.timeout(LONG_MS));
  // A dialed connection sends its version first; an accepting one waits for ours (the dialer's).
  if (pair.conn.direction === 'inbound') {
    pair.raw.send(version);
    await pair.raw.next('version');
  } else {
    await pair.raw.next('version');
    pair.raw.send(version);
  }
  await pair.raw.next('verack');
  pair.raw.send({ command: 'verack' });
  const result = await info;
  pair.raw.codec.completeHandshake(Math.min(version.version, 170160));
  return result;
}

export { localNode };
