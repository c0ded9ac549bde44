// A Zcash peer connection over any ByteLink, implementing the transport Connection the router uses.
// It is Zebra's handshake + connection task + client in one object, on ConnectionShell's lifecycle
// (states, handshake promise and deadline, early bytes, inbox, pause reasons and the budget's timed
// pause, close and teardown; a decode error anywhere closes through the shell's guard):
//   - handshake(): the Zebra version negotiation (handshake/version-negotiation.ts) under the 3 s
//     deadline, codec limits of 1 KiB until verack; then the codec switches to the negotiated
//     version and 2 MiB, the address book hears `update-connected`, the address cache gets the
//     alternate addresses, the heartbeat starts;
//   - every later message: counted; inventory changes to the collector; `ping` answered internally;
//     `version`/`verack` close the connection; offered to the ZcashClient's pending request; else
//     unsolicited — `addr`/`addrv2` into the address cache, stray `pong` ignored, requests to the
//     InboundService when one is configured, everything else to the router on its channel
//     (channels.ts explains the envelope). Unknown commands are counted and dropped;
//   - decode errors (bad magic, checksum, oversize, parse) close the connection with the codec's
//     typed error, counted.
// Address-book events go only to direct connections' book addresses and happen exactly where Zebra
// sends them: update-connected after the handshake; update-ping-sent / update-responded from the
// heartbeat; one update-failed when an open connection ends (with the peer's services for a stream
// or decode error, without for a heartbeat failure or a shutdown). Zebra may report the same end
// twice (its connection and heartbeat tasks both notice); we send it once.

import type { Clock } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { closedError, ConnectionShell, type ShellState } from '../../transport/connection-shell.ts';
import type { Direction, PeerInfo } from '../../transport/types.ts';
import { decodeFrame, ZcashCodec } from '../wire/codec.ts';
import { InboundBudget, type InboundBudgetOptions } from '../../transport/inbound-budget.ts';
import { COMMAND_LENGTH, HEADER_LENGTH } from '../encoding/constants.ts';
import { ZcashErrorCode } from '../encoding/errors.ts';
import type { Frame } from '../wire/frame-decoder.ts';
import type { OutboundMessage, VersionMessage, ZcashMessage } from '../wire/messages.ts';
import { NODE_NETWORK, type AddrEntry } from '../wire/net-address.ts';
import {
  addressBookAddr,
  alternateAddrs,
  canonicalEndpoint,
  type ConnectedAddr,
  formatPeerAddr,
  transientAddr,
} from '../handshake/connected-addr.ts';
import type { Handshake } from '../handshake/handshake.ts';
import { handshakeFailureOf } from '../handshake/handshake-metrics.ts';
import { duplicateHandshake, ZcashPeerErrorCode } from '../handshake/peer-errors.ts';
import type { NegotiationResult, VersionNegotiation } from '../handshake/version-negotiation.ts';
import { AddressCache } from './address-cache.ts';
import { channelOf, deliveredEnvelope, encodeEnvelope, envelopeFrame, ZCASH_CHANNEL_IDS } from './channels.ts';
import { ConnectionMetrics } from './connection-metrics.ts';
import { Heartbeat } from './heartbeat.ts';
import { inboundRequestFor, InboundQueue } from './inbound-dispatch.ts';
import { inventoryChangeFor } from './inventory-status.ts';
import { SendScheduler, sendClassOf } from './send-scheduler.ts';
import { ZcashClient } from './zcash-client.ts';
import { isIP } from 'node:net';

const CODEC_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ZcashErrorCode));

/**
 * Bytes held from a peer that speaks before our handshake started. Before verack Zebra accepts bodies
 * of at most 1 KiB, so an honest peer's early bytes are one version frame (24 + at most 1024 bytes);
 * 4 KiB tolerates odd chunking and refuses a flood.
 */
const MAX_EARLY_BYTES = 4 * 1024;

