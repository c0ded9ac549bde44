// The preconditions every wire's Connection.handshake() checks before it touches the link: a closed
// connection refuses with its close reason, a second call is a caller error, and a signal that has
// already aborted closes the connection with the signal's typed error. One place, so the wires agree.

import { abortReason } from '../core/abort.ts';
import { ErrorCode, PeerwireError } from '../core/errors.ts';

/**
 * Returns the error handshake() must reject with, or undefined when it may start. `state` is the
 * connection's lifecycle state; `close` is called (with the abort reason) only for an aborted signal.
 */
export function handshakeStartRefusal(
  state: string,
  signal: AbortSignal,
  closedError: () => PeerwireError,
  close: (error: PeerwireError) => void,
): PeerwireError | undefined {
  if (state === 'closed') return closedError();
  if (state !== 'new') {
    return new PeerwireError(ErrorCode.InvalidArgument, 'handshake already started', { action: 'transient' });
  }
  if (signal.aborted) {
    const error = abortReason(signal);
    close(error);
    return error;
  }
  return undefined;
}
