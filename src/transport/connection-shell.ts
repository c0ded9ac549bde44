// The lifecycle every wire's Connection shares, so a wire supplies only its handshake and its framing.
// The shell owns:
//   - the state machine new → handshaking → open → closed (a wire may keep finer phases of its own
//     inside `handshaking`);
//   - handshake(): the start preconditions, the promise, the caller's signal and a deadline timer;
//   - bytes that arrive before handshake() is called: held (bounded) with the link paused, and
//     replayed when the handshake starts;
//   - the bounded Inbox the consumer iterates; iteration may start before the handshake ends (before
//     the inbox exists, when a wire only learns its message limit during the handshake);
//   - pausing the link for several independent reasons (PauseGate), and timed pauses (a receive rate
//     limit, an inbound budget): one timer per reason on the shell's clock, cancelled by the close;
//   - close(reason) and the remote's end: one teardown hook, the inbox aborted or ended, a pending
//     handshake rejected, timers stopped, the link closed.
// A wire subclasses it, calls attachLink() at the end of its constructor, and implements startHandshake
// (write its first bytes), onBytes (decode while handshaking or open), send, and optionally teardown
// (its own resources) and onPauseEnd (go on decoding what a timed pause held back). Every callback
// into the wire's decoding (link data, replayed early bytes, the end of a timed pause) goes through
// one guard: an exception closes the connection with the typed error receiveError makes of it.

import { abortReason } from '../core/abort.ts';
import { realClock, type Clock, type Timer } from '../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../core/errors.ts';
import type { ByteLink } from './byte-link.ts';
import { Inbox } from './inbox.ts';
import { PauseGate } from './pause-gate.ts';
import type { Connection, Direction, Endpoint, InboundMessage, LocalNode, PeerInfo } from './types.ts';

export type ShellState = 'new' | 'handshaking' | 'open' | 'closed';

export interface ConnectionShellOptions {
  /** Received bytes queued for the consumer before the link is paused. Default: the Inbox's 1 MiB. */
  readonly receiveBufferBytes?: number;
  /**
   * Largest message the wire can deliver, in bytes, when known at construction: the inbox is created
   * at once. Leave it out when the wire learns it during the handshake and calls openInbox().
   */
  readonly maxMessageBytes?: number;
  /** Bytes held before handshake() is called; more closes the connection (ERR_HANDSHAKE_FAILED). */
  readonly maxEarlyBytes: number;
  /** Time source of the handshake deadline. Default: the real clock. */
  readonly clock?: Clock;
}

export abstract class ConnectionShell<Extras = undefined> implements Connection {
  readonly direction: Direction;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  readonly closed: Promise<PeerwireError | undefined>;
  protected readonly link: ByteLink;
  /** Pause reasons of this link ('inbox', 'early', and any the wire adds). */
  protected readonly pauses: PauseGate;
  private readonly shellClock: Clock;
  private readonly receiveBufferBytes: number | undefined;
  private readonly maxEarlyBytes: number;
  private currentState: ShellState = 'new';
  private anyBytes = false;
  private reason: PeerwireError | undefined;
  private settle: { resolve: (info: PeerInfo) => void; reject: (error: PeerwireError) => void } | undefined;
  private callerSignal: AbortSignal | undefined;
  private deadlineTimer: Timer | undefined;
  /** Running timed pauses, by reason (at most a few: one per kind of limit); created on the first. */
  private pauseTimers: Map<string, Timer> | undefined;
  /** Bytes held before handshake(); no array until there are some (none on an idle connection). */
  private early: Buffer[] | undefined;
  private earlyBytes = 0;
  private inbox: Inbox | undefined;
  /** Wakes an iteration that started before the inbox existed (lateIterator); set only while one waits. */
  private inboxWaiter: (() => void) | undefined;
  // Callbacks created when first needed: an idle open connection keeps none of them (BENCHMARKS.md, memory).
  private onCallerAbortFn: (() => void) | undefined;
  private onEarlyBytesFn: ((chunk: Buffer) => void) | undefined;
  private onPauseEndFn: ((reason: string) => void) | undefined;

