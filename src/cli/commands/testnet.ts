// `peerwire testnet`: runs the embedded local network (src/cli/testnet/testnet.ts) with the live view
// and exits 0 only if every node reached its target peer count and all traffic arrived. With `--web`
// it also serves the live web view and the nodes' /metrics while it runs.

import { Option, type Command } from 'commander';
import { MAX_TESTNET_NODES, runTestnet, TESTNET_DEFAULTS } from '../testnet/testnet.ts';
import type { TestnetWire } from '../testnet/member.ts';
import { createCliLogger } from '../cli-logger.ts';
import { EXIT_FAILURE } from '../cli-error.ts';
import { intOption, secondsOption } from '../options.ts';
import { TestnetView } from '../testnet-view.ts';
import { onShutdownSignal } from '../signals.ts';
import { PromMetrics } from '../../core/prom-metrics.ts';
import { parseHostPort } from '../../core/host-port.ts';
import { StatusServer } from '../http-status.ts';
import { EventStream } from '../web/event-stream.ts';
import { DEFAULT_WEB_ADDRESS, type WebView } from '../web/web-view.ts';

interface TestnetFlags {
  nodes: number;
  wire: 'cometbft' | 'zcash' | 'both';
  duration: number;
  rate: number;
  logLevel: string;
  web?: string | true;
}


export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('run a local network on 127.0.0.1: N nodes per wire find each other from one seed and exchange demo traffic')
    .addOption(new Option('--nodes <n>', 'nodes per wire').argParser(intOption(2, MAX_TESTNET_NODES)).default(TESTNET_DEFAULTS.nodes))
    .addOption(new Option('--wire <wire>', 'which wire(s) to run').choices(['cometbft', 'zcash', 'both']).default('both'))
    .addOption(new Option('--duration <seconds>', 'how long nodes originate traffic').argParser(secondsOption(24 * 3600)).default(TESTNET_DEFAULTS.durationMs / 1000))
    .addOption(new Option('--rate <n>', 'demo messages each node originates per second').argParser(intOption(0, 1000)).default(TESTNET_DEFAULTS.rate))
    .option('--web [host:port]', `serve the live web view (peer graph, charts, per-node drill-down) and /metrics; default ${DEFAULT_WEB_ADDRESS}`)
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
      const webAddress = flags.web === undefined ? undefined : flags.web === true ? DEFAULT_WEB_ADDRESS : flags.web;
      const stream = webAddress === undefined ? undefined : new EventStream();
      // Only a served testnet pays for live metrics.
      const metrics = stream === undefined ? undefined : new PromMetrics();
      let server: StatusServer | undefined;
      try {
        if (stream !== undefined && webAddress !== undefined && metrics !== undefined) {
          server = await StatusServer.start({
            listen: parseHostPort(webAddress, { allowZeroPort: true }),
            metrics,
            status: () => JSON.parse(stream.latestJson() ?? '{}') as unknown,
            web: stream,
          });
          process.stdout.write(`web view: ${server.url}/\n`);
        }
        const result = await runTestnet({
          wires,
          nodes: flags.nodes,
          durationMs: flags.duration * 1000,
          rate: flags.rate,
          signal: stop.signal,
          logger,
          ...(metrics === undefined ? {} : { metrics }),
          onSnapshot: (s) => view.update(s),
          ...(stream === undefined ? {} : { onView: (v: WebView) => stream.publish(v) }),
        });
        view.summary(result);
        if (!result.ok) process.exitCode = EXIT_FAILURE;
      } finally {
        await server?.close();
        release();
      }
    });
}
