// The logger interface every component receives. It is the subset of pino's API that peerwire uses,
// so a pino logger is passed in as is; components call `child({ component, peer })` to tag their
// lines. Nothing imports a global logger: the node assembles one and hands it down.

import { pino, type DestinationStream, type LoggerOptions } from 'pino';

export interface LogFn {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => undefined;

/** A logger that discards everything (the default in libraries and tests). */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

export interface CreateLoggerOptions {
  /** pino level name; default `info`. */
  readonly level?: string;
  /** Human-readable lines (pino-pretty) instead of JSON; default: when stdout is a terminal. */
  readonly pretty?: boolean;
  readonly destination?: DestinationStream;
  readonly name?: string;
}

/** A pino logger with peerwire's defaults: JSON lines, or pretty output on a terminal. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  const config: LoggerOptions = { level: options.level ?? 'info', name: options.name ?? 'peerwire' };
  if (options.destination !== undefined) return pino(config, options.destination);
  if (pretty) {
    return pino({
      ...config,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino(config);
}
