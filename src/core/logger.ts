// The logger interface every component receives. It is the subset of pino's API that peerwire uses,
// so a pino logger (pino-logger.ts) is passed in as is; components call `child({ component, peer })` to tag their
// lines. Nothing imports a global logger: the node assembles one and hands it down.

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
