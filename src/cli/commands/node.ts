// `peerwire node`: a long-running node from a TOML config and/or flags that mirror its keys (flags win
// over PEERWIRE_* environment variables, which win over the file). Logs one line per peer connected
// and disconnected; serves /metrics and /status on --metrics (and the live web view with --web); on
// SIGINT/SIGTERM it stops gracefully, persists the peer store and exits 0.

import { Option, type Command } from 'commander';
import { PromMetrics } from '../../core/prom-metrics.ts';
import { loadConfig, NETWORK_CHOICES, type ConfigKey } from '../config.ts';
import { parseHostPort } from '../../core/host-port.ts';
import { StatusServer } from '../http-status.ts';
import { nodeStatus } from '../../engine/node/node-status.ts';
import { createCliLogger } from '../cli-logger.ts';
import { createConfiguredNode } from '../configured-node.ts';
import { collect } from '../options.ts';
import { onShutdownSignal } from '../signals.ts';
import { PeerwireError } from '../../core/errors.ts';
import { EventStream } from '../web/event-stream.ts';
import { NodeWebView } from '../web/node-web-view.ts';
import { DEFAULT_WEB_ADDRESS } from '../web/web-view.ts';

/** The web view is rebuilt and sent this often (ms): live enough to watch, cheap for a node with many peers. */
const WEB_VIEW_PERIOD_MS = 1_000;

/** Flag name (commander's camelCase) → config key. */
const FLAG_KEYS: Readonly<Record<string, ConfigKey>> = {
  wire: 'wire',
  chainId: 'chain_id',
  network: 'network',
  listen: 'listen',
  peer: 'peers',
  seed: 'seeds',
  seedMode: 'seed_mode',
  home: 'home',
  metrics: 'metrics',
  logLevel: 'log_level',
  logFormat: 'log_format',
  maxOutbound: 'max_outbound',
  maxInbound: 'max_inbound',
  localNetwork: 'local_network',
  labNetwork: 'lab_network',
  clockOffset: 'clock_offset',
  moniker: 'moniker',
  pex: 'pex',
  observe: 'observe_channels',
  crawler: 'crawler',
  userAgent: 'user_agent',
  allowDuplicateIp: 'allow_duplicate_ip',
  maxConnectionsPerIp: 'max_connections_per_ip',
  sendRate: 'send_rate',
  recvRate: 'recv_rate',
  maxPendingHandshakes: 'max_pending_handshakes',
};

export function registerNode(program: Command): void {
  const command = program
    .command('node')
    .description('run a long-lived node on a CometBFT chain or a Zcash-family network')
    .option('--config <file>', 'TOML config file (keys: see docs/config.md)')
    .addOption(new Option('--wire <wire>', 'which wire').choices(['cometbft', 'zcash']))
    .option('--chain-id <id>', 'CometBFT chain ID')
    .addOption(new Option('--network <name>', 'Zcash-family network').choices([...NETWORK_CHOICES]))
    .option('--listen <host:port>', 'listen address (port 0: any free port)')
    .option('--peer <address>', 'peer to keep connected (CometBFT id@host:port, Zcash host:port); repeatable', collect)
    .option('--seed <address>', 'seed node to learn addresses from; repeatable', collect)
    .option('--seed-mode', 'CometBFT seed mode: answer PEX requests, then hang up')
    .option('--home <dir>', 'folder of node_key.json and peers.dat')
    .option('--metrics <host:port>', 'serve /metrics and /status on this (loopback) address')
    .option('--web [host:port]', `also serve the live web view there (without --metrics: on this address, default ${DEFAULT_WEB_ADDRESS})`)
    .addOption(new Option('--log-level <level>').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']))
    .addOption(new Option('--log-format <format>').choices(['auto', 'json', 'pretty']))
    .option('--max-outbound <n>', 'outbound connections')
    .option('--max-inbound <n>', 'inbound connections')
    .option('--local-network', 'the local-network profile (test networks on one machine only)')
    .option('--lab-network', 'the lab profile (hosts on private addresses in a test lab only)')
    .option('--clock-offset <seconds>', 'shift this node\'s wall clock (tests of clock skew only)')
    .option('--moniker <name>', 'CometBFT moniker')
    .option('--no-pex', 'CometBFT: no peer exchange')
    .option('--observe <channel>', 'CometBFT: count and log messages of this standard channel; repeatable', collect)
    .option('--no-crawler', 'Zcash: do not crawl for addresses')
    .option('--user-agent <text>', 'Zcash: our user agent')
    .option('--allow-duplicate-ip', 'CometBFT: accept several peers from one IP')
    .option('--max-connections-per-ip <n>', 'Zcash: connections per IP')
    .option('--send-rate <bytes/s>', 'CometBFT: send rate per peer')
    .option('--recv-rate <bytes/s>', 'CometBFT: receive rate per peer')
    .option('--max-pending-handshakes <n>', 'inbound handshakes in progress at once')
    .action(async (flags: Record<string, unknown>) => {
      const fromFlags: Partial<Record<ConfigKey, unknown>> = {};
      for (const [flag, key] of Object.entries(FLAG_KEYS)) {
        if (command.getOptionValueSource(flag) === 'cli') fromFlags[key] = flags[flag];
      }
      const config = await loadConfig({ ...(typeof flags.config === 'string' ? { file: flags.config } : {}), flags: fromFlags });
      const logger = createCliLogger({ level: config.log_level, format: config.log_format, fd: 1 });
      const metrics = new PromMetrics();
      const node = await createConfiguredNode(config, logger, metrics);
      const startedAt = Date.now();
      let server: StatusServer | undefined;
      const web = flags.web as string | true | undefined;
      if (typeof web === 'string' && config.metrics !== '' && web !== config.metrics) {
        await node.stop();
        throw new PeerwireError('ERR_CLI_USAGE', '--web and --metrics share one server: give the address once', { action: 'transient' });
      }
      const serveAt = config.metrics !== '' ? config.metrics : web === undefined ? '' : web === true ? DEFAULT_WEB_ADDRESS : web;
      const stream = web === undefined ? undefined : new EventStream();
      const webView = new NodeWebView(node);
      const publisher = stream === undefined ? undefined : setInterval(() => stream.publish(webView.next()), WEB_VIEW_PERIOD_MS);
      try {
        if (serveAt !== '') {
          server = await StatusServer.start({
            listen: parseHostPort(serveAt, { allowZeroPort: true }),
            metrics,
            status: () => nodeStatus({ ...node, startedAt }),
            ...(stream === undefined ? {} : { web: stream }),
          });
        }
      } catch (error) {
        clearInterval(publisher);
        await node.stop();
        throw error;
      }
      const stopped = new Promise<NodeJS.Signals>((resolve) => {
        const release = onShutdownSignal((signal) => {
          release();
          resolve(signal);
        });
      });
      node.start();
      logger.info(
        { wire: node.wire, id: node.id, network: node.network, listen: node.listen, home: config.home, status: server?.url },
        'node started',
      );
      const signal = await stopped;
      logger.info({ signal }, 'stopping');
      clearInterval(publisher);
      await server?.close();
      await node.stop();
      logger.info({ store: `${config.home}/peers.dat` }, 'node stopped, peer store saved');
    });
}
