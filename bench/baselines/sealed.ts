// The "sealed ceiling": the fastest an encrypted Node stream can go on this box, probed with the least
// code that still does the real per-frame work (copy data into a frame, one node:crypto
// ChaCha20-Poly1305 call per frame with a counter nonce, many frames per socket.write, open and check
// every frame on the other side, 2 processes). No handshake, no mux, no replay protection: a limit
// probe, not a protocol. Peerwire's SecretConnection figures are judged against the 1 KiB geometry
// (1024 data bytes -> 1044-byte frames), its Noise-style figures against the 64 KiB one. The 1 KiB
// geometry is also measured with libsodium's AEAD, the one peerwire seals SecretConnection frames
// with (frame-aead.ts): node:crypto's ceiling is what plain Node does, libsodium's what our choice allows.

import crypto from 'node:crypto';
import { openSide, repeatMedian, type BenchContext, type Suite } from '../harness.ts';
import { connectLoopback, sendPhase } from './tcp.ts';
import {
  KEY_BYTES,
  LENGTH_BYTES,
  NONCE_BYTES,
  TAG_BYTES,
  counterNonce,
  libsodiumOrThrow,
  sealedSize,
} from './sealed-peer.ts';

const PEER = new URL('./sealed-peer.ts', import.meta.url);

interface Geometry {
  readonly tag: string;
  readonly label: string;
  /** Application bytes per frame. */
  readonly dataPerFrame: number;
  /** Frames sealed into one socket.write (>= 16 frames or >= 64 KiB per write, per the spec). */
  readonly framesPerWrite: number;
  /**
   * 'libsodium': the AEAD peerwire's SecretConnection uses (frame-aead.ts, libsodium's WebAssembly)
   * instead of one node:crypto cipher object per frame; 1 KiB frames only.
   */
  readonly aead?: 'libsodium';
}

const GEOMETRIES: readonly Geometry[] = [
  // CometBFT SecretConnection: 1024 data bytes per frame, 1044 sealed; 64 frames = 66.8 KB per write.
  {
    tag: '1k',
    label: '1 KiB frames (1044 B sealed, SecretConnection)',
    dataPerFrame: 1024,
    framesPerWrite: 64,
  },
  // The same with the AEAD peerwire seals SecretConnection frames with: the ceiling of that choice.
  {
    tag: '1k.sodium',
    label: '1 KiB frames (1044 B sealed), libsodium AEAD',
    dataPerFrame: 1024,
    framesPerWrite: 64,
    aead: 'libsodium',
  },
  // Noise maximum: 65535-byte sealed frames; 4 frames = 262 KB per write.
  { tag: '64k', label: '64 KiB frames (65535 B sealed, Noise max)', dataPerFrame: 65519, framesPerWrite: 4 },
];

async function measureGeometry(ctx: BenchContext, g: Geometry): Promise<void> {
  const side = await openSide(PEER, { procs: 2 });
  try {
    const key = crypto.randomBytes(KEY_BYTES);
    const port = await side.call<number>('listen', {
      keyHex: key.toString('hex'),
      dataPerFrame: g.dataPerFrame,
      ...(g.aead === undefined ? {} : { aead: g.aead }),
    });
    const sodium = g.aead === undefined ? undefined : await libsodiumOrThrow();
    const sock = await connectLoopback(port);
    const sealed = sealedSize(g.dataPerFrame);
    const payload = Buffer.alloc(g.dataPerFrame, 0x42);
    const plain = Buffer.alloc(LENGTH_BYTES + g.dataPerFrame);
    const nonce = Buffer.alloc(NONCE_BYTES);
    let frameNo = 0;
    const sendBatch = async (): Promise<number> => {
      const out = Buffer.allocUnsafe(sealed * g.framesPerWrite);
      let o = 0;
      for (let i = 0; i < g.framesPerWrite; i++) {
        plain.writeUInt32LE(g.dataPerFrame, 0);
        payload.copy(plain, LENGTH_BYTES); // the application data enters the frame, as in a real framer
        if (sodium !== undefined) {
          sodium.seal(key, counterNonce(frameNo++, nonce), plain, out, o);
          o += sealed;
          continue;
        }
        const c = crypto.createCipheriv('chacha20-poly1305', key, counterNonce(frameNo++, nonce), {
          authTagLength: TAG_BYTES,
        });
        o += c.update(plain).copy(out, o);
        c.final();
        o += c.getAuthTag().copy(out, o);
      }
      if (!sock.write(out)) await new Promise((resolve) => sock.once('drain', resolve));
      return g.framesPerWrite;
    };
    let total = (await sendPhase(side, ctx.config.warmupMs, 0, sendBatch)).items;
    const r = await repeatMedian(
      ctx.config.repeat,
      async () => {
        const phase = await sendPhase(side, ctx.config.measureMs, total, sendBatch);
        total += phase.items;
        return phase;
      },
      (p) => p.items / p.seconds,
    );
    sock.destroy();
    const m = r.median;
    const bytes = m.items * g.dataPerFrame;
    const MBps = bytes / m.seconds / 1e6;
    const framesPerSec = m.items / m.seconds;
    const details = {
      framesPerWrite: g.framesPerWrite,
      sealedFrameBytes: sealed,
      senderCpuSPerGB: m.senderCpuS / (bytes / 1e9),
      receiverCpuSPerGB: m.receiverCpuS / (bytes / 1e9),
    };
    ctx.results.add('sealed', {
      id: `sealed.${g.tag}.MBps`,
      label: `sealed ceiling, ${g.label}, data MB/s, 2 procs`,
      value: MBps,
      unit: 'MB/s',
      better: 'higher',
      range: [(r.min * g.dataPerFrame) / 1e6, (r.max * g.dataPerFrame) / 1e6],
      details,
    });
    ctx.results.add('sealed', {
      id: `sealed.${g.tag}.frames`,
      label: `sealed ceiling, ${g.label}, frames/s`,
      value: framesPerSec,
      unit: 'frames/s',
      better: 'higher',
      range: [r.min, r.max],
      details,
    });
  } finally {
    await side.close();
  }
}

export const sealedSuite: Suite = {
  name: 'sealed',
  description:
    'ChaCha20-Poly1305 fixed frames over loopback TCP, node:crypto and libsodium (practical ceiling)',
  async run(ctx) {
    for (const g of GEOMETRIES) {
      ctx.log(`sealed: ${g.label}`);
      await measureGeometry(ctx, g);
    }
  },
};
