// The command's logger: pino with peerwire's fields (component, peer), human-readable through
// pino-pretty on a terminal and JSON lines otherwise. Pretty output runs in-process (no worker thread),
// so a short command starts fast and exits without waiting for a transport. Logs go to stderr when a
// command's stdout carries data (observe, crawl --json, decode), to stdout otherwise.

import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../core/logger.ts';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface CliLoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** 1 = stdout, 2 = stderr. */
  readonly fd: 1 | 2;
}

export function createCliLogger(options: CliLoggerOptions): Logger {
  const stream = options.fd === 1 ? process.stdout : process.stderr;
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && stream.isTTY);
  const config = { level: options.level, name: 'peerwire', base: undefined };
  if (usePretty) {
    return pino(
      config,
      pretty({ destination: options.fd, colorize: stream.isTTY, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'name' }),
    );
  }
  return pino(config, pino.destination({ fd: options.fd, sync: true }));
}