  protected constructor(link: ByteLink, direction: Direction, options: ConnectionShellOptions) {
    this.link = link;
    this.direction = direction;
    this.localEndpoint = link.localEndpoint;
    this.remoteEndpoint = link.remoteEndpoint;
    this.closed = link.closed;
    this.pauses = new PauseGate(link);
    this.shellClock = options.clock ?? realClock;
    this.receiveBufferBytes = options.receiveBufferBytes;
    this.maxEarlyBytes = options.maxEarlyBytes;
    if (options.maxMessageBytes !== undefined) this.openInbox(options.maxMessageBytes);
  }

  /**
   * Starts receiving from the link. A wire calls it last in its constructor: the link may call back at
   * once (a link that already closed), and the wire's own fields are set only after super() returns.
   */
  protected attachLink(): void {
    this.link.attach({
      onData: (chunk) => this.onLinkData(chunk),
      onClose: (reason) => this.onLinkClose(reason),
    });
  }

  // ---- what a wire supplies ------------------------------------------------------------------------

  /**
   * Prepares the handshake and writes the wire's first bytes. Called once, in state 'handshaking'; a
   * throw closes the connection and rejects handshake() (untyped errors become ERR_INVALID_ARGUMENT).
   */
  protected abstract startHandshake(local: LocalNode, extras: Extras | undefined): void;
  /** Bytes from the link while handshaking or open. A throw closes the connection (receiveError). */
  protected abstract onBytes(chunk: Buffer): void;
  abstract send(channelId: number, bytes: Uint8Array): boolean;

  /** Releases the wire's resources; `previous` is the state before closing. Runs once. */
  protected teardown(_reason: PeerwireError | undefined, _previous: ShellState): void {}

  /** Runs before a local close; may flush and return a different reason. Default: `error`. */
  protected beforeClose(error: PeerwireError | undefined): PeerwireError | undefined {
    return error;
  }

  /** A timed pause of `reason` ended and the link reads again (pauseReadingFor). Default: nothing. */
  protected onPauseEnd(_reason: string): void {}

  /**
   * The typed error a decoding exception closes the connection with. Called once per such exception,
   * right before the close (a wire may count it there).
   */
  protected receiveError(error: unknown): PeerwireError {
    return toPeerwireError(error, ErrorCode.Malformed, 'disconnect');
  }

  /** Bytes that arrive before handshake(). Default: held as they are (holdEarly). */
  protected onEarlyBytes(chunk: Buffer): void {
    this.holdEarly(chunk);
  }

  /** A held item goes here when the handshake starts. Default: onBytes. */
  protected replayEarly(held: Buffer): void {
    this.onBytes(held);
  }

  // ---- state and helpers for the wire --------------------------------------------------------------

  /** True once the remote has sent at least one byte (Connection.heardFrom). */
  get heardFrom(): boolean {
    return this.anyBytes;
  }

  protected get state(): ShellState {
    return this.currentState;
  }

  /** Why the connection closed (undefined while open, or after a close without error). */
  protected get closeReason(): PeerwireError | undefined {
    return this.reason;
  }

  /** Items held before handshake() (diagnostics and tests). */
  get heldEarlyCount(): number {
    return this.early?.length ?? 0;
  }

  get bufferedBytes(): number {
    return this.link.bufferedBytes;
  }

  /** Holds bytes (or a decoded unit) until handshake(), pausing the link; bounded by maxEarlyBytes. */
  protected holdEarly(bytes: Buffer): void {
    this.earlyBytes += bytes.length;
    if (this.earlyBytes > this.maxEarlyBytes) {
      throw new PeerwireError(
        ErrorCode.HandshakeFailed,
        `peer sent over ${this.maxEarlyBytes} bytes before our handshake started`,
        { action: 'disconnect' },
      );
    }
    (this.early ??= []).push(bytes);
    this.pauses.set('early', true);
  }

