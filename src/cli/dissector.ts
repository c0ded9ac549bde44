// The protocol dissector behind `peerwire decode`: bytes in, a JSON-ready description out.
// CometBFT: an MConnection packet (with or without its uvarint length prefix; a PacketMsg on a
// standard channel also gets its reactor message decoded), a reactor message on a given channel, or a
// NodeInfo. Zcash family: whole frames (24-byte header + body, several in a row), checked against the
// network's magic and the checksum, or a bare body with a given command. Everything thrown is a
// PeerwireError with the reason, as remote bytes would be.

import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { describeChannelMessage } from '../cometbft/channels/channel-codec.ts';
import { decodePacket, type Packet } from '../cometbft/wire/mconnection/packet-codec.ts';
import { decodeNodeInfo } from '../cometbft/wire/node-info.ts';
import { decodeFrame } from '../zcash/wire/codec.ts';
import { HEADER_LENGTH, MAX_PROTOCOL_MESSAGE_LENGTH } from '../zcash/encoding/constants.ts';
import { FrameDecoder } from '../zcash/wire/frame-decoder.ts';
import { decodeMessageBody } from '../zcash/wire/message-body.ts';
import { isKnownCommand } from '../zcash/wire/messages.ts';
import { NETWORK_NAMES, networkByName, type NetworkParams } from '../zcash/params/network-params.ts';

/** Largest input accepted (bytes): a maximal Bitcoin-family frame plus its header. */
export const MAX_DECODE_INPUT = HEADER_LENGTH + MAX_PROTOCOL_MESSAGE_LENGTH;

export type CometbftDecodeType = 'auto' | 'packet' | 'message' | 'node-info';

function invalid(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, message, { action: 'transient' });
}

/** Reads a uvarint prefix; undefined when the bytes do not start with a complete one. */
function readUvarint(bytes: Uint8Array): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < Math.min(bytes.length, 5); i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

function describePacket(packet: Packet): Record<string, unknown> {
  if (packet.kind !== 'msg') return { packet: packet.kind };
  const out: Record<string, unknown> = { packet: 'msg', channelId: packet.channelId, eof: packet.eof, data: packet.data };
  try {
    const message = describeChannelMessage(packet.channelId, packet.data);
    out.channel = message.channel.name;
    out.kind = message.kind;
    out.message = message.message;
  } catch (error) {
    out.messageError = (error as Error).message;
  }
  return out;
}

export interface CometbftDecodeOptions {
  readonly type?: CometbftDecodeType;
  /** The channel of a bare reactor message (type `message`). */
  readonly channel?: number;
}

/** Decodes CometBFT bytes (see the file comment). */
export function dissectCometbft(bytes: Uint8Array, options: CometbftDecodeOptions = {}): Record<string, unknown> {
  const type = options.type ?? (options.channel === undefined ? 'auto' : 'message');
  if (type === 'node-info') {
    const prefix = readUvarint(bytes);
    const body = prefix !== undefined && prefix.size + prefix.value === bytes.length ? bytes.subarray(prefix.size) : bytes;
    return { wire: 'cometbft', type: 'node-info', nodeInfo: decodeNodeInfo(body) };
  }
  if (type === 'message') {
    if (options.channel === undefined) throw invalid('a reactor message needs --channel');
    const message = describeChannelMessage(options.channel, bytes);
    return { wire: 'cometbft', type: 'message', channelId: options.channel, channel: message.channel.name, kind: message.kind, message: message.message };
  }
  // A packet: prefer the delimited form when the prefix matches the length exactly.
  const prefix = readUvarint(bytes);
  if (prefix !== undefined && prefix.value > 0 && prefix.size + prefix.value === bytes.length) {
    try {
      return { wire: 'cometbft', type: 'packet', delimited: true, ...describePacket(decodePacket(bytes.subarray(prefix.size))) };
    } catch {
      // Not a delimited packet after all: try the bare form below.
    }
  }
  return { wire: 'cometbft', type: 'packet', delimited: false, ...describePacket(decodePacket(bytes)) };
}

export interface ZcashDecodeOptions {
  /** The network whose magic frames must carry. Default zcash-mainnet. */
  readonly network?: string;
  /** Decode a bare body of this command instead of frames. */
  readonly command?: string;
  /** Protocol version for getblocks/getheaders bodies. Default: the network's. */
  readonly protocolVersion?: number;
}

function networkOfMagic(magic: Uint8Array): string | undefined {
  return NETWORK_NAMES.find((name) => Buffer.from(networkByName(name).magic).equals(magic));
}

/** Decodes Zcash-family frames or one body (see the file comment). */
export function dissectZcash(bytes: Uint8Array, options: ZcashDecodeOptions = {}): Record<string, unknown> {
  if (bytes.length > MAX_DECODE_INPUT) throw invalid(`input of ${bytes.length} bytes exceeds ${MAX_DECODE_INPUT}`);
  const network: NetworkParams = networkByName(options.network ?? 'zcash-mainnet');
  const ctx = { protocolVersion: options.protocolVersion ?? network.protocolVersion };
  if (options.command !== undefined) {
    if (!isKnownCommand(options.command)) throw invalid(`unknown command "${options.command.slice(0, 12)}"`);
    return { wire: 'zcash', network: network.name, type: 'body', message: decodeMessageBody(options.command, bytes, ctx) };
  }
  if (bytes.length >= 4 && !Buffer.from(network.magic).equals(bytes.subarray(0, 4))) {
    const other = networkOfMagic(bytes.subarray(0, 4));
    throw invalid(
      `frame magic ${Buffer.from(bytes.subarray(0, 4)).toString('hex')} is not ${network.name}'s${other === undefined ? '' : ` (it is ${other}'s: use --network ${other})`}`,
    );
  }
  const decoder = new FrameDecoder({ magic: network.magic, maxBodyLength: Math.max(network.maxBodyLength, MAX_PROTOCOL_MESSAGE_LENGTH) });
  decoder.push(bytes);
  const frames: Record<string, unknown>[] = [];
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
    frames.push({ command: frame.command, length: frame.body.length, checksum: Buffer.from(frame.digest.subarray(0, 4)).toString('hex'), message: decodeFrame(frame, ctx) });
  }
  if (decoder.bufferedBytes > 0 || frames.length === 0) {
    throw invalid(`incomplete frame: ${decoder.bufferedBytes || bytes.length} bytes left over (a frame is a 24-byte header plus its body)`);
  }
  return { wire: 'zcash', network: network.name, type: 'frames', frames };
}
