// Reading a run of MConnection packets in place (MConnectionCore.receiveBytes on a transient chunk):
// canonical PacketMsgs that lie whole in one decrypted chunk, all on one channel, up to and including a
// message's last packet. Why: reading a packet the general way (DelimitedReader + decodePacket) makes a
// view of it, a view of its data and a packet object, about a kilobyte of young-generation heap per 1 KiB
// packet; on a saturated link the receiving process then scavenged every ~120 ms (BENCHMARKS.md,
// "Garbage per kilobyte received"). Here each packet's data is moved left over the heads already read
// (copyWithin, nothing allocated), so the run's data ends up contiguous behind the first head for the
// channel to copy out through one view. This writes into the chunk: only a chunk whose bytes nobody reads
// afterwards (the SecretConnection opener's own buffer) may be read this way.

import type { ChannelState } from './channel-state.ts';
import { CANONICAL_MSG, canonicalPacketMsgAt, shortVarint } from './packet-codec.ts';

/**
 * The last run readPacketRun found: one record for the process, filled in place (no object per run).
 * `channel` and the data range [dataStart, dataEnd) in the chunk; `packets` read, ending at `end`, and
 * whether the last one ended its message (`eof`). Valid until the next call.
 */
export const PACKET_RUN = {
  channel: undefined as ChannelState | undefined,
  dataStart: 0,
  dataEnd: 0,
  packets: 0,
  eof: false,
  end: 0,
};

/**
 * Reads the run starting at `from` in `chunk` into PACKET_RUN; false, having read nothing, when the
 * packet there is not one to read this way (a ping or pong, a packet cut by the chunk's end, a
 * non-canonical packet or one over `maxPacketSize`, a channel `channelOf` does not know): the general
 * path then takes it, with its checks and errors.
 */
export function readPacketRun(
  chunk: Uint8Array,
  from: number,
  maxPacketSize: number,
  channelOf: ReadonlyMap<number, ChannelState>,
): boolean {
  const end = chunk.length;
  const fields = CANONICAL_MSG;
  const run = PACKET_RUN;
  let pos = from;
  let channel: ChannelState | undefined;
  run.packets = 0;
  run.eof = false;
  while (pos < end) {
    const length = shortVarint(chunk, pos);
    if (length < 0) break;
    const start = pos + (length < 0x80 ? 1 : 2);
    if (length > maxPacketSize || start + length > end) break;
    if (!canonicalPacketMsgAt(chunk, start, start + length)) break;
    const own = channelOf.get(fields.channelId);
    if (own === undefined || (channel !== undefined && own !== channel)) break;
    const size = fields.dataEnd - fields.dataStart;
    if (channel === undefined) {
      channel = own;
      run.dataStart = fields.dataStart;
      run.dataEnd = fields.dataEnd;
    } else if (size > 0) {
      chunk.copyWithin(run.dataEnd, fields.dataStart, fields.dataEnd);
      run.dataEnd += size;
    }
    run.packets++;
    pos = start + length;
    if (fields.eof) {
      run.eof = true;
      break;
    }
  }
  run.channel = channel;
  run.end = pos;
  return channel !== undefined;
}
