// Typed errors. Every failure in peerwire is a PeerwireError with a stable string `code` (for code and
// for metrics labels), an optional `cause`, and an `action` telling the peer manager what the error
// means for the remote peer: `transient` (retry later, nobody to blame), `disconnect` (close this
// connection) or `ban` (close and refuse this peer for a while). An error from one peer must never
// crash the node, so everything that crosses a layer boundary is converted with `toPeerwireError`.

export type ErrorAction = 'transient' | 'disconnect' | 'ban';

export interface PeerwireErrorOptions {
  readonly cause?: unknown;
  readonly action?: ErrorAction;
  /** Small structured facts for logs (never remote-controlled unbounded data). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Codes shared by several layers. Layers add their own `ERR_<LAYER>_<THING>` codes next to their code. */
export const ErrorCode = {
  Aborted: 'ERR_ABORTED',
  Timeout: 'ERR_TIMEOUT',
  Closed: 'ERR_CLOSED',
  QueueFull: 'ERR_QUEUE_FULL',
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  InvalidAddress: 'ERR_INVALID_ADDRESS',
  FrameTooLarge: 'ERR_FRAME_TOO_LARGE',
  Malformed: 'ERR_MALFORMED',
  HandshakeFailed: 'ERR_HANDSHAKE_FAILED',
  SelfConnection: 'ERR_SELF_CONNECTION',
  PeerIdMismatch: 'ERR_PEER_ID_MISMATCH',
  DuplicateConnection: 'ERR_DUPLICATE_CONNECTION',
  Rejected: 'ERR_REJECTED',
  ConnectionFailed: 'ERR_CONNECTION_FAILED',
  Stalled: 'ERR_STALLED',
  UnknownChannel: 'ERR_UNKNOWN_CHANNEL',
  Internal: 'ERR_INTERNAL',
} as const;

export class PeerwireError extends Error {
  readonly code: string;
  readonly action: ErrorAction;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, options: PeerwireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PeerwireError';
    this.code = code;
    this.action = options.action ?? 'disconnect';
    this.details = options.details;
  }
}

export function isPeerwireError(value: unknown): value is PeerwireError {
  return value instanceof PeerwireError;
}

/** True for errors that only mean "we were asked to stop", which are never logged as failures. */
export function isAbortError(value: unknown): boolean {
  if (value instanceof PeerwireError) return value.code === ErrorCode.Aborted;
  return value instanceof Error && (value.name === 'AbortError' || (value as { code?: unknown }).code === 'ABORT_ERR');
}

/**
 * Wraps anything thrown (a Node system error, a string, a bug) into a PeerwireError so that callers can
 * rely on `code` and `action`. Node's timeout and abort errors keep their meaning.
 */
export function toPeerwireError(
  value: unknown,
  fallbackCode: string = ErrorCode.Internal,
  action: ErrorAction = 'disconnect',
): PeerwireError {
  if (value instanceof PeerwireError) return value;
  if (value instanceof Error) {
    if (value.name === 'TimeoutError') {
      return new PeerwireError(ErrorCode.Timeout, value.message, { cause: value, action: 'transient' });
    }
    if (isAbortError(value)) return new PeerwireError(ErrorCode.Aborted, value.message, { cause: value, action: 'transient' });
    const sysCode = (value as { code?: unknown }).code;
    const message = typeof sysCode === 'string' ? `${sysCode}: ${value.message}` : value.message;
    return new PeerwireError(fallbackCode, message, { cause: value, action });
  }
  return new PeerwireError(fallbackCode, String(value), { action });
}
