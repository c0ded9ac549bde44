// A Connection speaking the CometBFT p2p wire over any ByteLink (docs/protocols/cometbft.md §1-4): the
// SecretConnection handshake (our ephemeral key written at once), then both NodeInfos sent and read
// concurrently, each phase under its own deadline, then the MConnection multiplexer. This class is the
// thin I/O shell around the sans-I/O parts (SecretConnectionHandshake, SecretSession, MConnectionCore);
// the lifecycle (states, handshake promise, early bytes, inbox, pause reasons, close) is ConnectionShell's.
//
// Receive: link chunk -> session.openEach (one bound callback, no closure per chunk) -> the NodeInfo
// reader, then core.receiveBytes -> the Inbox the consumer iterates (which pauses the link when the
// consumer lags; a receive rate limit pauses it too). Send: mconnection-pump.ts (one flush per tick,
// one sealed buffer per write, backpressure from the channel queues and the link). Nothing is sent
// on a channel the peer did not advertise: such messages are dropped and counted (Go's Peer.Send
// refuses them the same way), so a reactor can never get us disconnected for it.
//
// Errors: a packet on a channel we did not advertise (ERR_UNKNOWN_CHANNEL), a malformed or oversized
// packet, a message over a channel's capacity (ERR_FRAME_TOO_LARGE), a failed frame or an exhausted
// nonce counter, a missing pong: each closes the connection with its typed error.

import { realClock, type Clock } from '../../core/clock.ts';
import { InboundBudget, type InboundBudgetOptions } from '../../transport/inbound-budget.ts';
import type { RandomBytes } from '../../core/random.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { Counter, Metrics } from '../../core/metrics.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { ConnectionShell } from '../../transport/connection-shell.ts';
import type { ChannelScheduler, Direction, LocalNode, PeerInfo } from '../../transport/types.ts';
import { RESOLVED } from './drain-waiters.ts';
import type { DelimitedReader } from './mconnection/delimited-reader.ts';
import { MConnectionCore } from './mconnection/mconnection-core.ts';
import { MConnectionPump, mapWireError } from './mconnection-pump.ts';
import {
  acceptRemote,
  buildLocalNodeInfo,
  mconnDescriptors,
  type NodeInfoOptions,
} from './node-info-exchange.ts';
import { encodeNodeInfoDelimited, nodeInfoReader, readNodeInfo, type NodeInfo } from './node-info.ts';
import { SecretConnectionHandshake } from './secret-connection/handshake.ts';
import { frameAeadSettled, loadFrameAead } from './secret-connection/frame-aead.ts';
import { SEALED_FRAME_BYTES } from './secret-connection/frame-format.ts';
import { X25519_KEY_BYTES } from './secret-connection/key-schedule.ts';
import type { SecretSession } from './secret-connection/session.ts';

/** Milliseconds with a sub-millisecond fraction, from an arbitrary origin (differences only). */
const monotonicMs = (): number => performance.now();

/** CometBFT's hard-coded SecretConnection handshake deadline: 3 s (docs/protocols/cometbft.md §1.8). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 3_000;
/** CometBFT's separate NodeInfo exchange deadline: another 3 s (docs/protocols/cometbft.md §1.8, §4.2). */
export const DEFAULT_NODE_INFO_TIMEOUT_MS = 3_000;
/**
 * Bytes a peer may send before we called handshake(). An honest peer sends only its 35-byte ephemeral
 * key until it has ours; 4 KiB tolerates odd chunking and refuses a flood.
 */
const MAX_EARLY_BYTES = 4 * 1024;
/**
 * The inbox's hard limit is sized for at least a message this large (the Inbox default, 4 MiB), even
 * when every channel's capacity is smaller: the limit only guards against a carrier that ignores pause.
 */
const MIN_INBOX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** A graceful close writes what is queued, up to this many high-water marks beyond what is buffered. */
const GRACEFUL_FLUSH_MARKS = 4;

