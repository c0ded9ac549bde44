// `peerwire crawl --network zcash-mainnet --seed HOST:PORT ...`: a census of a Zcash-family network.
// A client-only Zcash node (it does not listen) starts from the seeds; every peer that completes a
// handshake is recorded (address, protocol version, user agent, services, start height), asked once
// for its addresses (a solicited `getaddr`, so the answers may enter the address book, capped at 37
// per answer as Zebra's crawler does), then disconnected to free the slot for the next one. The router
// keeps dialing what the book learns until the duration ends, or with --until-done until nothing is
// left to contact. On a terminal a progress line (found, contacted, pending) is redrawn on stderr.
// Prints a table, or JSON with --json.

import { Option, type Command } from 'commander';
import { deadline } from '../../core/abort.ts';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { NETWORK_CHOICES } from '../config.ts';
import { zcashPeerWire, ZcashNode } from '../../zcash/node/zcash-node.ts';
import { PEER_ADDR_RESPONSE_LIMIT } from '../../zcash/services/crawler.ts';
import { bookAddressOf } from '../../zcash/policy/book-address.ts';
import { networkByName } from '../../zcash/params/network-params.ts';
import { parseZcashAddress } from '../../zcash/connection/transport.ts';
import { createCliLogger } from '../cli-logger.ts';
import { collect, intOption, secondsOption, toJson } from '../options.ts';
import { onShutdownSignal } from '../signals.ts';
import { formatTable } from '../text-table.ts';
import { crawlProgress, formatCrawlProgress, ProgressLine } from '../crawl-progress.ts';
import { realClock } from '../../core/clock.ts';

/** Deadline of one `getaddr` (ms): zcashd often never answers it (Zebra waits 8 s). */
const GETADDR_TIMEOUT_MS = 8_000;
/** Peers recorded at most: bounds the census (and its memory) on a large network. */
const MAX_CENSUS = 10_000;

interface CrawlFlags {
  network: string;
  seed: string[];
  duration: number;
  maxConnections: number;
  json: boolean;
  localNetwork: boolean;
  logLevel: string;
  untilDone: boolean;
}

/** How often progress is recounted and redrawn (ms). */
const PROGRESS_PERIOD_MS = 250;
/**
 * How long (ms) the crawl must stay done, finding nothing new, before --until-done stops: peers met
 * again are asked again, and a later answer (another random half of the peer's book) may still name
 * new addresses.
 */
const DONE_QUIET_MS = 3_000;

interface CensusEntry {
  address: string;
  version: number;
  userAgent: string;
  services: bigint;
  height: number;
  relay: boolean;
  addressesShared: number;
}

function table(entries: readonly CensusEntry[]): string {
  return formatTable(
    ['ADDRESS', 'VERSION', 'USER AGENT', 'SERVICES', 'HEIGHT', 'ADDRS'],
    entries.map((e) => [e.address, String(e.version), e.userAgent, `0x${e.services.toString(16)}`, String(e.height), String(e.addressesShared)]),
  );
}

