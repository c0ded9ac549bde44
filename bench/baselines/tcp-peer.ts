// Receiving side of the raw loopback TCP baselines (a side module, see ../side-process.ts): a sink that
// counts bytes, a sink that parses 4-byte big-endian length-prefixed frames and "delivers" each one
// (a subarray view, as a real framer would hand to its consumer), and a Nagle-off echo server. One
// listener at a time; the sender waits on `waitFor` for the cumulative count it has sent.

import net from 'node:net';
import { once } from 'node:events';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { ProgressCounter, type SideHandlers } from '../side-process.ts';

export type SinkKind = 'bytes' | 'frames' | 'echo';

/** Length-prefix size of the framed baselines (bytes); matches a u32 length field. */
export const FRAME_HEADER_BYTES = 4;

/** Refuse frames larger than this (bytes): the baselines never send more, so a bigger one is a bug. */
const MAX_FRAME_BYTES = 1 << 20;

/** Parses length-prefixed frames across chunk boundaries, copying only an incomplete tail. */
export class FrameCounter {
  frames = 0;
  payloadBytes = 0;
  private tail: Buffer | undefined;

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.tail !== undefined) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = undefined;
    }
    let p = 0;
    while (buf.length - p >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32BE(p);
      if (len > MAX_FRAME_BYTES) throw new PeerwireError(ErrorCode.FrameTooLarge, `frame of ${len} bytes`);
      const end = p + FRAME_HEADER_BYTES + len;
      if (end > buf.length) break;
      this.deliver(buf.subarray(p + FRAME_HEADER_BYTES, end));
      p = end;
    }
    if (p < buf.length) this.tail = buf.subarray(p);
  }

  private deliver(frame: Buffer): void {
    this.frames++;
    this.payloadBytes += frame.length;
  }
}

let server: net.Server | undefined;
const sockets = new Set<net.Socket>();
const received = new ProgressCounter();

function attach(kind: SinkKind, sock: net.Socket): void {
  sockets.add(sock);
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => sock.destroy());
  sock.setNoDelay(true);
  if (kind === 'echo') {
    sock.on('data', (chunk: Buffer) => sock.write(chunk));
  } else if (kind === 'bytes') {
    sock.on('data', (chunk: Buffer) => received.add(chunk.length));
  } else {
    const counter = new FrameCounter();
    sock.on('data', (chunk: Buffer) => {
      const before = counter.frames;
      counter.push(chunk);
      received.add(counter.frames - before);
    });
  }
}

async function closeAll(): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  const s = server;
  server = undefined;
  if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
}

export const handlers: SideHandlers = {
  /** Starts a listener on 127.0.0.1 for one kind of sink; returns its port. */
  async listen(arg: unknown): Promise<number> {
    const { kind } = arg as { kind: SinkKind };
    await closeAll();
    received.reset();
    const s = net.createServer((sock) => attach(kind, sock));
    server = s;
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return (s.address() as net.AddressInfo).port;
  },
  /** Resolves with the count (bytes or frames) once at least `target` have arrived. */
  waitFor(arg: unknown): Promise<number> {
    return received.waitFor((arg as { target: number }).target);
  },
  close: closeAll,
};
