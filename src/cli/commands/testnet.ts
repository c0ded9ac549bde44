// `peerwire testnet`: runs the embedded local network (src/cli/testnet/testnet.ts) with the live view
// and exits 0 only if every node reached its target peer count and all traffic arrived.

import { Option, type Command } from 'commander';
import { MAX_TESTNET_NODES, runTestnet, TESTNET_DEFAULTS } from '../testnet/testnet.ts';
import type { TestnetWire } from '../testnet/member.ts';
import { createCliLogger } from '../cli-logger.ts';
import { EXIT_FAILURE } from '../cli-error.ts';
import { intOption, secondsOption } from '../options.ts';
import { TestnetView } from '../testnet-view.ts';
import { onShutdownSignal } from '../signals.ts';

interface TestnetFlags {
  nodes: number;
  wire: 'cometbft' | 'zcash' | 'both';
  duration: number;
  rate: number;
  logLevel: string;
}

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('run a local network on 127.0.0.1: N nodes per wire find each other from one seed and exchange demo traffic')
    .addOption(new Option('--nodes <n>', 'nodes per wire').argParser(intOption(2, MAX_TESTNET_NODES)).default(TESTNET_DEFAULTS.nodes))
    .addOption(new Option('--wire <wire>', 'which wire(s) to run').choices(['cometbft', 'zcash', 'both']).default('both'))
    .addOption(new Option('--duration <seconds>', 'how long nodes originate traffic').argParser(secondsOption(24 * 3600)).default(TESTNET_DEFAULTS.durationMs / 1000))
    .addOption(new Option('--rate <n>', 'demo messages each node originates per second').argParser(intOption(0, 1000)).default(TESTNET_DEFAULTS.rate))
    .addOption(new Option('--log-level <level>', 'node logs (to stderr)').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('silent'))
    .action(async (flags: TestnetFlags) => {
      const wires: TestnetWire[] = flags.wire === 'both' ? ['cometbft', 'zcash'] : [flags.wire];
      const logger = createCliLogger({ level: flags.logLevel, format: 'auto', fd: 2 });
      const view = new TestnetView((text) => process.stdout.write(text), process.stdout.isTTY);
      const stop = new AbortController();
      const release = onShutdownSignal(() => stop.abort());
      process.stdout.write(
        `peerwire testnet: ${flags.nodes} nodes per wire (${wires.join(' + ')}) on 127.0.0.1, target ${Math.min(flags.nodes - 1, 4)} peers each, ${flags.duration} s of traffic\n`,
      );
      try {
        const result = await runTestnet({
          wires,
          nodes: flags.nodes,
          durationMs: flags.duration * 1000,
          rate: flags.rate,
          signal: stop.signal,
          logger,
          onSnapshot: (s) => view.update(s),
        });
        view.summary(result);
        if (!result.ok) process.exitCode = EXIT_FAILURE;
      } finally {
        release();
      }
    });
}
