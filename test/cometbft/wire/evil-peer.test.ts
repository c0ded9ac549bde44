// Misbehaving peers against the CometBFT wire over TCP: a scripted raw-socket peer breaks one rule of
// the handshake, the NodeInfo exchange, the framing or the MConnection per case. Every case must end
// the same way: a typed error with the expected code, a closed connection (the peer's socket sees the
// close), the transport's slot freed, and no handle left behind. Deadlines are short only where the
// case is about a deadline; everything else waits on events. The SecretConnection slowloris runs on a
// ManualClock that its trickle moves byte by byte.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import { NodeKey } from '../../../src/core/node-key.ts';
import type { ChannelDescriptor, Connection, LocalNode } from '../../../src/transport/types.ts';
import { CometbftConnection, type CometbftWireOptions } from '../../../src/cometbft/index.ts';
import { MConnErrorCode } from '../../../src/cometbft/wire/mconnection/mconn-errors.ts';
import { NodeInfoErrorCode } from '../../../src/cometbft/wire/node-info-validation.ts';
import { encodeAuthSigMessage } from '../../../src/cometbft/wire/secret-connection/handshake-messages.ts';
import { SecretConnectionErrorCode as SC } from '../../../src/cometbft/wire/secret-connection/errors.ts';
import { cometbftTcpTransport } from '../../../src/cometbft/wire/transport.ts';
import { LONG_MS, NO_TIMERS, turns } from '../../transport/compliance.ts';
import { handleCounts, waitForHandlesAtMost } from '../../helpers/handles.ts';
import { CHAIN_ID, EvilPeer, forgeFrame, nodeInfoOf, RawSocket, rawServer } from './evil-peer-harness.ts';
import { delimited, field } from './secret-connection/scripted-peer.ts';
import { miscVectors, unhex } from './secret-connection/vectors.ts';

const TCP_ANY = { protocol: 'tcp', host: '127.0.0.1', port: 0 } as const;

function ourNode(channels: readonly ChannelDescriptor[]): LocalNode {
  const key = NodeKey.generate();
  return {
    key,
    channels,
    info: {
      id: key.id,
      protocolVersion: '8',
      channels: channels.map((c) => c.id),
      network: CHAIN_ID,
      userAgent: 'us',
    },
  };
}

const CHANNELS: ChannelDescriptor[] = [
  { id: 0x01, priority: 1, sendQueueCapacity: 16, recvMessageCapacity: 1024 },
  { id: 0x02, priority: 1, sendQueueCapacity: 16, recvMessageCapacity: 64 * 1024 },
];

interface Case {
  readonly name: string;
  readonly code: string;
  readonly wire?: CometbftWireOptions;
  /** Checked against the error message (deadline cases name their phase). */
  readonly message?: RegExp;
  /** The misbehaviour; it may fail once we hang up, which is ignored. */
  readonly script: (evil: EvilPeer) => Promise<void>;
}

/** The slowloris case's time: our deadline runs on it, and the trickle moves it (no real sleep). */
const slowlorisClock = new ManualClock();
/** Event-loop turns after each byte, so it reaches our side (loopback) before time moves on. */
const TURNS_PER_BYTE = 5;

/** Writes `bytes` one at a time, `everyMs` of `clock` time apart, until done or the socket closes. */
async function trickle(evil: EvilPeer, bytes: Uint8Array, clock: ManualClock, everyMs: number): Promise<void> {
  for (const byte of bytes) {
    if (evil.raw.socket.destroyed || evil.raw.socket.readableEnded) return;
    evil.raw.write(Uint8Array.of(byte));
    await turns(TURNS_PER_BYTE);
    await clock.advance(everyMs);
  }
}

const plaintextWithLength = (n: number): Uint8Array => {
  const plain = Buffer.alloc(1028);
  plain.writeUInt32LE(n, 0);
  return plain;
};