export interface ZcashConnectionOptions {
  /** How we reached the peer. Default: OutboundDirect / InboundDirect on the link's remote endpoint. */
  readonly connectedAddr?: ConnectedAddr;
  /** Received bytes queued for the router before the link is paused. Default 1 MiB. */
  readonly receiveBufferBytes?: number;
  /** Requests waiting behind the one in flight. Default 32. */
  readonly maxQueuedRequests?: number;
  /** Per-peer inbound message and byte budget (inbound-budget.ts); false = none. Default none (nodes set ZCASH_INBOUND_BUDGET). */
  readonly inboundBudget?: InboundBudgetOptions | false;
  /** Pace block data by the queueing delay measured with extra pings (send-scheduler.ts). Default true. */
  readonly pacing?: boolean;
  /** Time for the pacer's round trip samples, ms with a fraction. Default performance.now. */
  readonly preciseNow?: () => number;
}

/** What a Zcash handshake tells the router (PeerInfo.wire). */
export interface ZcashPeerWire {
  /** The remote's version message, as received. */
  readonly version: VersionMessage;
  readonly connectedAddr: ConnectedAddr;
  readonly negotiatedVersion: number;
  /** The remote's services, unknown bits dropped. */
  readonly services: bigint;
  /** Request/response access to this peer (Zebra's Client). */
  readonly client: ZcashClient;
}

export class ZcashConnection extends ConnectionShell {
  readonly connectedAddr: ConnectedAddr;
  readonly addressCache: AddressCache;
  private readonly shared: Handshake;
  private readonly clock: Clock;
  private readonly codec: ZcashCodec;
  private readonly metrics: ConnectionMetrics;
  private readonly logger: Logger;
  private readonly bookAddr: string | undefined;
  private readonly transientId: string | undefined;
  private readonly maxQueuedRequests: number | undefined;
  private negotiation: VersionNegotiation | undefined;
  private clientInstance: ZcashClient | undefined;
  private heartbeat: Heartbeat | undefined;
  private inboundQueue: InboundQueue | undefined;
  private result: NegotiationResult | undefined;
  private peerInfo: PeerInfo | undefined;
  private failedSent = false;
  private readonly budget: InboundBudget | undefined;
  private readonly scheduler: SendScheduler;