  /** Creates the inbox once the wire knows its largest message; a pending iteration starts reading it. */
  protected openInbox(maxMessageBytes: number): void {
    if (this.inbox !== undefined || this.currentState === 'closed') return;
    this.inbox = new Inbox(this.pauses.view('inbox'), {
      ...(this.receiveBufferBytes === undefined ? {} : { budgetBytes: this.receiveBufferBytes }),
      maxMessageBytes,
    });
    this.inboxWaiter?.();
  }

  /** Queues a decoded message for the consumer (pauses the link past the inbox budget). */
  protected deliver(message: InboundMessage): void {
    this.inbox!.push(message);
  }

  /**
   * (Re)arms the handshake deadline: `onExpire` runs once after `ms` unless the handshake ends first.
   * No deadline when ms <= 0.
   */
  protected startDeadline(ms: number, onExpire: () => void): void {
    this.clearDeadline();
    if (ms <= 0) return;
    this.deadlineTimer = this.shellClock.setTimer(ms, () => {
      this.deadlineTimer = undefined;
      onExpire();
    });
  }

  /**
   * Stops reading for `ms` under `reason`; then the pause clears and onPauseEnd(reason) runs. No-op
   * for ms <= 0, while a pause of that reason runs, or once closed. The close cancels it.
   */
  protected pauseReadingFor(reason: string, ms: number): void {
    if (ms <= 0 || this.isPausedFor(reason) || this.currentState === 'closed') return;
    this.pauses.set(reason, true);
    const timers = (this.pauseTimers ??= new Map());
    const timer = this.shellClock.setTimer(ms, () => {
      timers.delete(reason);
      if (this.currentState === 'closed') return;
      this.pauses.set(reason, false);
      this.guard(reason, (this.onPauseEndFn ??= (r: string): void => this.onPauseEnd(r)));
    });
    timers.set(reason, timer);
  }

  /** True while a timed pause of `reason` runs. */
  protected isPausedFor(reason: string): boolean {
    return this.pauseTimers?.has(reason) === true;
  }

  /** The handshake succeeded: the connection is open and handshake() resolves with `info`. */
  protected completeHandshake(info: PeerInfo): void {
    if (this.currentState !== 'handshaking') return;
    this.currentState = 'open';
    this.endHandshakeGuards();
    const settle = this.settle;
    this.settle = undefined;
    settle?.resolve(info);
  }

  /** The error send() throws when the connection is not open, or undefined when it is. */
  protected sendRefusal(): PeerwireError | undefined {
    if (this.currentState === 'open') return undefined;
    if (this.currentState === 'closed') return closedError();
    return new PeerwireError(ErrorCode.InvalidArgument, 'send before the handshake completed', {
      action: 'transient',
    });
  }

  // ---- Connection ----------------------------------------------------------------------------------

  handshake(local: LocalNode, signal: AbortSignal, extras?: Extras): Promise<PeerInfo> {
    if (this.currentState === 'closed') return Promise.reject(this.reason ?? closedError());
    if (this.currentState !== 'new') {
      return Promise.reject(
        new PeerwireError(ErrorCode.InvalidArgument, 'handshake already started', { action: 'transient' }),
      );
    }
    if (signal.aborted) {
      const error = abortReason(signal);
      this.close(error);
      return Promise.reject(error);
    }
    this.currentState = 'handshaking';
    const result = new Promise<PeerInfo>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.callerSignal = signal;
    this.onCallerAbortFn = (): void => {
      if (this.callerSignal !== undefined) this.close(abortReason(this.callerSignal));
    };
    signal.addEventListener('abort', this.onCallerAbortFn, { once: true });
    try {
      this.startHandshake(local, extras);
    } catch (error) {
      this.close(toPeerwireError(error, ErrorCode.InvalidArgument, 'transient'));
      return result;
    }
    const early = this.early;
    this.early = undefined;
    this.earlyBytes = 0;
    const replay = (held: Buffer): void => this.replayEarly(held);
    for (const held of early ?? []) {
      if (this.isClosed()) break;
      this.guard(held, replay);
    }
    this.pauses.set('early', false);
    return result;
  }

