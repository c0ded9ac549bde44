// Graceful shutdown on SIGINT/SIGTERM: the first signal asks the command to stop (it then persists its
// state and exits 0); a second one means "now" and exits 130 at once.

/** Exit code after a second interrupt: 128 + SIGINT, as shells report it. */
const EXIT_INTERRUPTED = 130;

/** Calls `stop` on the first SIGINT or SIGTERM; returns a function that removes the handlers. */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let asked = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (asked) process.exit(EXIT_INTERRUPTED);
    asked = true;
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
