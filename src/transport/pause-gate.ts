// A link is paused while any of its users asks for it: the inbox when the consumer lags, a receive
// rate limit, bytes held before the handshake, a Zcash inbound-request queue that is full. Each user
// names its reason; the link pauses when the first reason appears and resumes when the last one goes,
// so one user's resume never undoes another's pause.

import type { Pausable } from './inbox.ts';

export class PauseGate {
  private readonly target: Pausable;
  private readonly reasons = new Set<string>();

  constructor(target: Pausable) {
    this.target = target;
  }

  /** True while at least one reason holds the link paused. */
  get paused(): boolean {
    return this.reasons.size > 0;
  }

  set(reason: string, paused: boolean): void {
    const before = this.reasons.size > 0;
    if (paused) this.reasons.add(reason);
    else this.reasons.delete(reason);
    const after = this.reasons.size > 0;
    if (before && !after) this.target.resume();
    else if (!before && after) this.target.pause();
  }

  /** A Pausable that sets and clears one reason (handed to an Inbox). */
  view(reason: string): Pausable {
    return { pause: () => this.set(reason, true), resume: () => this.set(reason, false) };
  }
}
