// A level-triggered wake-up for loops that sleep until "something changed". The dial and evict loops
// wait on one of these instead of polling: the peer manager calls notify() whenever its answers may
// have changed, and a notify() that happens while nobody waits is remembered, so no wake-up is lost.

import { abortReason } from './abort.ts';
import type { Clock, Timer } from './clock.ts';

export class WakeSignal {
  private pending = false;
  private waiter: (() => void) | undefined;

  notify(): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      this.pending = true;
      return;
    }
    this.waiter = undefined;
    waiter();
  }

  /**
   * Resolves on the next notify() (or at once if one is pending), after `timeoutMs` if given, or rejects
   * with the signal's typed error. Only one waiter at a time.
   */
  wait(signal: AbortSignal, clock: Clock, timeoutMs?: number): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let timer: Timer | undefined;
      const finish = (): void => {
        timer?.cancel();
        signal.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const onAbort = (): void => {
        finish();
        reject(abortReason(signal));
      };
      this.waiter = () => {
        finish();
        resolve();
      };
      if (timeoutMs !== undefined) {
        timer = clock.setTimer(Math.max(0, timeoutMs), () => {
          finish();
          resolve();
        });
      }
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
