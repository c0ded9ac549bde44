// AbortSignal helpers. Every async call in peerwire takes a signal; deadlines are signals too
// (AbortSignal.timeout combined with the caller's through AbortSignal.any), so one mechanism cancels
// dials, handshakes and waits, and a cancelled wait always rejects with a typed error.

import type { Clock } from './clock.ts';
import { ErrorCode, PeerwireError } from './errors.ts';

/** The typed error for an aborted signal: a deadline becomes ERR_TIMEOUT, anything else ERR_ABORTED. */
export function abortReason(signal: AbortSignal): PeerwireError {
  const reason: unknown = signal.reason;
  if (reason instanceof PeerwireError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new PeerwireError(ErrorCode.Timeout, 'deadline exceeded', { cause: reason, action: 'transient' });
  }
  return new PeerwireError(ErrorCode.Aborted, 'operation aborted', { cause: reason, action: 'transient' });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortReason(signal);
}

/** The caller's signal combined with a deadline of `ms` milliseconds (no deadline when ms <= 0). */
export function withDeadline(signal: AbortSignal | undefined, ms: number): AbortSignal {
  if (ms <= 0) return signal ?? new AbortController().signal;
  const deadline = AbortSignal.timeout(ms);
  return signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
}

/**
 * Races a promise against a signal. The listener is removed when either settles, so long-lived signals
 * (a router's stop signal) do not accumulate listeners.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export interface Deadline {
  readonly signal: AbortSignal;
  /** Cancels the timer and detaches from the parent; call when the guarded operation ends. */
  clear(): void;
}

/**
 * A signal that aborts with ERR_TIMEOUT after `ms`, or when `parent` aborts. Unlike AbortSignal.timeout
 * its timer is cleared as soon as the guarded operation ends, so short operations in a long-running
 * node leave nothing behind (no pending timers, no listeners on the parent). The timer runs on `clock`
 * when one is given (a simulation's virtual time), otherwise on the real timers.
 */
export function deadline(
  ms: number,
  parent?: AbortSignal,
  what = 'operation',
  clock?: Pick<Clock, 'setTimer'>,
): Deadline {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent!.reason);
  if (parent !== undefined) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', onParentAbort, { once: true });
  }
  const expire = (): void => {
    controller.abort(
      new PeerwireError(ErrorCode.Timeout, `${what} timed out after ${ms} ms`, { action: 'transient' }),
    );
  };
  let cancel: (() => void) | undefined;
  if (ms > 0 && !controller.signal.aborted) {
    if (clock === undefined) {
      const handle = setTimeout(expire, ms);
      cancel = () => clearTimeout(handle);
    } else {
      const timer = clock.setTimer(ms, expire);
      cancel = () => timer.cancel();
    }
  }
  return {
    signal: controller.signal,
    clear: () => {
      cancel?.();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
