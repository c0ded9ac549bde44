// One end of an in-process link. Its writes go into the outgoing MemoryPipe (shaped by the link's
// faults), its reads come from the peer's pipe. It behaves like a TCP socket where it matters to a
// wire: per-tick batched writes, bounded buffering with backpressure, a graceful end that flushes
// first, an error close that the remote sees as an end of stream, and `cut` (both ends fail with
// ERR_CONNECTION_FAILED, as a reset or a dead route would make them).

import type { Clock } from '../core/clock.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { BaseByteLink } from './base-link.ts';
import type { ResolvedLinkOptions } from './byte-link.ts';
import type { LinkFaults } from './memory-faults.ts';
import { MemoryPipe, type PipeEnd } from './memory-pipe.ts';
import type { Endpoint } from './types.ts';

/** What a link needs from the network it belongs to. */
export interface LinkEnvironment {
  readonly clock: Clock;
  /** Uniform in [0, 1); injectable so loss is reproducible. */
  readonly random: () => number;
  /** The faults in force for this link now. */
  faults(): LinkFaults;
  /** A write unit was discarded by loss. */
  onLoss(bytes: number): void;
}

export class MemoryLink extends BaseByteLink implements PipeEnd {
  private peer!: MemoryLink;
  private out!: MemoryPipe;
  private readonly env: LinkEnvironment;

  private constructor(local: Endpoint, remote: Endpoint, options: ResolvedLinkOptions, env: LinkEnvironment) {
    super(local, remote, options);
    this.env = env;
  }

  /** Creates the two connected ends: [dialer side, listener side]. */
  static pair(
    dialerLocal: Endpoint,
    listenerLocal: Endpoint,
    dialerOptions: ResolvedLinkOptions,
    listenerOptions: ResolvedLinkOptions,
    env: LinkEnvironment,
  ): [MemoryLink, MemoryLink] {
    const a = new MemoryLink(dialerLocal, listenerLocal, dialerOptions, env);
    const b = new MemoryLink(listenerLocal, dialerLocal, listenerOptions, env);
    a.peer = b;
    b.peer = a;
    a.out = new MemoryPipe(env.clock, () => env.faults(), a, b);
    b.out = new MemoryPipe(env.clock, () => env.faults(), b, a);
    return [a, b];
  }

  /** Severs the link now: this end fails with `reason` (the pair's cut() fails both ends). */
  sever(reason: PeerwireError): void {
    this.out.reset();
    this.fail(reason);
  }

  canReceive(): boolean {
    return !this.isClosed && !this.isPaused && this.sink !== undefined;
  }

  receive(chunk: Buffer): void {
    this.deliver(chunk);
  }

  receiveEnd(): void {
    this.fail(
      new PeerwireError(ErrorCode.Closed, 'connection closed by the remote', { action: 'transient' }),
    );
  }

  receiveReset(reason: PeerwireError): void {
    this.fail(reason);
  }

  notifyDrained(): void {
    this.checkDrain();
  }

  protected override admit(bytes: number): boolean {
    const loss = this.env.faults().loss ?? 0;
    if (loss > 0 && this.env.random() < loss) {
      this.env.onLoss(bytes);
      return false;
    }
    return true;
  }

  protected transmit(chunks: readonly Buffer[]): void {
    this.out.push(chunks);
  }

  protected carrierBufferedBytes(): number {
    return this.out.bytes;
  }

  protected startReading(): void {
    this.peer.out.schedulePump();
  }

  protected pauseReading(): void {
    // The peer's pipe checks canReceive() before every chunk.
  }

  protected resumeReading(): void {
    this.peer.out.schedulePump();
  }

  protected endCarrier(): void {
    this.out.end(this.options.lingerMs);
    // We read nothing more: whatever the peer still sends is discarded, as after shutdown(SHUT_RD).
    this.peer.out.reset();
    this.peer.notifyDrained();
  }

  protected destroyCarrier(_reason: PeerwireError): void {
    this.out.reset();
    this.peer.out.reset();
    this.peer.notifyDrained();
    const peer = this.peer;
    if (!peer.isClosed) {
      // The remote sees an end of stream, like a FIN after close(); on the next tick, never re-entering.
      process.nextTick(() => peer.receiveEnd());
    }
  }
}
