// The testnet's demo channel messages (CometBFT wire, channel 0x70): gossip (`origin/seq` with a send
// time and padding to the payload size), and a probe that the receiver echoes back, for round-trip
// times. Fixed little-endian layout:
//   gossip: 0x01 | origin u16 | seq u32 | sentAt f64 (ms) | payload
//   probe:  0x02 | nonce u32 | sentAt f64
//   echo:   0x03 | nonce u32 | sentAt f64 (copied from the probe)
// decode() throws only PeerwireError: demo bytes come from peers too.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { MessageCodec } from '../../core/message-codec.ts';

/** The demo channel: not a standard CometBFT channel id (those are 0x00, 0x2x, 0x30, 0x38, 0x40, 0x6x). */
export const DEMO_CHANNEL_ID = 0x70;
/** Largest demo message (bytes): headers plus a payload of at most 64 KiB. */
export const MAX_DEMO_MESSAGE_BYTES = 64 * 1024 + 16;

export type DemoMessage =
  | { readonly kind: 'gossip'; readonly origin: number; readonly seq: number; readonly sentAt: number; readonly payload: Uint8Array }
  | { readonly kind: 'probe' | 'echo'; readonly nonce: number; readonly sentAt: number };

const GOSSIP = 0x01;
const PROBE = 0x02;
const ECHO = 0x03;
const GOSSIP_HEADER = 15;
const PROBE_LENGTH = 13;

function malformed(why: string): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, `demo message: ${why}`, { action: 'disconnect' });
}

export const demoCodec: MessageCodec<DemoMessage> = {
  encode(message) {
    if (message.kind === 'gossip') {
      const out = Buffer.alloc(GOSSIP_HEADER + message.payload.length);
      out[0] = GOSSIP;
      out.writeUInt16LE(message.origin, 1);
      out.writeUInt32LE(message.seq, 3);
      out.writeDoubleLE(message.sentAt, 7);
      out.set(message.payload, GOSSIP_HEADER);
      return out;
    }
    const out = Buffer.alloc(PROBE_LENGTH);
    out[0] = message.kind === 'probe' ? PROBE : ECHO;
    out.writeUInt32LE(message.nonce, 1);
    out.writeDoubleLE(message.sentAt, 5);
    return out;
  },
  decode(bytes) {
    if (bytes.length > MAX_DEMO_MESSAGE_BYTES) throw malformed(`${bytes.length} bytes`);
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const kind = b[0];
    if (kind === GOSSIP) {
      if (b.length < GOSSIP_HEADER) throw malformed('short gossip');
      return { kind: 'gossip', origin: b.readUInt16LE(1), seq: b.readUInt32LE(3), sentAt: b.readDoubleLE(7), payload: b.subarray(GOSSIP_HEADER) };
    }
    if (kind === PROBE || kind === ECHO) {
      if (b.length !== PROBE_LENGTH) throw malformed('bad probe length');
      return { kind: kind === PROBE ? 'probe' : 'echo', nonce: b.readUInt32LE(1), sentAt: b.readDoubleLE(5) };
    }
    throw malformed(`unknown kind ${String(kind)}`);
  },
};
