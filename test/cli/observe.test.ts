// `peerwire observe` as a child process against an in-process peerwire CometBFT node that serves the
// mempool (0x30) and consensus state (0x20) channels: what the node sends the observer on those
// channels comes out as JSON lines (a transaction with its hash and hex bytes; a NewRoundStep with
// height/round/step); a second `observe --send-tx HEX` delivers a Txs message on the node's mempool
// channel; SIGTERM stops an observer with exit 0. No observe without a reachable peer: one line, exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { create } from '@bufbuild/protobuf';
import type { NodeId } from '../../src/core/node-address.ts';
import { createCometbftNode } from '../../src/cometbft/node/cometbft-node.ts';
import type { EngineNode } from '../../src/engine/node/engine-node.ts';
import type { Envelope } from '../../src/engine/router/channel.ts';
import { rawCodec } from '../../src/core/message-codec.ts';
import {
  CONSENSUS_STATE_CHANNEL,
  MEMPOOL_CHANNEL,
} from '../../src/cometbft/wire/standard-channels.ts';
import {
  MessageSchema as ConsensusMessageSchema,
  NewRoundStepSchema,
} from '../../src/cometbft/gen/cometbft/consensus/v1/types_pb.ts';
import {
  MessageSchema as MempoolMessageSchema,
  TxsSchema,
} from '../../src/cometbft/gen/cometbft/mempool/v1/types_pb.ts';
import { protobufOneofCodec } from '../../src/cometbft/channels/protobuf-codec.ts';
import { handleCounts, waitForHandlesAtMost } from '../helpers/handles.ts';
import { waitFor } from '../helpers/wait.ts';
import { logRecord, runCli, startCli, type RunningCli } from './run-cli.ts';

const CHAIN_ID = 'test-chain';
const mempoolCodec = protobufOneofCodec(MempoolMessageSchema);
const consensusCodec = protobufOneofCodec(ConsensusMessageSchema);
const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex').toUpperCase();

/** The decoded message an event line carries under its own key. */
const messageOf = (record: Record<string, unknown> | undefined): Record<string, unknown> =>
  (record?.message ?? {}) as Record<string, unknown>;

const peerUp = (cli: RunningCli, peer: NodeId): Promise<string> =>
  cli.waitForLine((l) => {
    const r = logRecord(l);
    return r?.type === 'peer' && r.status === 'up' && r.peer === peer;
  }, `peer up ${peer}`);

