// The heartbeat of one connection (docs/protocols/zcash.md §3.6, Zebra send_periodic_heartbeats): the first ping one
// interval (59 s) after the handshake, then one per interval; a late heartbeat delays the later ones
// (no bursts). Each beat reports `update-ping-sent`, sends a Ping with a fresh random nonce through
// the client (which applies the 20 s request timeout; a ping timeout fails the connection), and waits
// at most one interval. A matching pong reports `update-responded` with the round-trip time; other
// pongs are ignored by the matcher. Any error reports through `onFailure`, which ends the connection
// (and sends `update-failed` there, once). Time comes from the injected clock.

import type { Clock, Timer } from '../../core/clock.ts';
import { PeerwireError, toPeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { AddressBookUpdater } from '../wire/peer-events.ts';
import { randomNonce } from '../handshake/nonce-set.ts';
import { ZcashPeerErrorCode } from '../handshake/peer-errors.ts';
import type { ZcashClient } from './zcash-client.ts';

export interface HeartbeatOptions {
  readonly client: ZcashClient;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** The connection's address-book address; undefined: no address-book events (proxy, isolated). */
  readonly bookAddr: string | undefined;
  readonly addressBook: AddressBookUpdater;
  readonly logger: Logger;
  /** The heartbeat failed: the connection must end. */
  readonly onFailure: (error: PeerwireError) => void;
  /** Nonce source (tests may pin it). Default: random. */
  readonly nonce?: () => bigint;
  /** Each answered heartbeat's round trip (ms), for metrics. */
  readonly onRtt?: (rttMs: number) => void;
}

export class Heartbeat {
  private readonly options: HeartbeatOptions;
  private timer: Timer | undefined;
  private stopped = false;
  private beat: AbortController | undefined;
  /** Completed round trips (for tests and status). */
  beats = 0;
  /** The round trip of the last answered heartbeat (ms), for status pages. */
  rttMs: number | undefined;

  constructor(options: HeartbeatOptions) {
    this.options = options;
  }

  /** Schedules the first ping one interval from now (we have just completed the handshake). */
  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.schedule(this.options.intervalMs);
  }

  /** Cancels the timer and any ping in flight. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.beat?.abort();
  }

  private schedule(delayMs: number): void {
    this.timer = this.options.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      void this.tick();
    });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const o = this.options;
    const tickAt = o.clock.now();
    if (o.bookAddr !== undefined)
      o.addressBook.send({ kind: 'update-ping-sent', addr: o.bookAddr, at: tickAt });
    const controller = new AbortController();
    this.beat = controller;
    const guard = o.clock.setTimer(o.intervalMs, () => {
      controller.abort(
        new PeerwireError(ZcashPeerErrorCode.HeartbeatFailed, `no pong within ${o.intervalMs} ms`, {
          action: 'disconnect',
        }),
      );
    });
    try {
      const response = await o.client.request(
        { kind: 'ping', nonce: (o.nonce ?? randomNonce)() },
        controller.signal,
      );
      if (this.stopped) return;
      const rttMs = response.kind === 'pong' ? response.rttMs : 0;
      this.beats++;
      if (response.kind === 'pong') {
        this.rttMs = rttMs;
        o.onRtt?.(rttMs);
      }
      if (o.bookAddr !== undefined) o.addressBook.send({ kind: 'update-responded', addr: o.bookAddr, rttMs });
      // Next beat one interval after this one was due; later if this one ran late.
      this.schedule(Math.max(0, tickAt + o.intervalMs - o.clock.now()));
    } catch (error) {
      if (this.stopped) return;
      const typed = toPeerwireError(error, ZcashPeerErrorCode.HeartbeatFailed);
      o.logger.debug({ code: typed.code, err: typed.message }, 'heartbeat error, shutting down');
      this.stopped = true;
      o.onFailure(
        typed.code === ZcashPeerErrorCode.HeartbeatFailed
          ? typed
          : new PeerwireError(ZcashPeerErrorCode.HeartbeatFailed, `heartbeat failed: ${typed.message}`, {
              action: 'disconnect',
              cause: typed,
            }),
      );
    } finally {
      guard.cancel();
      if (this.beat === controller) this.beat = undefined;
    }
  }
}
