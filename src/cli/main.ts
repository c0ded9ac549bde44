// The `peerwire` command: parses the command line with commander and runs one subcommand. Every failure
// ends as one line on stderr and an exit code — 2 for usage and configuration errors, 1 for everything
// else (a port in use, an unreachable peer, a failed testnet) — never a stack trace.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeError, EXIT_FAILURE, EXIT_USAGE, exitCodeOf } from './cli-error.ts';
import { registerCrawl } from './commands/crawl.ts';
import { registerDecode } from './commands/decode.ts';
import { registerKeygen } from './commands/keygen.ts';
import { registerNode } from './commands/node.ts';
import { registerObserve } from './commands/observe.ts';
import { registerStatus } from './commands/status.ts';
import { registerSim } from './commands/sim.ts';
import { registerTestnet } from './commands/testnet.ts';

/**
 * The package's version, read from its package.json: two folders up from this file both in the
 * sources (src/cli/) and in the build (dist/cli/), so `--version` never drifts from the package.
 */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('peerwire')
    .description('peer-to-peer networking for blockchain nodes: the CometBFT and Zcash wires over one engine')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (see peerwire --help)\n`) });
  registerTestnet(program);
  registerNode(program);
  registerCrawl(program);
  registerObserve(program);
  registerDecode(program);
  registerKeygen(program);
  registerStatus(program);
  registerSim(program);
  for (const command of program.commands) command.exitOverride().showSuggestionAfterError(true);
  return program;
}

function fail(error: unknown): void {
  process.stderr.write(`peerwire: ${describeError(error)}\n`);
  process.exitCode = exitCodeOf(error);
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  process.on('uncaughtException', (error) => {
    fail(error);
    process.exit(process.exitCode ?? EXIT_FAILURE);
  });
  process.on('unhandledRejection', (error) => {
    fail(error);
    process.exit(process.exitCode ?? EXIT_FAILURE);
  });
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one line (help and --version are not errors).
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0);
      process.exitCode = ok ? 0 : EXIT_USAGE;
      return;
    }
    fail(error);
  }
}

await main();
