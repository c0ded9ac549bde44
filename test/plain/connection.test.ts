// The plain wire's connection rules, driven with raw bytes over a memory link: pre-handshake limits,
// frames out of place, a hello that arrives before handshake() is called, send() preconditions, and
// large payloads written by reference.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import type { ByteLink } from '../../src/transport/byte-link.ts';
import { MemoryCarrier } from '../../src/transport/memory-carrier.ts';
import { MemoryNetwork } from '../../src/transport/memory-network.ts';
import type { Connection } from '../../src/transport/types.ts';
import { encodeFrame, FRAME_HEADER_BYTES, writeFrameHeader } from '../../src/plain/frame-codec.ts';
import { HANDSHAKE_CHANNEL, PlainConnection } from '../../src/plain/connection.ts';
import { MAX_HANDSHAKE_BYTES } from '../../src/plain/handshake.ts';
import { collect, descriptors, LONG_MS, localNode, turn } from '../transport/compliance.ts';
import { memoryLinks } from '../helpers/memory-links.ts';

interface Raw {
  raw: ByteLink;
  connection: Connection;
  close(): Promise<void>;
}

/** A plain connection whose remote end is a bare link the test writes bytes into. */
async function rawPeer(options: { maxPayloadBytes?: number } = {}): Promise<Raw> {
  const net = new MemoryNetwork();
  const server = new MemoryCarrier(net, { name: 'server' });
  const client = new MemoryCarrier(net, { name: 'client' });
  await server.listen({ protocol: 'memory', host: 'server', port: 0 });
  const signal = AbortSignal.timeout(LONG_MS);
  const [raw, link] = await Promise.all([
    client.dial({ protocol: 'memory', host: 'server', port: 0 }, signal),
    server.accept(signal),
  ]);
  raw.attach({ onData: () => undefined, onClose: () => undefined });
  const connection = new PlainConnection(link, 'inbound', options);
  return {
    raw,
    connection,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

function header(channel: number, length: number): Buffer {
  const out = Buffer.alloc(FRAME_HEADER_BYTES);
  writeFrameHeader(out, 0, channel, length);
  return out;
}

describe('plain connection', () => {
  it('closes on a pre-handshake frame above the hello cap, from its header alone', async () => {
    const peer = await rawPeer();
    try {
      peer.raw.write(header(HANDSHAKE_CHANNEL, MAX_HANDSHAKE_BYTES + 1));
      assert.equal((await peer.connection.closed)?.code, ErrorCode.FrameTooLarge);
      await assert.rejects(
        peer.connection.handshake(localNode('x'), AbortSignal.timeout(LONG_MS)),
        (error) => error instanceof PeerwireError,
      );
    } finally {
      await peer.close();
    }
  });

  it('closes on a data frame before the handshake', async () => {
    const peer = await rawPeer();
    try {
      peer.raw.write(encodeFrame(1, Buffer.from('too early')));
      const reason = await peer.connection.closed;
      assert.equal(reason?.code, ErrorCode.HandshakeFailed);
    } finally {
      await peer.close();
    }
  });

  it('fails the handshake on a garbage handshake frame', async () => {
    const peer = await rawPeer();
    try {
      const handshaking = peer.connection.handshake(localNode('x'), AbortSignal.timeout(LONG_MS));
      peer.raw.write(encodeFrame(HANDSHAKE_CHANNEL, Buffer.from([0x01, 0x01, 0x02])));
      await assert.rejects(
        handshaking,
        (error) => error instanceof PeerwireError && error.code === ErrorCode.HandshakeFailed,
      );
      assert.equal((await peer.connection.closed)?.code, ErrorCode.HandshakeFailed);
    } finally {
      await peer.close();
    }
  });

  it('completes when the peer’s hello arrived before handshake() was called', async () => {
    const signal = AbortSignal.timeout(LONG_MS);
    const links = await memoryLinks(signal);
    try {
      const { dialer: out, acceptor: inn } = links;
      const dialer = new PlainConnection(out, 'outbound');
      const acceptor = new PlainConnection(inn, 'inbound');
      const dialing = dialer.handshake(localNode('c'), signal);
      for (let i = 0; i < 5; i++) await turn();
      assert.equal(acceptor.heldEarlyCount, 1, 'the hello is already here');
      const [infoOfS, infoOfC] = await Promise.all([dialing, acceptor.handshake(localNode('s'), signal)]);
      assert.equal(typeof infoOfS.id, 'string');
      assert.notEqual(infoOfS.id, infoOfC.id);
    } finally {
      await links.close();
    }
  });

  it('send() refuses before the handshake, bad channel ids and oversize payloads', async () => {
    const signal = AbortSignal.timeout(LONG_MS);
    const links = await memoryLinks(signal);
    try {
      const { dialer: out, acceptor: inn } = links;
      const dialer = new PlainConnection(out, 'outbound', { maxPayloadBytes: 100_000 });
      const acceptor = new PlainConnection(inn, 'inbound', { maxPayloadBytes: 100_000 });
      const isCode = (code: string) => (error: unknown) =>
        error instanceof PeerwireError && error.code === code;
      assert.throws(() => dialer.send(1, Buffer.alloc(1)), isCode(ErrorCode.InvalidArgument));
      await Promise.all([
        dialer.handshake(localNode('c'), signal),
        acceptor.handshake(localNode('s', descriptors([1], 100_000)), signal),
      ]);
      assert.throws(() => dialer.send(HANDSHAKE_CHANNEL, Buffer.alloc(1)), isCode(ErrorCode.InvalidArgument));
      assert.throws(() => dialer.send(-1, Buffer.alloc(1)), isCode(ErrorCode.InvalidArgument));
      assert.throws(() => dialer.send(1, Buffer.alloc(100_001)), isCode(ErrorCode.FrameTooLarge));
      // A large payload goes out by reference as header + payload, one write unit; it arrives intact.
      const big = Buffer.alloc(100_000, 7);
      dialer.send(1, big);
      const [got] = await collect(acceptor, 1);
      assert.ok(Buffer.from(got!.bytes).equals(big));
    } finally {
      await links.close();
    }
  });
});