const cases: Case[] = [
  ...miscVectors().x25519_low_order_points.points.map((point): Case => ({
    name: `low-order ephemeral key: ${point.label}`,
    code: SC.LowOrderPoint,
    script: async (evil) => {
      evil.raw.write(Buffer.concat([Uint8Array.of(0x22, 0x0a, 0x20), unhex(point.hex)]));
      await evil.raw.read(35);
    },
  })),
  {
    name: 'AuthSig with a secp256k1 key',
    code: SC.UnsupportedKeyType,
    script: async (evil) => {
      await evil.secretHandshake({
        authSig: () =>
          delimited(Buffer.concat([field(1, field(2, randomBytes(33))), field(2, randomBytes(64))])),
      });
    },
  },
  {
    name: 'AuthSig with a random signature',
    code: SC.ChallengeVerification,
    script: async (evil) => {
      await evil.secretHandshake({
        authSig: (_c, peer) => encodeAuthSigMessage(peer.nodeKey.publicKey, randomBytes(64)),
      });
    },
  },
  {
    name: 'AuthSig signing another challenge',
    code: SC.ChallengeVerification,
    script: async (evil) => {
      await evil.secretHandshake({
        authSig: (_c, peer) =>
          encodeAuthSigMessage(peer.nodeKey.publicKey, peer.nodeKey.sign(randomBytes(32))),
      });
    },
  },
  {
    name: 'a tampered frame',
    code: SC.DecryptFailed,
    script: async (evil) => {
      await evil.secretHandshake();
      const frame = Buffer.from(evil.keys!.sealer.seal([Uint8Array.of(1, 2, 3)]));
      frame[10]! ^= 0x01;
      evil.raw.write(frame);
    },
  },
  {
    name: 'an authenticated frame declaring 1025 data bytes',
    code: SC.FrameTooLarge,
    script: async (evil) => {
      const keys = await evil.secretHandshake();
      evil.raw.write(forgeFrame(keys.sendKey, keys.sealer.counter, plaintextWithLength(1025)));
    },
  },
  {
    name: 'NodeInfo on another chain',
    code: NodeInfoErrorCode.Incompatible,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { network: 'other-chain' }));
    },
  },
  {
    name: 'NodeInfo with no common channel',
    code: NodeInfoErrorCode.Incompatible,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { channels: Uint8Array.of(0x55) }));
    },
  },
  {
    name: 'NodeInfo with a blank moniker',
    code: NodeInfoErrorCode.Invalid,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { moniker: '   ' }));
    },
  },
  {
    name: 'NodeInfo with 17 channels',
    code: NodeInfoErrorCode.Invalid,
    script: async (evil) => {
      await evil.handshake(
        nodeInfoOf(evil.key, { channels: Uint8Array.from({ length: 17 }, (_, i) => i + 1) }),
      );
    },
  },
  {
    name: 'NodeInfo with an unparsable listen_addr',
    code: NodeInfoErrorCode.Invalid,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { listenAddr: 'not-an-address' }));
    },
  },
  {
    name: 'NodeInfo naming another node than the authenticated key',
    code: ErrorCode.PeerIdMismatch,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { id: NodeKey.generate().id }));
    },
  },
  {
    name: 'NodeInfo length prefix over 10,240 bytes',
    code: ErrorCode.FrameTooLarge,
    script: async (evil) => {
      await evil.secretHandshake();
      evil.sendSealed(Uint8Array.of(0x81, 0x50)); // 10,241
    },
  },
  {
    name: 'NodeInfo that is not protobuf',
    code: ErrorCode.Malformed,
    script: async (evil) => {
      await evil.secretHandshake();
      evil.sendSealed(Uint8Array.of(0x03, 0x0a, 0x7f, 0x00));
    },
  },
  {
    name: 'a malformed packet',
    code: ErrorCode.Malformed,
    script: async (evil) => {
      await evil.handshake();
      evil.sendSealed(Uint8Array.of(0x04, 0x1a, 0x7f, 0x08, 0x01));
    },
  },
  {
    name: 'a packet with no kind',
    code: MConnErrorCode.UnknownPacket,
    script: async (evil) => {
      await evil.handshake();
      evil.sendSealed(Uint8Array.of(0x00));
    },
  },
  {
    name: 'an oversized packet (length prefix 2000)',
    code: ErrorCode.FrameTooLarge,
    script: async (evil) => {
      await evil.handshake();
      evil.sendSealed(Uint8Array.of(0xd0, 0x0f), Buffer.alloc(100));
    },
  },
  {
    name: 'a message over its channel capacity (2000 bytes on a 1024-byte channel)',
    code: ErrorCode.FrameTooLarge,
    script: async (evil) => {
      await evil.handshake();
      evil.sendMessage(0x01, Buffer.alloc(2000, 7));
    },
  },
  {
    name: 'a message on a channel we did not advertise',
    code: ErrorCode.UnknownChannel,
    script: async (evil) => {
      await evil.handshake(nodeInfoOf(evil.key, { channels: Uint8Array.of(0x01, 0x55) }));
      evil.sendMessage(0x55, Buffer.from('hello?'));
    },
  },
  {
    name: 'a peer that never answers our pings',
    code: MConnErrorCode.PongTimeout,
    wire: { pingIntervalMs: 50, pongTimeoutMs: 200 },
    script: async (evil) => {
      await evil.handshake();
    },
  },
  {
    name: 'slowloris during the SecretConnection handshake',
    code: ErrorCode.Timeout,
    message: /secret connection handshake/,
    wire: { handshakeTimeoutMs: 300, clock: slowlorisClock },
    script: (evil) => trickle(evil, evil.peer.hello(), slowlorisClock, 50),
  },
  {
    name: 'slowloris during the NodeInfo exchange',
    code: ErrorCode.Timeout,
    message: /node info exchange/,
    wire: { nodeInfoTimeoutMs: 300 },
    script: async (evil) => {
      await evil.secretHandshake();
      // A NodeInfo announced at 200 bytes, of which one frame carries 10: then silence.
      evil.sendSealed(Uint8Array.of(0xc8, 0x01), Buffer.alloc(8));
    },
  },
];