export interface CometbftConnectionOptions extends NodeInfoOptions {
  /** SecretConnection handshake deadline, ms (also bounded by handshake()'s signal). Default 3000. */
  readonly handshakeTimeoutMs?: number;
  /** NodeInfo exchange deadline after it, ms. Default 3000. */
  readonly nodeInfoTimeoutMs?: number;
  /** Received bytes queued for the consumer before the link is paused. Default 1 MiB. */
  readonly receiveBufferBytes?: number;
  /** Send rate limit in bytes/s (CometBFT p2p.send_rate; 5,120,000 in its config). Default: off. */
  readonly sendRate?: number;
  /** Receive rate limit in bytes/s (CometBFT p2p.recv_rate). Default: off. */
  readonly recvRate?: number;
  /** Per-peer inbound packet budget (inbound-budget.ts), pings included. Default: off. */
  readonly inboundBudget?: InboundBudgetOptions;
  /** Interval between our pings, ms. Default 60,000 (CometBFT). */
  readonly pingIntervalMs?: number;
  /** Pong deadline after our ping, ms. Default 45,000 (CometBFT). */
  readonly pongTimeoutMs?: number;
  /** Time source for keep-alive and rate limits. Default: the real clock. */
  readonly clock?: Clock;
  /**
   * SIMULATION ONLY: where each handshake's 32-byte X25519 ephemeral private key comes from, so a
   * seeded run replays byte for byte. Default: a fresh key from node:crypto (forward secrecy needs it).
   */
  readonly ephemeralKeys?: RandomBytes;
  /**
   * Pace data by the queueing delay measured with extra pings (src/transport/send-pacer.ts), so priority
   * channels overtake bulk ones on a saturated link. Default true; false writes as fast as the link
   * takes (up to its low-water mark).
   */
  readonly pacing?: boolean;
}

/** Counters shared by every connection of one wire. */
export interface CometbftConnectionMetrics {
  /** peerwire_cometbft_send_dropped_total{reason}: messages send() refused to put on the wire. */
  readonly dropped: Counter;
  /** Passed to each MConnectionCore (peerwire_mconn_* counters); undefined for none. */
  readonly core: Metrics | undefined;
}

/** Where the handshake is, inside the shell's 'handshaking' state. */
type Phase = 'secret' | 'nodeinfo' | 'mconnection';

/** Extra handshake input a direct caller may give (the router checks the dialed ID itself). */
export interface HandshakeExtras {
  /** The node ID we dialed: a different authenticated ID fails the handshake (docs/protocols/cometbft.md §1.9). */
  readonly dialedId?: string;
}

export class CometbftConnection extends ConnectionShell<HandshakeExtras> {
  private readonly options: CometbftConnectionOptions;
  private readonly metrics: CometbftConnectionMetrics;
  private readonly clock: Clock;
  private phase: Phase = 'secret';
  // handshake
  private dialedId: string | undefined;
  private secret: SecretConnectionHandshake | undefined;
  private session: SecretSession | undefined;
  private ours: NodeInfo | undefined;
  private reader: DelimitedReader | undefined;
  private local: LocalNode | undefined;
  // open
  private core: MConnectionCore | undefined;
  private pump: MConnectionPump | undefined;
  private peerChannels: ReadonlySet<number> = new Set();
  private localChannels: ReadonlySet<number> = new Set();
  private budget: InboundBudget | undefined;
  /** Received bytes not yet opened: the turn's packet allowance ran out (openWithinTurn). */
  private unopened: Buffer | undefined;
  private scheduler: ChannelScheduler | undefined;
  // bound once, so the data path creates no closures
  private readonly onFrameData = (data: Uint8Array): void => this.onPlaintext(data);
  private readonly onPumpFailure = (error: PeerwireError): void => this.close(error);