export function registerCrawl(program: Command): void {
  program
    .command('crawl')
    .description('crawl a Zcash-family network from seeds and print a census of reachable peers')
    .addOption(new Option('--network <name>', 'the network').choices([...NETWORK_CHOICES]).default('zcash-mainnet'))
    .requiredOption('--seed <host:port>', 'where to start; repeatable', collect)
    .addOption(new Option('--duration <seconds>', 'how long to crawl (at most, with --until-done)').argParser(secondsOption(24 * 3600)).default(30))
    .option('--until-done', 'stop as soon as there is nothing left to contact', false)
    .addOption(new Option('--max-connections <n>', 'connections at once').argParser(intOption(1, 500)).default(25))
    .option('--json', 'print JSON instead of a table', false)
    .option('--local-network', 'the local-network profile (crawling a testnet on this machine)', false)
    .addOption(new Option('--log-level <level>', 'logs (to stderr)').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (flags: CrawlFlags) => {
      for (const seed of flags.seed) {
        try {
          parseZcashAddress(seed);
        } catch (error) {
          throw new PeerwireError('ERR_CLI_USAGE', `--seed ${seed}: ${(error as Error).message}`, { action: 'transient' });
        }
      }
      const network = networkByName(flags.network);
      const logger = createCliLogger({ level: flags.logLevel, format: 'auto', fd: 2 });
      const node = await ZcashNode.create({
        network,
        peers: flags.seed,
        crawler: false,
        maxOutbound: flags.maxConnections,
        maxInbound: 1,
        localNetwork: flags.localNetwork,
        logger,
      });
      const census = new Map<string, CensusEntry>();
      const stop = new AbortController();
      const asks = new Set<Promise<void>>();
      /** The first getaddr of each peer: the crawl is not done while one is unanswered. */
      const firstAsks = new Set<Promise<void>>();
      const ask = async (id: string, entry: CensusEntry): Promise<void> => {
        const client = zcashPeerWire(node.router.peerInfo(id))?.client;
        if (client === undefined) return;
        const wait = deadline(GETADDR_TIMEOUT_MS, stop.signal, 'getaddr');
        try {
          const response = await client.request({ kind: 'peers' }, wait.signal);
          if (response.kind !== 'peers') return;
          const now = Math.floor(Date.now() / 1000);
          const entries = response.addrs.slice(0, PEER_ADDR_RESPONSE_LIMIT).flatMap((a) => {
            const addr = bookAddressOf(a.ip, a.port);
            return addr === undefined ? [] : [{ addr, services: a.services, untrustedLastSeen: Math.min(a.time, now) }];
          });
          entry.addressesShared = Math.max(entry.addressesShared, response.addrs.length);
          node.addressBook.addGossiped(entries);
        } catch {
          // A peer that does not answer getaddr is still reachable; the census keeps it.
        } finally {
          wait.clear();
          node.router.disconnect(id);
        }
      };
      const unsubscribe = node.router.subscribe((update) => {
        if (update.status !== 'up') return;
        const known = census.get(update.id);
        if (known === undefined && census.size >= MAX_CENSUS) {
          node.router.disconnect(update.id);
          return;
        }
        const wire = zcashPeerWire(update.info);
        if (wire === undefined) return;
        // A peer met again is asked again: Zebra answers getaddr with a random half of its book.
        const entry: CensusEntry = known ?? {
          address: update.id,
          version: wire.version.version,
          userAgent: wire.version.userAgent,
          services: wire.version.services,
          height: wire.version.startHeight,
          relay: wire.version.relay,
          addressesShared: 0,
        };
        census.set(update.id, entry);
        const task = ask(update.id, entry);
        asks.add(task);
        void task.finally(() => asks.delete(task));
        if (known === undefined) {
          firstAsks.add(task);
          void task.finally(() => firstAsks.delete(task));
        }
      });
      const release = onShutdownSignal(() => stop.abort());
      const started = Date.now();
      node.start();
      const progressLine = new ProgressLine((text) => process.stderr.write(text), process.stderr.isTTY);
      const endAt = started + flags.duration * 1000;
      let quietSince: number | undefined;
      let foundBefore = -1;
      let finishedEarly = false;
      while (!stop.signal.aborted && Date.now() < endAt) {
        await realClock.sleep(Math.min(PROGRESS_PERIOD_MS, Math.max(1, endAt - Date.now())), stop.signal).catch(() => undefined);
        const progress = crawlProgress({
          peers: node.peerManager.peers(),
          reachable: census.size,
          asking: firstAsks.size,
          anythingToDial: node.peerManager.nextDialTime() !== undefined,
        });
        progressLine.update(formatCrawlProgress(network.name, progress, (Date.now() - started) / 1000));
        // Done only after a quiet spell with nothing new found: repeated asks may still add addresses.
        quietSince = progress.done && progress.found === foundBefore ? (quietSince ?? Date.now()) : undefined;
        foundBefore = progress.found;
        if (flags.untilDone && quietSince !== undefined && Date.now() - quietSince >= DONE_QUIET_MS) {
          finishedEarly = true;
          break;
        }
      }
      progressLine.finish();
      stop.abort();
      release();
      unsubscribe();
      await Promise.allSettled([...asks]);
      const known = node.peerManager.stats().stored;
      await node.stop();
      const entries = [...census.values()].sort((a, b) => a.address.localeCompare(b.address));
      if (flags.json) {
        process.stdout.write(`${toJson({ network: network.name, seconds: Math.round((Date.now() - started) / 1000), reachable: entries.length, known, peers: entries }, 2)}\n`);
      } else {
        process.stdout.write(
          `${network.name}: ${entries.length} reachable peers, ${known} addresses known after ${Math.round((Date.now() - started) / 1000)} s${finishedEarly ? ' (nothing left to contact)' : ''}\n`,
        );
        if (entries.length > 0) process.stdout.write(`${table(entries)}\n`);
      }
      if (entries.length === 0) {
        throw new PeerwireError(ErrorCode.ConnectionFailed, `no peer reachable from ${flags.seed.join(', ')}`, { action: 'transient' });
      }
    });
}