  drained(signal?: AbortSignal): Promise<void> {
    return this.link.drained(signal);
  }

  /**
   * Closes the connection (idempotent). Without an error the wire may flush what it accepted first
   * (beforeClose) and the link flushes before ending; with an error unsent bytes are discarded. Either
   * way queued inbound messages are dropped and a pending handshake() rejects. `holdMs` (with an
   * error): the link may keep the socket open, unread, that long (ByteLink.close), a quiet refusal.
   */
  close(error?: PeerwireError, holdMs?: number): void {
    if (this.currentState === 'closed') return;
    const reason = this.beforeClose(error);
    this.finish(reason);
    this.inbox?.abort(reason);
    this.rejectHandshake(reason);
    this.link.close(reason, holdMs);
  }

  [Symbol.asyncIterator](): AsyncIterator<InboundMessage> {
    if (this.inbox !== undefined) return this.inbox[Symbol.asyncIterator]();
    return this.lateIterator();
  }

  // ---- internals -----------------------------------------------------------------------------------

  private readonly onBytesBound = (chunk: Buffer): void => this.onBytes(chunk);

  private onLinkData(chunk: Buffer): void {
    this.anyBytes = true;
    switch (this.currentState) {
      case 'closed':
        return;
      case 'new':
        this.guard(chunk, (this.onEarlyBytesFn ??= (c: Buffer): void => this.onEarlyBytes(c)));
        return;
      default:
        this.guard(chunk, this.onBytesBound);
    }
  }

  /** Re-reads the state after calls that may have closed the connection (defeats type narrowing). */
  protected isClosed(): boolean {
    return this.currentState === 'closed';
  }

  /** Runs decoding work; an exception closes the connection with the wire's typed reason. */
  private guard<T>(input: T, work: (input: T) => void): void {
    try {
      work(input);
    } catch (error) {
      this.close(this.receiveError(error));
    }
  }

  private onLinkClose(reason: PeerwireError | undefined): void {
    if (this.currentState === 'closed') return;
    this.finish(reason);
    this.inbox?.end(reason);
    this.rejectHandshake(reason);
  }

  /** The common part of both endings: state, reason, guards, held bytes, the wire's teardown. */
  private finish(reason: PeerwireError | undefined): void {
    const previous = this.currentState;
    this.currentState = 'closed';
    this.reason = reason;
    this.endHandshakeGuards();
    for (const timer of this.pauseTimers?.values() ?? []) timer.cancel();
    this.pauseTimers = undefined;
    this.early = undefined;
    this.earlyBytes = 0;
    this.teardown(reason, previous);
    this.inboxWaiter?.();
  }

  private endHandshakeGuards(): void {
    this.clearDeadline();
    const signal = this.callerSignal;
    if (signal === undefined) return;
    this.callerSignal = undefined;
    if (this.onCallerAbortFn !== undefined) signal.removeEventListener('abort', this.onCallerAbortFn);
    this.onCallerAbortFn = undefined;
    this.onEarlyBytesFn = undefined;
  }

  private clearDeadline(): void {
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
  }

  private rejectHandshake(reason: PeerwireError | undefined): void {
    const settle = this.settle;
    if (settle === undefined) return;
    this.settle = undefined;
    settle.reject(reason ?? closedError());
  }

  /** Iteration started before the inbox exists: wait for it (or for the close). */
  private async *lateIterator(): AsyncGenerator<InboundMessage> {
    if (this.inbox === undefined && this.currentState !== 'closed') {
      await new Promise<void>((resolve) => {
        this.inboxWaiter = resolve;
      });
      this.inboxWaiter = undefined;
    }
    if (this.inbox === undefined) {
      if (this.reason !== undefined) throw this.reason;
      return;
    }
    yield* this.inbox;
  }
}

export function closedError(): PeerwireError {
  return new PeerwireError(ErrorCode.Closed, 'connection closed', { action: 'transient' });
}
