// The MConnection Packet codec, hand-written for the per-packet hot path (docs/protocols/cometbft.md §3.1).
// A Packet is a protobuf oneof of PacketPing, PacketPong or PacketMsg{channel_id, eof, data}. The
// generated @bufbuild code for the same schema (gen/cometbft/p2p/v1/conn_pb.ts) is 5-8x slower per
// packet (BENCHMARKS.md, design figures), so this file encodes into a caller's buffer and decodes
// zero-copy (`data` is a view of the input). It emits exactly the bytes Go (gogoproto) and @bufbuild
// emit: zero fields are omitted, so channel 0 (PEX) never shows its id and `eof=false` and empty
// data are absent. The decoder follows protobuf rules like Go's: fields in any order, last scalar
// wins, well-formed unknown fields skipped; anything else is a typed ERR_MALFORMED, a Packet with no
// known kind is ERR_MCONN_UNKNOWN_PACKET and a channel id outside 0..255 is ERR_UNKNOWN_CHANNEL.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import { MConnErrorCode, malformed, unknownChannel } from './mconn-errors.ts';

/**
 * Most data bytes in one PacketMsg (CometBFT `max_packet_msg_payload_size`, default 1024). Go's
 * receiver rejects larger packets, so every sender must fragment at this size.
 */
export const MAX_PACKET_MSG_PAYLOAD_SIZE = 1024;

/** Largest channel id: CometBFT channel ids are one byte. */
export const MAX_CHANNEL_ID = 0xff;

export interface PingPacket {
  readonly kind: 'ping';
}

export interface PongPacket {
  readonly kind: 'pong';
}

export interface MsgPacket {
  readonly kind: 'msg';
  readonly channelId: number;
  readonly eof: boolean;
  /** A view of the decoded input (no copy). */
  readonly data: Uint8Array;
}

export type Packet = PingPacket | PongPacket | MsgPacket;

export const PING: PingPacket = Object.freeze({ kind: 'ping' });
export const PONG: PongPacket = Object.freeze({ kind: 'pong' });

const EMPTY: Uint8Array = new Uint8Array(0);

