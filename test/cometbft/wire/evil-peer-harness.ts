// Test helper: a scripted CometBFT peer on a raw TCP socket, built from the sans-I/O pieces (the
// ScriptedPeer key schedule, frame sealer/opener, packet and NodeInfo encoders), so a test can play
// every step of the wire honestly or not: a hostile ephemeral key or AuthSig, a bad NodeInfo, a
// forged frame, raw packets, or a trickle of bytes.

import { createCipheriv } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import { NodeKey } from '../../../src/core/node-key.ts';
import { DelimitedReader } from '../../../src/cometbft/wire/mconnection/delimited-reader.ts';
import { encodePacket } from '../../../src/cometbft/wire/mconnection/packet-codec.ts';
import {
  BLOCK_PROTOCOL,
  decodeNodeInfo,
  encodeNodeInfoDelimited,
  MAX_NODE_INFO_SIZE,
  P2P_PROTOCOL_V034,
  type NodeInfo,
} from '../../../src/cometbft/wire/node-info.ts';
import { ScriptedPeer, type ScriptedKeys } from './secret-connection/scripted-peer.ts';

export const CHAIN_ID = 'evil-net';
const SEALED_FRAME = 1044;

/** A socket with exact-length reads. */
export class RawSocket {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private buffered: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, '127.0.0.1', () => resolve(new RawSocket(socket)));
    });
  }

  /** Exactly `n` bytes; rejects when the socket closes first. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n) {
      if (this.ended) throw new Error(`socket closed with ${this.buffered.length}/${n} bytes read`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A one-shot TCP server handing out the first accepted socket (our side dials it). */
export async function rawServer(): Promise<{ server: Server; port: number; accepted: Promise<RawSocket> }> {
  const server = createServer();
  const accepted = new Promise<RawSocket>((resolve) =>
    server.once('connection', (s) => resolve(new RawSocket(s))),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, port, accepted };
}

export function nodeInfoOf(key: NodeKey, overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    protocolVersion: { p2p: P2P_PROTOCOL_V034, block: BLOCK_PROTOCOL, app: 0n },
    id: key.id,
    listenAddr: 'tcp://127.0.0.1:26656',
    network: CHAIN_ID,
    version: '0.38.17',
    channels: Uint8Array.of(0x01, 0x02),
    moniker: 'evil',
    other: { txIndex: 'off', rpcAddress: '' },
    ...overrides,
  };
}

/** Seals one frame by hand: any 1028-byte plaintext (so a lying length field), at `counter`. */
export function forgeFrame(sendKey: Uint8Array, counter: bigint, plaintext: Uint8Array): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64LE(counter, 4);
  const cipher = createCipheriv('chacha20-poly1305', sendKey, nonce, { authTagLength: 16 });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export interface ScriptOptions {
  /** Replaces our 35-byte ephemeral-key message. */
  readonly hello?: Uint8Array;
  /** Replaces the delimited AuthSigMessage we seal (given the challenge). */
  readonly authSig?: (challenge: Uint8Array, peer: ScriptedPeer) => Uint8Array;
}

/** A scripted CometBFT peer talking over one raw socket. */
export class EvilPeer {
  readonly raw: RawSocket;
  readonly peer: ScriptedPeer;
  keys: ScriptedKeys | undefined;

  constructor(raw: RawSocket, nodeKey: NodeKey = NodeKey.generate()) {
    this.raw = raw;
    this.peer = new ScriptedPeer(nodeKey);
  }

  get key(): NodeKey {
    return this.peer.nodeKey;
  }

  /** Runs the SecretConnection handshake; reads and opens the remote's AuthSig frame. */
  async secretHandshake(options: ScriptOptions = {}): Promise<ScriptedKeys> {
    this.raw.write(options.hello ?? this.peer.hello());
    const theirs = await this.raw.read(35);
    const keys = this.peer.derive(theirs);
    this.keys = keys;
    const authSig = options.authSig?.(keys.challenge, this.peer) ?? this.peer.authSig(keys.challenge);
    this.raw.write(keys.sealer.seal([authSig]));
    keys.opener.open(await this.raw.read(SEALED_FRAME));
    return keys;
  }

  /** Reads the remote's NodeInfo (frame by frame). */
  async readNodeInfo(): Promise<NodeInfo> {
    const reader = new DelimitedReader(MAX_NODE_INFO_SIZE);
    for (;;) {
      for (const data of this.keys!.opener.open(await this.raw.read(SEALED_FRAME))) reader.push(data);
      const bytes = reader.next();
      if (bytes !== undefined) return decodeNodeInfo(bytes);
    }
  }

  sendSealed(...chunks: Uint8Array[]): void {
    this.raw.write(this.keys!.sealer.seal(chunks));
  }

  sendNodeInfo(info: NodeInfo = nodeInfoOf(this.key)): void {
    this.sendSealed(encodeNodeInfoDelimited(info));
  }

  /** The whole honest handshake with `info` as our NodeInfo; returns the remote's. */
  async handshake(info: NodeInfo = nodeInfoOf(this.key)): Promise<NodeInfo> {
    await this.secretHandshake();
    this.sendNodeInfo(info);
    return this.readNodeInfo();
  }

  /** A whole message on a channel as delimited PacketMsgs of at most 1024 data bytes. */
  sendMessage(channelId: number, message: Uint8Array): void {
    const packets: Uint8Array[] = [];
    let offset = 0;
    do {
      const end = Math.min(message.length, offset + 1024);
      packets.push(
        encodePacket(
          { kind: 'msg', channelId, eof: end === message.length, data: message.subarray(offset, end) },
          true,
        ),
      );
      offset = end;
    } while (offset < message.length);
    this.sendSealed(...packets);
  }
}