test(
  'observe prints mempool txs and consensus steps it hears; --send-tx reaches the peer; SIGTERM exits 0',
  { timeout: 120_000 },
  async () => {
    const baseline = handleCounts();
    const clis: RunningCli[] = [];
    let node: EngineNode | undefined;
    try {
      node = await createCometbftNode({
        chainId: CHAIN_ID,
        listen: { host: '127.0.0.1', port: 0 },
        pex: false,
        localNetwork: true,
      });
      const mempool = node.openChannel(MEMPOOL_CHANNEL.id, rawCodec, {
        priority: MEMPOOL_CHANNEL.priority,
        recvMessageCapacity: MEMPOOL_CHANNEL.recvMessageCapacity,
      });
      const consensus = node.openChannel(CONSENSUS_STATE_CHANNEL.id, rawCodec, {
        priority: CONSENSUS_STATE_CHANNEL.priority,
        recvMessageCapacity: CONSENSUS_STATE_CHANNEL.recvMessageCapacity,
      });
      const received: Envelope<Uint8Array>[] = [];
      const collecting = (async () => {
        for await (const envelope of mempool) received.push(envelope);
      })();
      node.start();
      const endpoint = node.listenEndpoints[0]!;
      const peerArg = `${node.id}@127.0.0.1:${endpoint.port}`;

      // The observer connects; the node learns its ID.
      const observer = startCli(['observe', '--chain-id', CHAIN_ID, '--peer', peerArg]);
      clis.push(observer);
      await peerUp(observer, node.id);
      await waitFor(() => node!.router.connectedPeers().length === 1, 'the node sees the observer', 60_000);
      const observerId = node.router.connectedPeers()[0]!;

      // A Txs message on the mempool channel: one line per transaction, bytes as hex.
      const txs = [new Uint8Array([0xde, 0xad, 0xbe, 0xef]), new TextEncoder().encode('key=value')];
      await mempool.send({
        to: observerId,
        message: mempoolCodec.encode({ case: 'txs', value: create(TxsSchema, { txs }) }),
      });
      for (const tx of txs) {
        const hex = Buffer.from(tx).toString('hex');
        const line = await observer.waitForLine(
          (l) => logRecord(l)?.type === 'tx' && messageOf(logRecord(l)).tx === hex,
          `tx ${hex}`,
        );
        const record = logRecord(line)!;
        assert.equal(record.peer, node.id);
        assert.equal(messageOf(record).size, tx.length);
        assert.equal(messageOf(record).hash, sha256Hex(tx));
      }

      // A NewRoundStep on the consensus state channel: its height, round and step.
      const step = create(NewRoundStepSchema, {
        height: 42n,
        round: 3,
        step: 6,
        secondsSinceStartTime: 1n,
        lastCommitRound: 2,
      });
      await consensus.send({
        to: observerId,
        message: consensusCodec.encode({ case: 'newRoundStep', value: step }),
      });
      const stepLine = await observer.waitForLine(
        (l) => logRecord(l)?.type === 'consensus',
        'consensus line',
      );
      const stepRecord = logRecord(stepLine)!;
      assert.equal(stepRecord.peer, node.id);
      assert.equal(stepRecord.channel, CONSENSUS_STATE_CHANNEL.name);
      assert.equal(messageOf(stepRecord).height, '42', 'an int64 printed as a decimal string');
      assert.equal(messageOf(stepRecord).round, 3);
      assert.equal(messageOf(stepRecord).step, 6);
      assert.equal(messageOf(stepRecord).lastCommitRound, 2);
      assert.ok(
        typeof stepRecord.kind === 'string' && /new.?round.?step/i.test(stepRecord.kind),
        `kind ${String(stepRecord.kind)}`,
      );

      // A second observer submits a transaction: the node's mempool channel receives it as Txs.
      const sent = new Uint8Array([0x01, 0x02, 0x03, 0xff]);
      const sender = startCli([
        'observe',
        '--chain-id',
        CHAIN_ID,
        '--peer',
        peerArg,
        '--send-tx',
        `0x${Buffer.from(sent).toString('hex')}`,
      ]);
      clis.push(sender);
      const sentLine = logRecord(
        await sender.waitForLine((l) => logRecord(l)?.type === 'sent', 'sent line'),
      )!;
      assert.equal(sentLine.hash, sha256Hex(sent));
      assert.equal(sentLine.peers, 1);
      await waitFor(() => received.length > 0, 'the node receives the Txs message', 60_000);
      assert.equal(received.length, 1);
      const envelope = received[0]!;
      assert.notEqual(envelope.from, observerId, 'from the sender, not the first observer');
      const decoded = mempoolCodec.decode(envelope.message);
      assert.equal(decoded.case, 'txs');
      assert.deepEqual(
        decoded.case === 'txs' ? decoded.value.txs.map((t) => Buffer.from(t).toString('hex')) : [],
        [Buffer.from(sent).toString('hex')],
      );
      // The node does not relay mempool txs (no mempool reactor here), so the first observer printed none.
      assert.ok(!observer.lines.some((l) => messageOf(logRecord(l)).tx === Buffer.from(sent).toString('hex')));

      for (const cli of [sender, observer]) {
        cli.child.kill('SIGTERM');
        const exit = await cli.exited;
        assert.equal(exit.code, 0, cli.stderr());
        assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
      }
      // The observer's stop is seen by the node.
      await waitFor(() => node!.router.connectedPeers().length === 0, 'both observers gone', 60_000);
      await node.stop();
      await collecting;
    } finally {
      for (const cli of clis)
        if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      await Promise.all(clis.map((c) => c.exited));
      await node?.stop();
    }
    await waitForHandlesAtMost(baseline);
  },
);

test(
  'observe fails with one line and exit 1 when no peer connects within --connect-timeout',
  { timeout: 60_000 },
  async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const id = 'a'.repeat(40);
    const result = await runCli([
      'observe',
      '--chain-id',
      CHAIN_ID,
      '--peer',
      `${id}@127.0.0.1:${port}`,
      '--connect-timeout',
      '1',
    ]);
    assert.equal(result.code, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`^peerwire: .*could not connect to ${id}@127\\.0\\.0\\.1:${port} within 1 s`, 'm'),
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  },
);