// Tags: (field_number << 3) | wire_type.
const TAG_PACKET_PING = 0x0a; // field 1, length-delimited
const TAG_PACKET_PONG = 0x12; // field 2, length-delimited
const TAG_PACKET_MSG = 0x1a; // field 3, length-delimited
const TAG_CHANNEL_ID = 0x08; // field 1, varint
const TAG_EOF = 0x10; // field 2, varint
const TAG_DATA = 0x1a; // field 3, length-delimited

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Bytes a uvarint of `n` takes (`n` a non-negative integer below 2^32). */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** Writes a uvarint (`n` below 2^32) at `pos`; returns the position after it. */
export function writeVarint32(out: Uint8Array, pos: number, n: number): number {
  let v = n >>> 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** Size of the PacketMsg message body (no Packet wrapper, no length prefix). */
export function packetMsgBodySize(channelId: number, eof: boolean, dataLength: number): number {
  let size = 0;
  if (channelId !== 0) size += 1 + varintSize(channelId);
  if (eof) size += 2;
  if (dataLength > 0) size += 1 + varintSize(dataLength) + dataLength;
  return size;
}

/** Size of a bare Packet{packet_msg} (what the length prefix counts). */
export function packetMsgPacketSize(channelId: number, eof: boolean, dataLength: number): number {
  const body = packetMsgBodySize(channelId, eof, dataLength);
  return 1 + varintSize(body) + body;
}

/** Size of a length-prefixed Packet{packet_msg}, as written into the stream. */
export function delimitedPacketMsgSize(channelId: number, eof: boolean, dataLength: number): number {
  const packet = packetMsgPacketSize(channelId, eof, dataLength);
  return varintSize(packet) + packet;
}

/**
 * Largest bare Packet a receiver accepts (§3.2): the size of Packet{PacketMsg{channel_id: 1, eof: true,
 * data: <payload bytes>}}; 1034 for the default payload of 1024.
 */
export function maxPacketSize(maxPayload = MAX_PACKET_MSG_PAYLOAD_SIZE): number {
  return packetMsgPacketSize(1, true, maxPayload);
}

/** 1034: the receive limit for the default payload size. */
export const MAX_PACKET_SIZE = maxPacketSize();

/** Length-prefixed PacketPing and PacketPong, as on the wire: `02 0a 00` and `02 12 00`. */
export const PING_WIRE: Uint8Array = Uint8Array.of(0x02, TAG_PACKET_PING, 0x00);
export const PONG_WIRE: Uint8Array = Uint8Array.of(0x02, TAG_PACKET_PONG, 0x00);

function checkChannelId(channelId: number): void {
  if (!Number.isInteger(channelId) || channelId < 0 || channelId > MAX_CHANNEL_ID) {
    throw new PeerwireError(ErrorCode.InvalidArgument, `mconnection: channel id ${channelId} is not a byte`, {
      action: 'transient',
    });
  }
}

/**
 * Writes a bare Packet{PacketMsg} at `pos` (the caller checked there is room, see packetMsgPacketSize);
 * returns the position after it. `data` is copied.
 */
export function writePacketMsg(
  out: Uint8Array,
  pos: number,
  channelId: number,
  eof: boolean,
  data: Uint8Array,
): number {
  pos = writePacketMsgHead(out, pos, channelId, eof, data.length);
  if (data.length > 0) {
    out.set(data, pos);
    pos += data.length;
  }
  return pos;
}

/**
 * Writes a bare Packet{PacketMsg} at `pos` up to where its `dataLength` data bytes go, and returns that
 * position: the caller puts the data there (MConnection's run of packets moves it into place itself).
 */
export function writePacketMsgHead(
  out: Uint8Array,
  pos: number,
  channelId: number,
  eof: boolean,
  dataLength: number,
): number {
  checkChannelId(channelId);
  const body = packetMsgBodySize(channelId, eof, dataLength);
  out[pos++] = TAG_PACKET_MSG;
  pos = writeVarint32(out, pos, body);
  if (channelId !== 0) {
    out[pos++] = TAG_CHANNEL_ID;
    pos = writeVarint32(out, pos, channelId);
  }
  if (eof) {
    out[pos++] = TAG_EOF;
    out[pos++] = 1;
  }
  if (dataLength > 0) {
    out[pos++] = TAG_DATA;
    pos = writeVarint32(out, pos, dataLength);
  }
  return pos;
}

/** Writes a length-prefixed Packet{PacketMsg} at `pos`; returns the position after it. */
export function writeDelimitedPacketMsg(
  out: Uint8Array,
  pos: number,
  channelId: number,
  eof: boolean,
  data: Uint8Array,
): number {
  pos = writeVarint32(out, pos, packetMsgPacketSize(channelId, eof, data.length));
  return writePacketMsg(out, pos, channelId, eof, data);
}

/** Encodes one Packet into a new buffer, bare or with its length prefix. */
export function encodePacket(packet: Packet, delimited = false): Uint8Array {
  if (packet.kind !== 'msg') {
    const wire = packet.kind === 'ping' ? PING_WIRE : PONG_WIRE;
    return delimited ? wire.slice() : wire.slice(1);
  }
  const size = packetMsgPacketSize(packet.channelId, packet.eof, packet.data.length);
  const out = new Uint8Array(delimited ? varintSize(size) + size : size);
  const pos = delimited ? writeVarint32(out, 0, size) : 0;
  writePacketMsg(out, pos, packet.channelId, packet.eof, packet.data);
  return out;
}

// ---- decoding -------------------------------------------------------------------------------------

// The decoder is synchronous and non-reentrant, so the varint reader hands back its end position and
// high half through module state instead of allocating a tuple per varint.
let varintEnd = 0;
let varintHigh = 0;

/**
 * Reads a uvarint of at most 10 bytes ending before `end`; returns its low 32 bits (unsigned), leaves
 * the high bits in `varintHigh` and the next position in `varintEnd`. Like Go, bits beyond 64 are
 * ignored rather than rejected.
 */
function readVarint(bytes: Uint8Array, pos: number, end: number): number {
  let low = 0;
  let high = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw malformed('varint (truncated)');
    const b = bytes[pos++]!;
    if (i < 4) low |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      low |= (b & 0x0f) << 28;
      high = (b & 0x7f) >>> 4;
    } else high |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) {
      varintEnd = pos;
      varintHigh = high >>> 0;
      return low >>> 0;
    }
  }
  throw malformed('varint (longer than 10 bytes)');
}

