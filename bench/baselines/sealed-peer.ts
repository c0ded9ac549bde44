// Receiving side of the "sealed ceiling" baseline (a side module, see ../side-process.ts) and the frame
// geometry both sides share. A sealed frame is ChaCha20-Poly1305(u32-LE data length || data) plus the
// 16-byte tag, one node:crypto AEAD call per frame, nonce = 4 zero bytes || 64-bit LE frame counter
// (SecretConnection's layout). With 1024 data bytes a frame is 1044 bytes on the wire. The receiver
// opens every frame (in place when it lies inside one socket chunk) and checks its length field; with
// `aead: 'libsodium'` both ends use libsodium's AEAD (frame-aead.ts) instead of node:crypto.

import crypto from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import { ErrorCode, PeerwireError } from '../../src/core/errors.ts';
import { ProgressCounter, type SideHandlers } from '../side-process.ts';
import { loadFrameAead, type FrameAead } from '../../src/cometbft/wire/secret-connection/frame-aead.ts';

/** Size of the in-frame length field (bytes). */
export const LENGTH_BYTES = 4;
/** Poly1305 tag size (bytes). */
export const TAG_BYTES = 16;
/** ChaCha20-Poly1305 (IETF) nonce size (bytes). */
export const NONCE_BYTES = 12;
/** ChaCha20-Poly1305 key size (bytes). */
export const KEY_BYTES = 32;

/** libsodium's AEAD as peerwire loads it; a run without it cannot measure that ceiling. */
export async function libsodiumOrThrow(): Promise<FrameAead> {
  const aead = await loadFrameAead();
  if (aead.name !== 'libsodium') throw new PeerwireError(ErrorCode.Internal, 'libsodium did not load');
  return aead;
}

export function sealedSize(dataPerFrame: number): number {
  return LENGTH_BYTES + dataPerFrame + TAG_BYTES;
}

/** Writes the counter nonce for frame `n` into `out` (12 bytes): 4 zero bytes, then n as u64 LE. */
export function counterNonce(n: number, out: Buffer): Buffer {
  out.fill(0, 0, 4);
  out.writeUInt32LE(n >>> 0, 4);
  out.writeUInt32LE(Math.floor(n / 2 ** 32), 8);
  return out;
}

/** Opens fixed-size sealed frames from a byte stream; counts frames and data bytes. */
class FrameOpener {
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private frameNo = 0;
  private readonly nonce = Buffer.alloc(NONCE_BYTES);
  private readonly scratch: Buffer;
  /** Where the libsodium side copies each frame's data (reused, as peerwire's opener does). */
  private readonly data = Buffer.allocUnsafe(1024);
  private readonly sealed: number;
  private readonly plain: number;

  constructor(
    private readonly key: Buffer,
    private readonly dataPerFrame: number,
    private readonly onFrames: (frames: number) => void,
    private readonly aead: FrameAead | undefined,
  ) {
    this.sealed = sealedSize(dataPerFrame);
    this.plain = this.sealed - TAG_BYTES;
    this.scratch = Buffer.allocUnsafe(this.sealed);
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
    let frames = 0;
    while (this.queued >= this.sealed) {
      this.open(this.take());
      this.queued -= this.sealed;
      frames++;
    }
    if (frames > 0) this.onFrames(frames);
  }

  /** The next frame: a view when it lies in the first chunk, else copied into the scratch buffer. */
  private take(): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= this.sealed) {
      const frame = first.subarray(0, this.sealed);
      if (first.length === this.sealed) this.chunks.shift();
      else this.chunks[0] = first.subarray(this.sealed);
      return frame;
    }
    let o = 0;
    while (o < this.sealed) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, this.sealed - o);
      c.copy(this.scratch, o, 0, k);
      o += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return this.scratch;
  }

  private open(frame: Buffer): void {
    if (this.aead !== undefined) {
      const n = this.aead.openData(this.key, counterNonce(this.frameNo++, this.nonce), frame, 0, this.data, 0);
      if (n < 0) throw new PeerwireError(ErrorCode.Malformed, 'sealed frame failed to open');
      if (n !== this.dataPerFrame) {
        throw new PeerwireError(ErrorCode.Malformed, 'sealed frame length field mismatch');
      }
      return;
    }
    const d = crypto.createDecipheriv(
      'chacha20-poly1305',
      this.key,
      counterNonce(this.frameNo++, this.nonce),
      {
        authTagLength: TAG_BYTES,
      },
    );
    d.setAuthTag(frame.subarray(this.plain, this.sealed));
    const plain = d.update(frame.subarray(0, this.plain));
    d.final(); // throws on a bad tag
    if (plain.readUInt32LE(0) !== this.dataPerFrame) {
      throw new PeerwireError(ErrorCode.Malformed, 'sealed frame length field mismatch');
    }
  }
}

let server: net.Server | undefined;
const sockets = new Set<net.Socket>();
const frames = new ProgressCounter();

async function closeAll(): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  const s = server;
  server = undefined;
  if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
}

export const handlers: SideHandlers = {
  /** Listens on 127.0.0.1 for one sealed stream with the given key (hex) and geometry; returns the port. */
  async listen(arg: unknown): Promise<number> {
    const { keyHex, dataPerFrame, aead } = arg as {
      keyHex: string;
      dataPerFrame: number;
      aead?: 'libsodium';
    };
    const sodium = aead === undefined ? undefined : await libsodiumOrThrow();
    const key = Buffer.from(keyHex, 'hex');
    if (key.length !== KEY_BYTES) throw new PeerwireError(ErrorCode.InvalidArgument, 'bad key length');
    await closeAll();
    frames.reset();
    const s = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      const opener = new FrameOpener(key, dataPerFrame, (n) => frames.add(n), sodium);
      sock.on('data', (chunk: Buffer) => {
        try {
          opener.push(chunk);
        } catch (err) {
          console.error('sealed receiver:', err);
          sock.destroy();
        }
      });
      sock.on('error', () => sock.destroy());
    });
    server = s;
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return (s.address() as net.AddressInfo).port;
  },
  /** Resolves once at least `target` frames have been opened. */
  waitFor(arg: unknown): Promise<number> {
    return frames.waitFor((arg as { target: number }).target);
  },
  close: closeAll,
};
