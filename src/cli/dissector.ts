// The protocol dissector behind `peerwire decode`: bytes in, a JSON-ready description out.
// CometBFT: an MConnection packet (with or without its uvarint length prefix; a PacketMsg on a
// standard channel also gets its reactor message decoded), a reactor message on a given channel, or a
// NodeInfo. Zcash family: whole frames (24-byte header + body, several in a row), checked against the
// network's magic and the checksum, or a bare body with a given command; bodies use the network's
// chain format (Zcash or Bitcoin blocks and transactions). Stateless: rules that need a connection
// (the negotiated version, Zebra ignoring a command) are reported as notes, never as errors. Hashes
// are printed in display order. Everything thrown is a PeerwireError naming the frame, the offset and
// the reason, as remote bytes would be.

import { ErrorCode, PeerwireError } from '../core/errors.ts';
import { describeChannelMessage } from '../cometbft/channels/channel-codec.ts';
import { decodePacket, type Packet } from '../cometbft/wire/mconnection/packet-codec.ts';
import { decodeNodeInfo } from '../cometbft/wire/node-info.ts';
import { HEADER_LENGTH, MAX_PROTOCOL_MESSAGE_LENGTH } from '../zcash/encoding/constants.ts';
import { FrameDecoder } from '../zcash/wire/frame-decoder.ts';
import { decodeMessageBody } from '../zcash/wire/message-body.ts';
import { isKnownCommand } from '../zcash/wire/messages.ts';
import { connectionNotes, describeMessage } from '../zcash/wire/message-json.ts';
import { decodeIgnoredMessage } from '../zcash/wire/ignored-messages.ts';
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
  /** The network whose magic frames must carry and whose chain format bodies use. Default zcash-mainnet. */
  readonly network?: string;
  /** Decode a bare body of this command instead of frames. */
  readonly command?: string;
  /** The version compared with getblocks/getheaders versions in notes. Default: the network's. */
  readonly protocolVersion?: number;
}

function networkOfMagic(magic: Uint8Array): string | undefined {
  return NETWORK_NAMES.find((name) => Buffer.from(networkByName(name).magic).equals(magic));
}

/** Why bytes did not decode, with where (frame, command and offset). */
function failure(where: string, error: unknown): PeerwireError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PeerwireError(ErrorCode.Malformed, `${where}: ${reason}`, { action: 'transient', cause: error });
}

/**
 * One body, described statelessly: a known command through the codec (connection rules become
 * notes), a command Zebra ignores through the dissector-only decoders, anything else by its length.
 */
function describeBody(command: string, body: Uint8Array, network: NetworkParams, protocolVersion: number, digest?: Uint8Array): Record<string, unknown> {
  const notes: string[] = [];
  let message: Record<string, unknown>;
  if (isKnownCommand(command)) {
    const decoded = decodeMessageBody(command, body, { protocolVersion, checkLocatorVersion: false, chainFormat: network.family }, digest);
    message = describeMessage(decoded);
    notes.push(...connectionNotes(decoded, { protocolVersion, networkName: network.name }));
  } else {
    const ignored = decodeIgnoredMessage(command, body, network.family);
    message = ignored === undefined ? { command: 'unknown', name: command, length: body.length } : { command, ...ignored };
    notes.push(`a Zebra connection ignores the "${command}" command (counted and dropped, the connection stays up)`);
  }
  return { message, ...(notes.length === 0 ? {} : { notes }) };
}

/** Decodes Zcash-family frames or one body (see the file comment). */
export function dissectZcash(bytes: Uint8Array, options: ZcashDecodeOptions = {}): Record<string, unknown> {
  if (bytes.length > MAX_DECODE_INPUT) throw invalid(`input of ${bytes.length} bytes exceeds ${MAX_DECODE_INPUT}`);
  const network: NetworkParams = networkByName(options.network ?? 'zcash-mainnet');
  const protocolVersion = options.protocolVersion ?? network.protocolVersion;
  if (options.command !== undefined) {
    const command = options.command;
    if (!/^[\x21-\x7e]{1,12}$/.test(command)) throw invalid(`invalid command "${command.slice(0, 12)}"`);
    try {
      return { wire: 'zcash', network: network.name, type: 'body', command, length: bytes.length, ...describeBody(command, bytes, network, protocolVersion) };
    } catch (error) {
      throw failure(`${command} body`, error);
    }
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
  let offset = 0;
  for (;;) {
    let frame;
    try {
      frame = decoder.next();
    } catch (error) {
      throw failure(`frame ${frames.length} at offset ${offset}`, error);
    }
    if (frame === undefined) break;
    try {
      frames.push({
        offset,
        command: frame.command,
        length: frame.body.length,
        checksum: Buffer.from(frame.digest.subarray(0, 4)).toString('hex'),
        ...describeBody(frame.command, frame.body, network, protocolVersion, frame.digest),
      });
    } catch (error) {
      throw failure(`frame ${frames.length} (${frame.command}) at offset ${offset}, body from offset ${offset + HEADER_LENGTH}`, error);
    }
    offset += HEADER_LENGTH + frame.body.length;
  }
  if (decoder.bufferedBytes > 0 || frames.length === 0) {
    throw invalid(`incomplete frame at offset ${offset}: ${decoder.bufferedBytes || bytes.length} bytes left over (a frame is a 24-byte header plus its body)`);
  }
  return { wire: 'zcash', network: network.name, type: 'frames', frames };
}
