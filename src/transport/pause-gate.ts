// A link is paused while any of its users asks for it: the inbox when the consumer lags, a receive
// rate limit, bytes held before the handshake, a Zcash inbound-request queue that is full. Each user
// names its reason; the link pauses when the first reason appears and resumes when the last one goes,
// so one user's resume never undoes another's pause. An idle connection is never paused: the reason
// set is created on the first pause (about 170 heap bytes per connection saved; BENCHMARKS.md, memory).

import type { Pausable } from './inbox.ts';

export class PauseGate {
  private readonly target: Pausable;
  private reasons: Set<string> | undefined;

  constructor(target: Pausable) {
    this.target = target;
  }

  /** True while at least one reason holds the link paused. */
  get paused(): boolean {
    return this.reasons !== undefined && this.reasons.size > 0;
  }

  set(reason: string, paused: boolean): void {
    const before = this.paused;
    if (paused) (this.reasons ??= new Set()).add(reason);
    else this.reasons?.delete(reason);
    const after = this.paused;
    if (before && !after) this.target.resume();
    else if (!before && after) this.target.pause();
  }

  /** A Pausable that sets and clears one reason (handed to an Inbox). */
  view(reason: string): Pausable {
    return new GateReason(this, reason);
  }
}

/** One reason of a gate as a Pausable: one small object instead of two closures and their context. */
class GateReason implements Pausable {
  private readonly gate: PauseGate;
  private readonly reason: string;

  constructor(gate: PauseGate, reason: string) {
    this.gate = gate;
    this.reason = reason;
  }

  pause(): void {
    this.gate.set(this.reason, true);
  }

  resume(): void {
    this.gate.set(this.reason, false);
  }
}
