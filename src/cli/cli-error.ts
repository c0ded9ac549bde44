// How the peerwire command fails: every error ends as one clear line on stderr and an exit code, never
// a stack trace. Usage and configuration mistakes exit 2 (as commander and most Unix tools do), every
// other failure (a port in use, an unreachable peer, a testnet that did not form) exits 1.

import { isPeerwireError } from '../core/errors.ts';

/** Exit code of a run that failed for a reason other than usage (a port in use, a failed testnet). */
export const EXIT_FAILURE = 1;
/** Exit code of a usage or configuration error (bad flag, bad value, bad config file). */
export const EXIT_USAGE = 2;

/** Error code of a command-line usage mistake. */
export const ERR_CLI_USAGE = 'ERR_CLI_USAGE';
/** Error code of an invalid configuration (file, environment or flags). */
export const ERR_CONFIG_INVALID = 'ERR_CONFIG_INVALID';

/** Codes that mean "the user asked for something we cannot do as asked": exit 2. */
const USAGE_CODES: ReadonlySet<string> = new Set([
  ERR_CLI_USAGE,
  ERR_CONFIG_INVALID,
  'ERR_INVALID_ADDRESS',
  'ERR_INVALID_ARGUMENT',
]);

/** The exit code an error deserves. */
export function exitCodeOf(error: unknown): number {
  return isPeerwireError(error) && USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE;
}

/** One line describing an error for a human: its message, and the system cause's when it adds one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const sys = (error as { code?: unknown }).code;
    let text = error.message;
    const cause = error.cause;
    if (cause instanceof Error && !text.includes(cause.message)) text += `: ${cause.message}`;
    if (!isPeerwireError(error) && typeof sys === 'string' && !text.includes(sys)) text = `${sys}: ${text}`;
    return text.split('\n')[0] ?? text;
  }
  return String(error);
}