/** Runs one case on an inbound connection; returns the error our side ended with. */
async function runInbound(c: Case): Promise<PeerwireError> {
  const transport = cometbftTcpTransport({
    wire: { handshakeTimeoutMs: LONG_MS, nodeInfoTimeoutMs: LONG_MS, ...c.wire },
  });
  let raw: RawSocket | undefined;
  try {
    const endpoint = await transport.listen(TCP_ANY);
    raw = await RawSocket.connect(endpoint.port);
    const conn = await transport.accept(AbortSignal.timeout(LONG_MS));
    const evil = new EvilPeer(raw);
    const scripted = c.script(evil).catch(() => undefined);
    const error = await endWith(conn, ourNode(CHANNELS));
    await scripted;
    assert.equal(await conn.closed, error, 'closed resolves with the same error');
    await raw.closed;
    assert.equal(transport.connectionCount, 0, 'the slot is freed');
    return error;
  } finally {
    raw?.destroy();
    await transport.close();
  }
}

/** Handshakes and reads until the connection fails; returns the typed error. */
async function endWith(conn: Connection, local: LocalNode, dialedId?: string): Promise<PeerwireError> {
  assert.ok(conn instanceof CometbftConnection);
  let receivedBytes = 0;
  try {
    await conn.handshake(local, AbortSignal.timeout(LONG_MS), dialedId === undefined ? {} : { dialedId });
    for await (const message of conn) receivedBytes += message.bytes.length;
  } catch (error) {
    assert.ok(error instanceof PeerwireError, `a typed error, got ${String(error)}`);
    return error;
  }
  assert.fail(`the connection ended without an error after ${receivedBytes} bytes`);
}

describe('evil peers against the CometBFT wire', () => {
  const baseline = handleCounts(NO_TIMERS);

  for (const c of cases) {
    it(c.name, async () => {
      const error = await runInbound(c);
      assert.equal(error.code, c.code, error.message);
      if (c.message !== undefined) assert.match(error.message, c.message);
    });
  }

  it('a dialed peer whose key is not the dialed ID', async () => {
    const { server, port, accepted } = await rawServer();
    const transport = cometbftTcpTransport();
    try {
      const conn = await transport.dial(
        { protocol: 'tcp', host: '127.0.0.1', port },
        AbortSignal.timeout(LONG_MS),
      );
      const evil = new EvilPeer(await accepted);
      const scripted = evil.handshake().catch(() => undefined);
      const error = await endWith(conn, ourNode(CHANNELS), NodeKey.generate().id);
      await scripted;
      assert.equal(error.code, ErrorCode.PeerIdMismatch);
      await evil.raw.closed;
      assert.equal(transport.connectionCount, 0);
    } finally {
      await transport.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an honest scripted peer completes the handshake and exchanges messages both ways', async () => {
    const transport = cometbftTcpTransport();
    const raw = await RawSocket.connect((await transport.listen(TCP_ANY)).port);
    try {
      const conn = await transport.accept(AbortSignal.timeout(LONG_MS));
      const evil = new EvilPeer(raw);
      const local = ourNode(CHANNELS);
      const [info, theirs] = await Promise.all([
        conn.handshake(local, AbortSignal.timeout(LONG_MS)),
        evil.handshake(),
      ]);
      assert.equal(info.id, evil.key.id);
      assert.equal(theirs.id, local.key.id);
      assert.equal(theirs.network, CHAIN_ID);
      assert.deepEqual([...theirs.channels], [1, 2]);
      evil.sendMessage(0x02, Buffer.alloc(5000, 9));
      const iterator = conn[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.done, false);
      assert.equal(first.value.channelId, 2);
      assert.ok(Buffer.from(first.value.bytes).equals(Buffer.alloc(5000, 9)));
      conn.send(0x01, Buffer.from('pong?'));
      const frame = await raw.read(1044);
      const [packet] = evil.keys!.opener.open(frame);
      // 0d 1a 0b 08 01 10 01 1a 05 "pong?": a delimited PacketMsg on channel 1 with eof, then 02 0a 00,
      // a delimited PacketPing: the pacer's probe (send-pacer.ts), which any CometBFT peer answers.
      assert.equal(
        Buffer.from(packet!).toString('hex'),
        '0d1a0b080110011a05' + Buffer.from('pong?').toString('hex') + '020a00',
      );
      conn.close();
    } finally {
      raw.destroy();
      await transport.close();
    }
  });

  it('leaves no handles behind', async () => {
    await waitForHandlesAtMost(baseline, LONG_MS, NO_TIMERS);
  });
});
