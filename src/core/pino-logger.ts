// The pino adapter of the Logger interface, kept apart from logger.ts so that code which only needs
// the interface (and the silent default) does not load pino.

import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import type { Logger } from './logger.ts';

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