/** Reads a length prefix for a length-delimited field and returns the field's end position. */
function readLengthEnd(bytes: Uint8Array, pos: number, end: number): number {
  const length = readVarint(bytes, pos, end);
  if (varintHigh !== 0 || length > end - varintEnd) throw malformed('length-delimited field (truncated)');
  return varintEnd + length;
}

/** Skips one field of the given wire type starting at `pos`; returns the position after it. */
function skipField(bytes: Uint8Array, pos: number, end: number, wireType: number): number {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(bytes, pos, end);
      return varintEnd;
    case WIRE_FIXED64:
      if (end - pos < 8) throw malformed('fixed64 field (truncated)');
      return pos + 8;
    case WIRE_LEN:
      return readLengthEnd(bytes, pos, end);
    case WIRE_FIXED32:
      if (end - pos < 4) throw malformed('fixed32 field (truncated)');
      return pos + 4;
    default:
      throw malformed(`field (wire type ${wireType})`);
  }
}

/** Reads a tag; returns the field number (0 for numbers that do not fit 29 bits) and sets `varintEnd`. */
function readTag(bytes: Uint8Array, pos: number, end: number): number {
  const tag = readVarint(bytes, pos, end);
  const field = varintHigh === 0 ? tag >>> 3 : 0x7fffffff;
  if (field === 0) throw malformed('tag (field number 0)');
  return field;
}

/** Walks an empty message (PacketPing/PacketPong): any fields in it are unknown and skipped. */
function skipMessage(bytes: Uint8Array, pos: number, end: number): void {
  while (pos < end) {
    const tagStart = pos;
    readTag(bytes, pos, end);
    const wireType = bytes[tagStart]! & 7;
    pos = skipField(bytes, varintEnd, end, wireType);
  }
}

function decodePacketMsg(bytes: Uint8Array, pos: number, end: number): MsgPacket {
  let channelId = 0;
  let eof = false;
  let data = EMPTY;
  while (pos < end) {
    const wireType = bytes[pos]! & 7;
    const field = readTag(bytes, pos, end);
    pos = varintEnd;
    if (field === 1 && wireType === WIRE_VARINT) {
      // int32: Go keeps the low 32 bits of the varint as a signed value.
      channelId = readVarint(bytes, pos, end) | 0;
      pos = varintEnd;
    } else if (field === 2 && wireType === WIRE_VARINT) {
      eof = (readVarint(bytes, pos, end) | varintHigh) !== 0;
      pos = varintEnd;
    } else if (field === 3 && wireType === WIRE_LEN) {
      const dataEnd = readLengthEnd(bytes, pos, end);
      data = bytes.subarray(varintEnd, dataEnd);
      pos = dataEnd;
    } else if (field <= 3) {
      throw malformed(`PacketMsg field ${field} (wrong wire type ${wireType})`);
    } else {
      pos = skipField(bytes, pos, end, wireType);
    }
  }
  if (channelId < 0 || channelId > MAX_CHANNEL_ID) throw unknownChannel(channelId);
  return { kind: 'msg', channelId, eof, data };
}

/**
 * Decodes one bare Packet (no length prefix). PacketMsg.data is a view of `bytes`. Throws only
 * PeerwireError: ERR_MALFORMED, ERR_MCONN_UNKNOWN_PACKET (no known kind) or ERR_UNKNOWN_CHANNEL
 * (channel id outside 0..255).
 */
export function decodePacket(bytes: Uint8Array): Packet {
  // Fast paths for the three shapes every real peer sends.
  if (bytes.length === 2 && bytes[1] === 0) {
    if (bytes[0] === TAG_PACKET_PING) return PING;
    if (bytes[0] === TAG_PACKET_PONG) return PONG;
  }
  if (bytes[0] === TAG_PACKET_MSG) {
    const fast = decodeCanonicalPacketMsg(bytes);
    if (fast !== undefined) return fast;
  }
  return decodeGeneric(bytes);
}

