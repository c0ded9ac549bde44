// ZcashClient: Zebra's Client + the request half of its Connection task for one peer. Callers send
// internal requests (requests.ts); one request is in flight at a time (Zebra's capacity-0 channel),
// later ones wait in a small bounded FIFO. The connection offers every received message to
// `onMessage`, which matches it against the pending handler (response-matcher.ts).
//
// Timing (docs/protocols/zcash.md §7): a request that waits for an answer arms REQUEST_TIMEOUT (20 s) through the
// injected clock; a timeout fails that request only (ERR_ZCASH_REQUEST_TIMEOUT), except a ping
// timeout, which fails the whole connection. Each send waits for the link to drain below its
// high-water mark for at most the same time, else the connection fails (ERR_ZCASH_SEND_TIMEOUT).
// A caller that aborts abandons its request: a late answer then arrives unmatched and is handled as
// unsolicited traffic. When the connection fails, the pending and queued requests all reject with
// the same error.

import { abortReason } from '../../core/abort.ts';
import type { Clock, Timer } from '../../core/clock.ts';
import { ErrorCode, PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { OutboundMessage, ZcashMessage } from '../wire/messages.ts';
import { ZcashPeerErrorCode } from '../handshake/peer-errors.ts';
import type { AddressCache } from './address-cache.ts';
import { type Handler, type Outcome, matchMessage, planRequest } from './response-matcher.ts';
import type { ZcashRequest, ZcashResponse } from '../wire/requests.ts';

/** Requests waiting behind the one in flight. The peer set spreads load; more waiting means overload. */
export const DEFAULT_MAX_QUEUED_REQUESTS = 32;

/** What the client needs from its connection. */
export interface ClientHost {
  /** Encodes and queues one message; false when the link is above its high-water mark. */
  sendMessage(message: OutboundMessage): boolean;
  drained(signal: AbortSignal): Promise<void>;
  /** Fails the whole connection (ping timeout, send timeout). */
  fail(error: PeerwireError): void;
  readonly addressCache: AddressCache;
}

export interface ZcashClientOptions {
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly maxQueuedRequests?: number;
  readonly logger: Logger;
  /** Called once per finished request (for metrics), with the request kind and a bounded result. */
  readonly onFinished?: (kind: ZcashRequest['kind'], result: 'ok' | 'error' | 'timeout' | 'aborted') => void;
}

interface Entry {
  readonly request: ZcashRequest;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (response: ZcashResponse) => void;
  readonly reject: (error: PeerwireError) => void;
  onAbort: (() => void) | undefined;
  settled: boolean;
}

interface InFlight {
  readonly entry: Entry;
  readonly handler: Handler;
  readonly timer: Timer;
}

export class ZcashClient {
  private readonly host: ClientHost;
  private readonly options: ZcashClientOptions;
  private readonly maxQueued: number;
  private readonly queue: Entry[] = [];
  private inFlight: InFlight | undefined;
  /** Set once the connection failed or closed: every later request rejects with it. */
  private failure: PeerwireError | undefined;
  private starting = false;

  constructor(host: ClientHost, options: ZcashClientOptions) {
    this.host = host;
    this.options = options;
    this.maxQueued = options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED_REQUESTS;
  }

  /** Requests waiting, including the one in flight. */
  get pending(): number {
    return this.queue.length + (this.inFlight === undefined ? 0 : 1);
  }

  get isClosed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends a request and resolves with its response; rejects with a typed error. */
  request(request: ZcashRequest, signal?: AbortSignal): Promise<ZcashResponse> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new PeerwireError(ErrorCode.QueueFull, `more than ${this.maxQueued} requests queued for this peer`, {
          action: 'transient',
        }),
      );
    }
    return new Promise<ZcashResponse>((resolve, reject) => {
      const entry: Entry = { request, signal, resolve, reject, onAbort: undefined, settled: false };
      if (signal !== undefined) {
        entry.onAbort = () => this.abandon(entry, abortReason(signal));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.queue.push(entry);
      this.pump();
    });
  }

  /**
   * Offers a received message to the pending request. Returns true when the message was part of the
   * answer (the caller must not treat it as unsolicited).
   */
  onMessage(message: ZcashMessage): boolean {
    const current = this.inFlight;
    if (current === undefined) return false;
    const match = matchMessage(current.handler, message, this.host.addressCache, this.options.clock.now());
    if (match.outcome !== undefined) this.finish(current, match.outcome);
    return match.consumed;
  }

  /** Rejects the pending and every queued request with `error`; later requests reject with it too. */
  close(error: PeerwireError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const current = this.inFlight;
    this.inFlight = undefined;
    if (current !== undefined) {
      current.timer.cancel();
      this.settle(current.entry, { error }, 'error');
    }
    for (const entry of this.queue.splice(0)) this.settle(entry, { error }, 'error');
  }

  private pump(): void {
    if (this.starting) return;
    this.starting = true;
    try {
      while (this.inFlight === undefined && this.failure === undefined && this.queue.length > 0) {
        this.start(this.queue.shift()!);
      }
    } finally {
      this.starting = false;
    }
  }

  private start(entry: Entry): void {
    if (entry.settled) return;
    let plan;
    try {
      plan = planRequest(entry.request, this.host.addressCache, this.options.clock.now());
    } catch (error) {
      this.settle(entry, { error: toPeerwireError(error, ErrorCode.InvalidArgument, 'transient') }, 'error');
      return;
    }
    let drainedOk = true;
    try {
      for (const message of plan.send) drainedOk = this.host.sendMessage(message) && drainedOk;
    } catch (error) {
      this.settle(entry, { error: toPeerwireError(error, ErrorCode.Internal, 'transient') }, 'error');
      return;
    }
    if (plan.handler === undefined) {
      const response = plan.immediate ?? { kind: 'nil' };
      if (drainedOk) this.settle(entry, { ok: response }, 'ok');
      else void this.afterDrain(entry, response);
      return;
    }
    if (!drainedOk) void this.afterDrain(undefined, undefined);
    const handler = plan.handler;
    const timer = this.options.clock.setTimer(this.options.requestTimeoutMs, () => this.onTimeout(entry));
    this.inFlight = { entry, handler, timer };
  }

  /** Waits for the send buffer to drain (bounded); a stuck peer fails the connection. */
  private async afterDrain(entry: Entry | undefined, response: ZcashResponse | undefined): Promise<void> {
    const controller = new AbortController();
    const timer = this.options.clock.setTimer(this.options.requestTimeoutMs, () => {
      controller.abort(
        new PeerwireError(
          ZcashPeerErrorCode.SendTimeout,
          `send did not drain within ${this.options.requestTimeoutMs} ms`,
          {
            action: 'disconnect',
          },
        ),
      );
    });
    try {
      await this.host.drained(controller.signal);
      if (entry !== undefined && response !== undefined) this.settle(entry, { ok: response }, 'ok');
    } catch (error) {
      const typed = toPeerwireError(error, ZcashPeerErrorCode.SendTimeout);
      if (entry !== undefined) this.settle(entry, { error: typed }, 'error');
      this.host.fail(typed);
    } finally {
      timer.cancel();
    }
  }

  private onTimeout(entry: Entry): void {
    const current = this.inFlight;
    if (current?.entry !== entry) return;
    this.inFlight = undefined;
    const error = new PeerwireError(
      ZcashPeerErrorCode.RequestTimeout,
      `${entry.request.kind} request got no response within ${this.options.requestTimeoutMs} ms`,
      { action: 'transient' },
    );
    this.settle(entry, { error }, 'timeout');
    if (entry.request.kind === 'ping') {
      // A peer that does not answer pings is gone or hostile: unlike other timeouts, this ends it.
      this.host.fail(
        new PeerwireError(ZcashPeerErrorCode.RequestTimeout, 'ping timed out', {
          action: 'disconnect',
          cause: error,
        }),
      );
      return;
    }
    this.pump();
  }

  private abandon(entry: Entry, error: PeerwireError): void {
    if (entry.settled) return;
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    if (this.inFlight?.entry === entry) {
      this.inFlight.timer.cancel();
      this.inFlight = undefined;
    }
    this.settle(entry, { error }, 'aborted');
    this.pump();
  }

  private finish(current: InFlight, outcome: Outcome): void {
    if (this.inFlight !== current) return;
    this.inFlight = undefined;
    current.timer.cancel();
    this.settle(current.entry, outcome, 'ok' in outcome ? 'ok' : 'error');
    this.pump();
  }

  private settle(entry: Entry, outcome: Outcome, result: 'ok' | 'error' | 'timeout' | 'aborted'): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    this.options.onFinished?.(entry.request.kind, result);
    if ('ok' in outcome) entry.resolve(outcome.ok);
    else entry.reject(outcome.error);
  }
}
