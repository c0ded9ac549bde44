// `peerwire observe --chain-id ID --peer ID@HOST:PORT`: joins a CometBFT chain's p2p network as a
// non-validating peer and streams what it hears as JSON lines on stdout: mempool transactions (hash,
// size, bytes) and consensus steps (height, round, step), votes and the rest of the consensus
// reactor's messages, plus peer up/down lines. `--send-tx HEX` submits a transaction over the mempool
// channel to every peer once connected. Logs go to stderr. If no peer connects within
// --connect-timeout the command fails with one line (exit 1).

import { create } from '@bufbuild/protobuf';
import { Option, type Command } from 'commander';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { Channel } from '../../engine/router/channel.ts';
import { rawCodec } from '../../core/message-codec.ts';
import {
  CONSENSUS_DATA_CHANNEL,
  CONSENSUS_STATE_CHANNEL,
  CONSENSUS_VOTE_CHANNEL,
  CONSENSUS_VOTE_SET_BITS_CHANNEL,
  MEMPOOL_CHANNEL,
  type StandardChannel,
} from '../../cometbft/wire/standard-channels.ts';
import { cometbftTxHash, observedEvents } from '../observe-format.ts';
import { MessageSchema as MempoolMessageSchema, TxsSchema } from '../../cometbft/gen/cometbft/mempool/v1/types_pb.ts';
import { protobufOneofCodec } from '../../cometbft/channels/protobuf-codec.ts';
import { cometbftAddress } from '../../cometbft/wire/transport.ts';
import { createCometbftNode } from '../../cometbft/node/cometbft-node.ts';
import { parseHostPort } from '../../core/host-port.ts';
import { createCliLogger } from '../cli-logger.ts';
import { collect, hexBytes, secondsOption, toJson } from '../options.ts';
import { onShutdownSignal } from '../signals.ts';

const OBSERVED: readonly StandardChannel[] = [MEMPOOL_CHANNEL, CONSENSUS_STATE_CHANNEL, CONSENSUS_DATA_CHANNEL, CONSENSUS_VOTE_CHANNEL, CONSENSUS_VOTE_SET_BITS_CHANNEL];
const mempoolCodec = protobufOneofCodec(MempoolMessageSchema);

interface ObserveFlags {
  chainId: string;
  peer: string[];
  sendTx?: string;
  listen: string;
  duration?: number;
  connectTimeout: number;
  logLevel: string;
}

export function registerObserve(program: Command): void {
  program
    .command('observe')
    .description("join a CometBFT chain's p2p network and stream mempool transactions and consensus steps as JSON lines")
    .requiredOption('--chain-id <id>', 'the chain ID')
    .requiredOption('--peer <id@host:port>', 'a peer to connect to; repeatable', collect)
    .option('--send-tx <hex>', 'submit this transaction over the mempool channel once connected')
    .option('--listen <host:port>', 'our listen address', '127.0.0.1:0')
    .addOption(new Option('--duration <seconds>', 'stop after this long (default: until interrupted)').argParser(secondsOption(365 * 24 * 3600)))
    .addOption(new Option('--connect-timeout <seconds>', 'fail if no peer connects within this long').argParser(secondsOption(3600)).default(30))
    .addOption(new Option('--log-level <level>', 'logs (to stderr)').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (flags: ObserveFlags) => {
      const peers = flags.peer.map((text) => {
        try {
          return cometbftAddress(text);
        } catch (error) {
          throw new PeerwireError('ERR_CLI_USAGE', `--peer ${text}: ${(error as Error).message}`, { action: 'transient' });
        }
      });
      const tx = flags.sendTx === undefined ? undefined : hexBytes(flags.sendTx, '--send-tx');
      const logger = createCliLogger({ level: flags.logLevel, format: 'auto', fd: 2 });
      const out = (record: Record<string, unknown>): void => {
        process.stdout.write(`${toJson({ time: new Date().toISOString(), ...record })}\n`);
      };
      const node = await createCometbftNode({
        chainId: flags.chainId,
        listen: parseHostPort(flags.listen, { allowZeroPort: true }),
        persistentPeers: peers,
        pex: false,
        moniker: 'peerwire-observer',
        logger,
      });
      const loops: Promise<void>[] = [];
      let mempoolChannel: Channel<Uint8Array> | undefined;
      for (const channel of OBSERVED) {
        const open = node.openChannel(channel.id, rawCodec, { priority: channel.priority, recvMessageCapacity: channel.recvMessageCapacity });
        if (channel.id === MEMPOOL_CHANNEL.id) mempoolChannel = open;
        loops.push(
          (async () => {
            for await (const envelope of open) {
              for (const event of observedEvents(channel.id, envelope.message, envelope.from)) out(event);
            }
          })(),
        );
      }
      const mempool = node.router;
      let connected = false;
      let resolveConnected: () => void = () => undefined;
      const firstPeer = new Promise<void>((resolve) => (resolveConnected = resolve));
      const unsubscribe = node.router.subscribe((update) => {
        out({ type: 'peer', status: update.status, peer: update.id, ...(update.reason === undefined ? {} : { reason: update.reason.message }) });
        if (update.status === 'up') {
          connected = true;
          resolveConnected();
        }
      });
      const stop = new AbortController();
      const release = onShutdownSignal(() => stop.abort());
      node.start();
      try {
        const timeout = AbortSignal.timeout(flags.connectTimeout * 1000);
        await Promise.race([
          firstPeer,
          new Promise<void>((resolve) => {
            timeout.addEventListener('abort', () => resolve(), { once: true });
            stop.signal.addEventListener('abort', () => resolve(), { once: true });
          }),
        ]);
        if (!connected && !stop.signal.aborted) {
          throw new PeerwireError(ErrorCode.ConnectionFailed, `could not connect to ${flags.peer.join(', ')} within ${flags.connectTimeout} s (unreachable, or not a CometBFT node of chain ${flags.chainId})`, {
            action: 'transient',
          });
        }
        if (tx !== undefined && connected) {
          const bytes = mempoolCodec.encode({ case: 'txs', value: create(TxsSchema, { txs: [tx] }) });
          for (const peer of mempool.connectedPeers()) {
            await mempoolChannel?.send({ to: peer, message: bytes });
          }
          out({ type: 'sent', hash: cometbftTxHash(tx), size: tx.length, peers: mempool.connectedPeers().length });
        }
        await new Promise<void>((resolve) => {
          if (stop.signal.aborted) {
            resolve();
            return;
          }
          const timer = flags.duration === undefined ? undefined : setTimeout(resolve, flags.duration * 1000);
          stop.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      } finally {
        release();
        unsubscribe();
        await node.stop();
        await Promise.allSettled(loops);
      }
    });
}