  constructor(
    link: ByteLink,
    direction: Direction,
    options: CometbftConnectionOptions,
    metrics: CometbftConnectionMetrics,
  ) {
    const clock = options.clock ?? realClock;
    super(link, direction, {
      ...(options.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: options.receiveBufferBytes }),
      maxEarlyBytes: MAX_EARLY_BYTES,
      clock,
    });
    this.options = options;
    this.metrics = metrics;
    this.clock = clock;
    this.attachLink();
  }

  get rttMs(): number | undefined {
    return this.core?.rttMs;
  }

  /**
   * MConnection decides priority across channels, packet by packet; the router only moves each
   * channel's messages down while that channel has room (one scheduler per connection).
   */
  get channelScheduler(): ChannelScheduler {
    // Made on first use (the router asks once per peer): an object and two closures less per
    // connection that no router drives (BENCHMARKS.md, memory per idle connection).
    return (this.scheduler ??= {
      hasRoom: (channelId) => {
        // Before the handshake, after close, or on a channel either side lacks, send() answers at once
        // (a typed error, or a counted drop): never make the caller wait for room there.
        if (this.pump === undefined || this.state === 'closed') return true;
        if (!this.peerChannels.has(channelId) || !this.localChannels.has(channelId)) return true;
        return this.pump.hasRoom(channelId);
      },
      roomFreed: () => this.pump?.roomFreed() ?? RESOLVED,
    });
  }

  /** The established SecretConnection session, once the handshake got that far (diagnostics, tests). */
  get secretSession(): SecretSession | undefined {
    return this.session;
  }

  // ---- handshake ------------------------------------------------------------------------------------

  /**
   * The first handshake of the process waits for libsodium's AEAD to load (frame-aead.ts, once, tens
   * of ms); later ones start at once. Bytes a peer sends meanwhile wait as early bytes.
   */
  override handshake(local: LocalNode, signal: AbortSignal, extras?: HandshakeExtras): Promise<PeerInfo> {
    if (frameAeadSettled()) return super.handshake(local, signal, extras);
    return loadFrameAead().then(() => super.handshake(local, signal, extras));
  }

  protected startHandshake(local: LocalNode, extras: HandshakeExtras | undefined): void {
    this.ours = buildLocalNodeInfo(local, this.options);
    const descriptors = mconnDescriptors(local);
    this.local = local;
    this.localChannels = new Set(descriptors.map((d) => d.id));
    const largest = descriptors.reduce((max, d) => Math.max(max, d.recvMessageCapacity ?? 0), 0);
    this.openInbox(Math.max(largest, MIN_INBOX_MESSAGE_BYTES));
    this.dialedId = extras?.dialedId;
    this.phase = 'secret';
    this.startPhaseDeadline(
      this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      'secret connection handshake',
    );
    // A dialer's ephemeral key goes out at once, before reading anything (Go does the same). An
    // accepting side waits for the dialer's key first (every dialer sends without waiting), so a
    // silent socket costs it no key generation (docs/protocols/cometbft.md §1.8).
    if (this.direction === 'outbound') this.startSecret();
  }

  /** Generates our ephemeral key pair and writes its message. */
  private startSecret(): SecretConnectionHandshake {
    const secret = new SecretConnectionHandshake({
      nodeKey: this.local!.key,
      ...(this.options.ephemeralKeys === undefined
        ? {}
        : { ephemeralPrivateKey: this.options.ephemeralKeys(X25519_KEY_BYTES) }),
    });
    this.secret = secret;
    this.link.write(secret.start());
    return secret;
  }

  private startPhaseDeadline(ms: number, what: string): void {
    this.startDeadline(ms, () => {
      this.close(
        new PeerwireError(ErrorCode.Timeout, `${what} timed out after ${ms} ms`, { action: 'transient' }),
      );
    });
  }

  private onSecretBytes(chunk: Uint8Array): void {
    const step = (this.secret ?? this.startSecret()).receive(chunk);
    if (step.send !== undefined) this.link.write(step.send);
    if (step.done === undefined) return;
    const session = step.done;
    this.secret = undefined;
    this.session = session;
    this.reader = nodeInfoReader();
    this.phase = 'nodeinfo';
    this.startPhaseDeadline(
      this.options.nodeInfoTimeoutMs ?? DEFAULT_NODE_INFO_TIMEOUT_MS,
      'node info exchange',
    );
    // Ours goes out without waiting for theirs: two peers that both read first would deadlock (§4.2).
    this.link.write(session.seal([encodeNodeInfoDelimited(this.ours!)]));
    for (const data of step.data ?? []) this.onPlaintext(data);
  }

  /** Decrypted stream bytes: the remote NodeInfo first, then MConnection packets. */
  private onPlaintext(data: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.phase === 'mconnection') {
      this.receivePackets(data);
      return;
    }
    const reader = this.reader!;
    reader.push(data.slice()); // `data` is the opener's transient view; the reader keeps what it is given
    const theirs = readNodeInfo(reader);
    if (theirs === undefined) return;
    const rest = reader.takeRemaining();
    this.reader = undefined;
    this.openMConnection(theirs);
    for (const bytes of rest) this.receivePackets(bytes);
  }

  private openMConnection(theirs: NodeInfo): void {
    const session = this.session!;
    const info = acceptRemote(this.ours!, theirs, session.remotePublicKey, {
      authenticatedId: session.remoteNodeId,
      ...(this.dialedId === undefined ? {} : { dialedId: this.dialedId }),
      memoryListenAddresses: this.options.memoryListenAddresses === true,
    });
    this.core = new MConnectionCore({
      channels: mconnDescriptors(this.local!),
      clock: this.clock,
      ...(this.options.sendRate === undefined ? {} : { sendRate: this.options.sendRate }),
      ...(this.options.recvRate === undefined ? {} : { recvRate: this.options.recvRate }),
      ...(this.options.pingIntervalMs === undefined ? {} : { pingIntervalMs: this.options.pingIntervalMs }),
      ...(this.options.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: this.options.pongTimeoutMs }),
      ...(this.metrics.core === undefined ? {} : { metrics: this.metrics.core }),
      pacing: this.options.pacing !== false,
      // Round trips on loopback are ~100 us: the pacer needs a sub-millisecond clock. A test's manual
      // clock stays the only time source, so runs under it remain deterministic.
      ...(this.options.clock === undefined ? { preciseNow: monotonicMs } : {}),
    });
    if (this.options.inboundBudget !== undefined) this.budget = new InboundBudget(this.options.inboundBudget, this.clock);
    this.peerChannels = new Set(theirs.channels);
    this.phase = 'mconnection';
    // Handshake-only state goes now, not at close: our NodeInfo alone is about 0.4 KiB per connection.
    this.local = undefined;
    this.ours = undefined;
    this.dialedId = undefined;
    this.pump = new MConnectionPump(this.core, session, this.link, this.clock, this.onPumpFailure);
    this.completeHandshake(info);
  }

  // ---- receiving ------------------------------------------------------------------------------------

  protected onBytes(chunk: Buffer): void {
    if (this.phase === 'secret') {
      this.onSecretBytes(chunk);
      return;
    }
    if (this.unopened !== undefined) {
      // Reading is paused while bytes wait; a chunk the link had already read goes behind them.
      this.unopened = Buffer.concat([this.unopened, chunk]);
      return;
    }
    this.openWithinTurn(chunk);
  }

  /**
   * Opens and decodes `chunk`. Under a packet budget, at most a turn's allowance of packets: frames are
   * opened one at a time until the allowance is spent, and the rest waits (reading paused) until the
   * budget allows the next turn (onPauseEnd). One 64 KiB read can hold ~20,000 pings; decoding them
   * all in one turn kept every other peer waiting (the Zcash wire caps its turns the same way).
   * `held`: the bytes were left over by an earlier turn, so the peer is still over its budget even
   * when this turn ends them (with a partial frame the allowance may look unused).
   */
  private openWithinTurn(chunk: Buffer, held = false): void {
    const session = this.session!;
    const core = this.core;
    const packetsBefore = core?.packetsReceived ?? 0;
    const allowance =
      this.budget === undefined || core === undefined ? Number.POSITIVE_INFINITY : this.budget.turnAllowance();
    let opened = chunk.length;
    if (allowance === Number.POSITIVE_INFINITY) {
      session.openEach(chunk, this.onFrameData);
    } else {
      opened = 0;
      // Each slice of one sealed frame's length completes at most one frame (a partial one carries over).
      while (opened < chunk.length && core!.packetsReceived - packetsBefore < allowance) {
        const end = Math.min(chunk.length, opened + SEALED_FRAME_BYTES);
        session.openEach(chunk.subarray(opened, end), this.onFrameData);
        opened = end;
        if (this.isClosed()) return;
      }
      if (opened < chunk.length) this.unopened = chunk.subarray(opened);
    }
    if (this.phase !== 'mconnection' || this.state !== 'open') return;
    // A received ping owes a pong, written ahead of data even when we have nothing else to send.
    if (this.core!.hasPendingSend()) this.pump!.kick();
    this.checkRecvRate(this.core!.packetsReceived - packetsBefore, opened, held || this.unopened !== undefined);
  }

  protected override receiveError(error: unknown): PeerwireError {
    return mapWireError(error);
  }

  private receivePackets(data: Uint8Array): void {
    const messages = this.core!.receiveBytes(data, true);
    for (let i = 0; i < messages.length; i++) this.deliver(messages[i]!);
  }

  /**
   * Stops reading while the receive rate or the packet budget is exceeded; a sustained flood throws.
   * `backlog`: bytes wait unopened because the turn's allowance ran out, or this turn ended such bytes
   * (the peer counts as over its budget; reading resumes a turn later at the soonest).
   */
  private checkRecvRate(packets: number, bytes: number, backlog: boolean): void {
    let waitMs = this.core!.recvPauseMs();
    const budget = this.budget;
    if (budget !== undefined) {
      // A read that completed no packet (part of a sealed frame) says nothing about the peer's pace:
      // charged as backlog, it cannot end a flood streak (TCP splits frames anywhere).
      waitMs = Math.max(waitMs, budget.charge(packets, bytes, backlog || packets === 0));
      if (budget.flooding()) throw budget.floodError();
      if (backlog) waitMs = Math.max(waitMs, budget.msUntilTurn());
      // A pause that outlasts the flood window ends when the verdict is due (onPauseEnd), so a
      // flooder whose debt alone would keep it paused past the window is judged then.
      const verdictMs = budget.msUntilVerdict();
      if (verdictMs !== undefined) waitMs = Math.min(waitMs, Math.max(1, verdictMs));
    }
    this.pauseReadingFor('rate', waitMs);
  }

  /**
   * The rate pause ended: a peer still over its budget when its flood window closed is cut off;
   * otherwise bytes left unopened by the last turn come first.
   */
  protected override onPauseEnd(): void {
    if (this.budget?.flooding() === true) {
      this.close(this.budget.floodError());
      return;
    }
    const waiting = this.unopened;
    if (waiting === undefined) return;
    this.unopened = undefined;
    this.openWithinTurn(waiting, true);
  }

  // ---- sending --------------------------------------------------------------------------------------

  send(channelId: number, bytes: Uint8Array): boolean {
    const refusal = this.sendRefusal();
    if (refusal !== undefined) throw refusal;
    const pump = this.pump!;
    if (this.peerChannels.has(channelId) && this.localChannels.has(channelId))
      return pump.send(channelId, bytes);
    this.metrics.dropped.inc({
      reason: this.localChannels.has(channelId) ? 'peer-lacks-channel' : 'not-local',
    });
    return pump.writable;
  }

  override drained(signal?: AbortSignal): Promise<void> {
    if (this.pump !== undefined) return this.pump.drained(signal);
    if (this.state === 'closed' || this.link.bufferedBytes < this.link.writeHighWaterMark) return RESOLVED;
    return this.link.drained(signal);
  }

  // ---- closing --------------------------------------------------------------------------------------

  /** A close without error first writes what send() accepted (bounded); the stream ends after it. */
  protected override beforeClose(error: PeerwireError | undefined): PeerwireError | undefined {
    if (error !== undefined || this.pump === undefined) return error;
    try {
      this.pump.flushForClose(GRACEFUL_FLUSH_MARKS);
      return undefined;
    } catch (flushError) {
      return mapWireError(flushError);
    }
  }

  protected override teardown(reason: PeerwireError | undefined): void {
    if (this.pump !== undefined) this.pump.stop(reason);
    else this.core?.close(reason);
    this.secret = undefined;
    this.reader = undefined;
    this.local = undefined;
  }
}