/** Reads a 1- or 2-byte uvarint at `pos` (all lengths a valid packet has); -1 for anything else. */
export function shortVarint(bytes: Uint8Array, pos: number): number {
  const b0 = bytes[pos];
  if (b0 === undefined) return -1;
  if (b0 < 0x80) return b0;
  const b1 = bytes[pos + 1];
  if (b1 === undefined || b1 >= 0x80 || b1 === 0) return -1;
  return (b0 & 0x7f) | (b1 << 7);
}

/**
 * The fields of the last PacketMsg canonicalPacketMsgAt accepted: one record for the process, filled in
 * place, so the receive path reads a packet's fields without an object or a view per packet
 * (MConnectionCore.receiveRun). Valid until the next call.
 */
export const CANONICAL_MSG = { channelId: 0, eof: false, hasData: false, dataStart: 0, dataEnd: 0 };

/**
 * Reads the bare Packet in bytes[start, end) if it has the canonical layout `1a L [08 ch] [10 01]
 * [1a n data]` with short varints, as every encoder emits it, into CANONICAL_MSG; false for anything
 * else, which then takes the general path (same result, more checks).
 */
export function canonicalPacketMsgAt(bytes: Uint8Array, start: number, end: number): boolean {
  if (bytes[start] !== TAG_PACKET_MSG) return false;
  const bodyLength = shortVarint(bytes, start + 1);
  if (bodyLength < 0) return false;
  let pos = start + (bodyLength < 0x80 ? 2 : 3);
  if (pos + bodyLength !== end) return false;
  const out = CANONICAL_MSG;
  out.channelId = 0;
  out.eof = false;
  out.hasData = false;
  out.dataStart = end;
  out.dataEnd = end;
  if (pos < end && bytes[pos] === TAG_CHANNEL_ID) {
    const id = bytes[pos + 1];
    if (id === undefined || id >= 0x80 || pos + 1 >= end) return false;
    out.channelId = id;
    pos += 2;
  }
  if (pos + 1 < end && bytes[pos] === TAG_EOF && bytes[pos + 1] === 1) {
    out.eof = true;
    pos += 2;
  }
  if (pos < end && bytes[pos] === TAG_DATA) {
    const length = shortVarint(bytes, pos + 1);
    if (length < 0) return false;
    const dataStart = pos + (length < 0x80 ? 2 : 3);
    if (dataStart + length !== end) return false;
    out.hasData = true;
    out.dataStart = dataStart;
    pos = end;
  }
  return pos === end;
}

/** canonicalPacketMsgAt over a whole bare Packet, as a MsgPacket; undefined for anything else. */
function decodeCanonicalPacketMsg(bytes: Uint8Array): MsgPacket | undefined {
  if (!canonicalPacketMsgAt(bytes, 0, bytes.length)) return undefined;
  const { channelId, eof, hasData, dataStart, dataEnd } = CANONICAL_MSG;
  return { kind: 'msg', channelId, eof, data: hasData ? bytes.subarray(dataStart, dataEnd) : EMPTY };
}

function decodeGeneric(bytes: Uint8Array): Packet {
  const end = bytes.length;
  let pos = 0;
  let packet: Packet | undefined;
  while (pos < end) {
    const wireType = bytes[pos]! & 7;
    const field = readTag(bytes, pos, end);
    pos = varintEnd;
    if (field <= 3) {
      if (wireType !== WIRE_LEN) throw malformed(`Packet field ${field} (wrong wire type ${wireType})`);
      const fieldEnd = readLengthEnd(bytes, pos, end);
      const bodyStart = varintEnd;
      // A oneof seen twice: the last one wins, as in Go.
      if (field === 1) {
        skipMessage(bytes, bodyStart, fieldEnd);
        packet = PING;
      } else if (field === 2) {
        skipMessage(bytes, bodyStart, fieldEnd);
        packet = PONG;
      } else {
        packet = decodePacketMsg(bytes, bodyStart, fieldEnd);
      }
      pos = fieldEnd;
    } else {
      pos = skipField(bytes, pos, end, wireType);
    }
  }
  if (packet === undefined) {
    throw new PeerwireError(
      MConnErrorCode.UnknownPacket,
      'mconnection: unknown message type (empty Packet)',
      {
        action: 'disconnect',
      },
    );
  }
  return packet;
}