  constructor(
    link: ByteLink,
    direction: Direction,
    handshake: Handshake,
    options: ZcashConnectionOptions = {},
  ) {
    super(link, direction, {
      ...(options.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: options.receiveBufferBytes }),
      maxMessageBytes: handshake.network.maxBodyLength + COMMAND_LENGTH,
      maxEarlyBytes: MAX_EARLY_BYTES,
      clock: handshake.clock,
    });
    this.shared = handshake;
    this.clock = handshake.clock;
    this.addressCache = new AddressCache(undefined, handshake.random);
    this.connectedAddr =
      options.connectedAddr ??
      (direction === 'outbound'
        ? { kind: 'outbound-direct', addr: link.remoteEndpoint }
        : { kind: 'inbound-direct', addr: link.remoteEndpoint });
    const book = addressBookAddr(this.connectedAddr);
    this.bookAddr = book === undefined ? undefined : formatPeerAddr(book);
    const transient = transientAddr(this.connectedAddr);
    this.transientId = transient === undefined ? undefined : formatPeerAddr(transient);
    this.maxQueuedRequests = options.maxQueuedRequests;
    // Every inbound body becomes a router envelope (one buffer): split bodies are joined as they arrive.
    this.codec = new ZcashCodec({ network: handshake.network, joinSplitBodies: true });
    const codec = this.codec;
    this.scheduler = new SendScheduler(
      link,
      options.pacing === false
        ? undefined
        : {
            nonce: () => handshake.nonce(),
            encode: (nonce) => codec.encode({ command: 'ping', nonce }),
            now: options.preciseNow ?? (() => performance.now()),
          },
    );
    this.metrics = new ConnectionMetrics(handshake.metrics);
    const budget = options.inboundBudget ?? false;
    this.budget = budget === false ? undefined : new InboundBudget(budget, this.clock);
    this.logger = handshake.logger.child({
      component: 'zcash-connection',
      peer: this.transientId ?? 'isolated',
    });
    this.attachLink();
  }

  get rttMs(): number | undefined {
    return this.heartbeat?.rttMs;
  }

  /** Request/response access to the peer; throws before the handshake completed. */
  get client(): ZcashClient {
    if (this.clientInstance === undefined) {
      throw new PeerwireError(ErrorCode.InvalidArgument, 'client used before the handshake completed', {
        action: 'transient',
      });
    }
    return this.clientInstance;
  }

  /** The verified peer info, once the handshake completed. */
  get info(): PeerInfo | undefined {
    return this.peerInfo;
  }

  /** The protocol version in use (ours before the handshake, the negotiated one after). */
  get protocolVersion(): number {
    return this.codec.protocolVersion;
  }

  protected startHandshake(): void {
    const timeoutMs = this.shared.config.handshakeTimeoutMs;
    this.startDeadline(timeoutMs, () => {
      this.shared.handshakeMetrics.failed('timeout');
      this.close(
        new PeerwireError(
          ZcashPeerErrorCode.HandshakeTimeout,
          `zcash handshake did not finish within ${timeoutMs} ms`,
          { action: 'transient' },
        ),
      );
    });
    // A dialer sends its version first; so does Zebra when accepting, but we answer an inbound
    // dialer's first message instead (as zcashd and Bitcoin Core do): a socket that never speaks
    // costs no nonce, no version encoding and no write (docs/protocols/zcash.md §3.1).
    if (this.direction === 'outbound') this.beginNegotiation();
  }

  /** Builds our version (its nonce enters the shared set) and sends it. */
  private beginNegotiation(): VersionNegotiation {
    let negotiation: VersionNegotiation;
    try {
      negotiation = this.shared.negotiation(this.connectedAddr, this.logger);
    } catch (error) {
      this.shared.handshakeMetrics.failed('duplicate-nonce');
      throw toPeerwireError(error, ErrorCode.Internal, 'transient');
    }
    this.negotiation = negotiation;
    this.writeMessage(negotiation.ourVersion);
    return negotiation;
  }

  /**
   * Sends one router message: an envelope (channels.ts) whose command belongs to `channelId`. The
   * header is written in front of the body and both leave as one unit.
   */
  send(channelId: number, bytes: Uint8Array): boolean {
    const refusal = this.sendRefusal();
    if (refusal !== undefined) throw refusal;
    const frame = envelopeFrame(channelId, bytes, {
      magic: this.codec.network.magic,
      maxBodyLength: this.codec.maxBodyLength,
      protocolVersion: this.codec.protocolVersion,
    });
    this.metrics.messageSent(frame.command, frame.bytes);
    return this.scheduler.send(sendClassOf(frame.command), frame.chunks);
  }

  /** Encodes and sends one message (the client, heartbeat and inbound responses use this). */
  sendMessage(message: OutboundMessage): boolean {
    const refusal = this.sendRefusal();
    if (refusal !== undefined) throw refusal;
    return this.writeMessage(message);
  }

  /** Resolves once this connection's queued and buffered bytes are under the link's high-water mark. */
  override drained(signal?: AbortSignal): Promise<void> {
    return this.scheduler.drained(signal);
  }

  override get bufferedBytes(): number {
    return this.link.bufferedBytes + this.scheduler.queuedBytes;
  }

  // ---------------------------------------------------------------- receive path

  protected onBytes(chunk: Buffer): void {
    this.codec.push(chunk);
    this.decodeFrames(chunk.length);
  }

  /** The budget's pause ended: frames left in the codec when the allowance ran out come first. */
  protected override onPauseEnd(): void {
    this.decodeFrames(0);
  }

  /**
   * A decode error (bad magic, checksum, oversize, parse) ends the connection: counted as a codec
   * error, as a failed handshake while handshaking, and reported update-failed with services.
   */
  protected override receiveError(error: unknown): PeerwireError {
    const typed = toPeerwireError(error, ErrorCode.Malformed, 'disconnect');
    if (CODEC_ERROR_CODES.has(typed.code)) this.metrics.codecError(typed.code);
    if (this.state === 'handshaking') this.shared.handshakeMetrics.failed(handshakeFailureOf(typed.code));
    this.reportFailed(true);
    return typed;
  }

  /**
   * Decodes buffered frames, at most the budget's allowance for this turn; the rest stay in the codec
   * while reading is paused, and are decoded when the pause ends (so one 64 KiB chunk of tiny frames
   * never blocks the event loop for long).
   */
  private decodeFrames(bytes: number): void {
    const allowance = this.budget?.turnAllowance() ?? Number.POSITIVE_INFINITY;
    let frames = 0;
    let backlog = false;
    for (;;) {
      if (this.isClosed()) return; // a handler in this loop may have closed it
      if (frames >= allowance) {
        backlog = this.codec.bufferedBytes > 0;
        break;
      }
      const frame = this.codec.nextFrame();
      if (frame === undefined) break;
      frames++;
      this.metrics.bytesReceived(HEADER_LENGTH + frame.bodyLength);
      const message = decodeFrame(frame, this.codec.bodyContext);
      if (this.state === 'handshaking') this.onHandshakeMessage(message);
      else this.onMessage(frame, message);
    }
    this.chargeBudget(frames, bytes, backlog);
  }

  /** Charges decoded frames to the peer's budget: over it, stop reading for a while; a sustained flood closes. */
  private chargeBudget(frames: number, bytes: number, backlog: boolean): void {
    const budget = this.budget;
    if (budget === undefined || this.isClosed()) return;
    const waitMs = budget.charge(frames, bytes, backlog);
    if (budget.flooding()) {
      this.fail(budget.floodError(), true);
      return;
    }
    const pauseMs = backlog ? Math.max(waitMs, budget.msUntilTurn()) : waitMs;
    // Judged when the flood window ends even if the debt would keep the peer paused past it.
    const verdictMs = budget.msUntilVerdict();
    this.pauseReadingFor('budget', verdictMs === undefined ? pauseMs : Math.min(pauseMs, Math.max(1, verdictMs)));
  }

  private onHandshakeMessage(message: ZcashMessage): void {
    if (message.command === 'unknown') this.metrics.unknownCommand();
    const step = (this.negotiation ?? this.beginNegotiation()).receive(message);
    if (step.reply !== undefined) this.writeMessage(step.reply);
    if (step.result !== undefined) this.onHandshakeDone(step.result);
  }

  private onHandshakeDone(result: NegotiationResult): void {
    this.result = result;
    // Frames decoded from now on (even later in this chunk) use the negotiated version and 2 MiB.
    this.codec.completeHandshake(result.negotiatedVersion);
    const remote = result.remote;
    if (this.bookAddr !== undefined) {
      this.shared.addressBookUpdater.send({
        kind: 'update-connected',
        addr: this.bookAddr,
        services: result.remoteServices,
        isInbound: this.direction === 'inbound',
        userAgent: remote.userAgent,
        negotiatedVersion: result.negotiatedVersion,
      });
    }
    this.seedAlternates(remote);
    const client = new ZcashClient(
      {
        sendMessage: (m) => this.sendMessage(m),
        drained: (signal) => this.scheduler.drained(signal),
        fail: (error) => this.fail(error, false),
        addressCache: this.addressCache,
      },
      {
        clock: this.clock,
        requestTimeoutMs: this.shared.config.requestTimeoutMs,
        logger: this.logger,
        onFinished: (kind, res) => this.metrics.request(kind, res),
        ...(this.maxQueuedRequests === undefined ? {} : { maxQueuedRequests: this.maxQueuedRequests }),
      },
    );
    this.clientInstance = client;
    const service = this.shared.inboundService;
    if (service !== undefined) {
      this.inboundQueue = new InboundQueue({
        service,
        peer: { id: this.transientId, negotiatedVersion: result.negotiatedVersion },
        timeoutMs: this.shared.config.requestTimeoutMs,
        clock: this.clock,
        send: (m) => {
          if (this.state === 'open') this.writeMessage(m);
        },
        pause: () => this.pauses.set('inbound-service', true),
        resume: () => this.pauses.set('inbound-service', false),
        logger: this.logger,
        onResult: (r) => this.metrics.inboundRequest(r),
      });
    }
    this.heartbeat = new Heartbeat({
      client,
      clock: this.clock,
      onRtt: (rttMs) => this.metrics.heartbeat(rttMs),
      nonce: () => this.shared.nonce(),
      intervalMs: this.shared.config.heartbeatIntervalMs,
      bookAddr: this.bookAddr,
      addressBook: this.shared.addressBookUpdater,
      logger: this.logger,
      onFailure: (error) => this.fail(error, false),
    });
    this.heartbeat.start();
    const wire: ZcashPeerWire = {
      version: remote,
      connectedAddr: this.connectedAddr,
      negotiatedVersion: result.negotiatedVersion,
      services: result.remoteServices,
      client,
    };
    const info: PeerInfo = {
      id: this.transientId ?? `isolated:${this.negotiation!.ourVersion.nonce.toString(16)}`,
      ...(this.connectedAddr.kind === 'outbound-direct' ? { listenAddress: this.bookAddr! } : {}),
      protocolVersion: String(result.negotiatedVersion),
      channels: ZCASH_CHANNEL_IDS,
      network: this.shared.network.name,
      userAgent: remote.userAgent,
      wire,
    };
    this.peerInfo = info;
    this.logger.debug(
      { version: remote.version, negotiated: result.negotiatedVersion },
      'zcash handshake complete',
    );
    this.completeHandshake(info);
  }

  /** Alternate addresses (docs/protocols/zcash.md §3.4) into the address cache: assumed servers, seen now. */
  private seedAlternates(remote: VersionMessage): void {
    const now = Math.floor(this.clock.now() / 1000);
    const entries: AddrEntry[] = [];
    for (const alt of alternateAddrs(this.connectedAddr, canonicalEndpoint(remote.addrFrom))) {
      if (isIP(alt.host) === 0) continue; // memory endpoints have no wire form
      entries.push({ time: now, services: NODE_NETWORK, ip: alt.host, port: alt.port });
    }
    this.addressCache.add(entries);
  }

  private onMessage(frame: Frame, message: ZcashMessage): void {
    if (message.command === 'unknown') {
      this.metrics.unknownCommand();
      return;
    }
    this.metrics.messageReceived(message.command);
    if (message.command === 'pong' && this.scheduler.onPong(message.nonce)) return; // a pacing probe's
    const change = inventoryChangeFor(message, this.transientId);
    if (change !== undefined) this.shared.inventoryCollector.send(change);
    switch (message.command) {
      case 'version':
      case 'verack':
        this.fail(duplicateHandshake(message.command), false);
        return;
      case 'ping':
        this.writeMessage({ command: 'pong', nonce: message.nonce });
        return;
      default:
        break;
    }
    if (this.clientInstance!.onMessage(message)) return;
    // Unsolicited.
    if (message.command === 'addr' || message.command === 'addrv2') {
      this.addressCache.add(message.addrs);
      return;
    }
    if (message.command === 'pong') return;
    if (this.inboundQueue !== undefined) {
      const request = inboundRequestFor(message);
      if (request !== undefined) {
        this.inboundQueue.offer(request);
        return;
      }
    }
    const channelId = channelOf(message.command);
    if (channelId === undefined) return;
    const envelope = frame.envelope ?? encodeEnvelope(message.command, frame.body);
    this.deliver({ channelId, bytes: deliveredEnvelope(envelope, message, this.codec.network.family) });
  }

  // ---------------------------------------------------------------- send path and endings

  private writeMessage(message: OutboundMessage): boolean {
    const frame = this.codec.encode(message);
    this.metrics.messageSent(message.command, frame.length);
    return this.scheduler.send(sendClassOf(message.command), [frame]);
  }

  /** A graceful close sends what the scheduler still holds; a failure drops it. */
  protected override beforeClose(error: PeerwireError | undefined): PeerwireError | undefined {
    if (error === undefined) this.scheduler.flush();
    return error;
  }

  /** Ends the connection for a failure: `stream` marks stream/decode errors (update-failed with services). */
  private fail(error: PeerwireError, stream: boolean): void {
    if (this.state === 'closed') return;
    if (stream) this.reportFailed(true);
    this.close(error);
  }

  protected override teardown(reason: PeerwireError | undefined, previous: ShellState): void {
    this.scheduler.close();
    this.heartbeat?.stop();
    this.inboundQueue?.close();
    this.clientInstance?.close(reason ?? closedError());
    if (previous === 'open') this.reportFailed(false);
    if (previous === 'handshaking' && reason === undefined) this.shared.handshakeMetrics.failed('closed');
  }

  /** One update-failed per open connection, only for connections with a book address. */
  private reportFailed(withServices: boolean): void {
    if (this.failedSent || this.bookAddr === undefined || this.result === undefined) return;
    this.failedSent = true;
    this.shared.addressBookUpdater.send({
      kind: 'update-failed',
      addr: this.bookAddr,
      ...(withServices ? { services: this.result.remoteServices } : {}),
    });
  }
}
