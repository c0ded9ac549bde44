// How Zcash messages ride the router's channels. The Zcash wire has no channels of its own, so its
// message families become channel ids (control, addresses, inventory, blocks, transactions, filters),
// which lets the router queue and prioritise them like any other wire's channels.
//
// Router message format (the "envelope"): the 12-byte NUL-padded command, exactly as in the frame
// header, followed by the message body as on the wire. It is the smallest thing that names a message
// without re-encoding it: on send the connection writes the 24-byte frame header (magic, command,
// length, checksum) in front of the body and hands both to the link as one unit, so every frame sent
// in a tick still leaves in one socket write. On receive, a body the frame decoder joined from several
// reads already sits behind its command (no copy); a body that arrived in one read is copied once
// behind it. Either way the connection's decoded message rides along (deliveredEnvelope), so the
// channel codec does not parse the body again.
// `getblocks`/`getheaders` bodies carry a protocol version: the connection rewrites it to the
// negotiated version on send, so channel codecs can encode once for every peer.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { MessageCodec } from '../../core/message-codec.ts';
import { ByteWriter } from '../encoding/byte-writer.ts';
import { COMMAND_LENGTH, HEADER_LENGTH } from '../encoding/constants.ts';
import { EMPTY_BODY_DIGEST, sha256d } from '../encoding/hashes.ts';
import { type Magic, writeFrameHeader } from '../wire/frame-header.ts';
import { CURRENT_NETWORK_PROTOCOL_VERSION } from '../params/network-upgrades.ts';
import { decodeMessageBody, encodeMessageBody } from '../wire/message-body.ts';
import type { ChainFormat } from '../chain/chain-format.ts';
import { isKnownCommand, type KnownCommand, type ZcashMessage } from '../wire/messages.ts';

/**
 * Channel ids of the Zcash message families. 0x80.. keeps them apart from CometBFT's well-known ids
 * (0x00 PEX .. 0x6x state sync), so logs and metrics never confuse the two wires.
 */
export const ZcashChannel = {
  /** ping, pong, reject (version/verack never travel on a channel). */
  Control: 0x80,
  /** addr, addrv2, getaddr. */
  Addresses: 0x81,
  /** inv, getdata, notfound, mempool. */
  Inventory: 0x82,
  /** block, getblocks, getheaders, headers. */
  Blocks: 0x83,
  /** tx. */
  Transactions: 0x84,
  /** filterload, filteradd, filterclear (BIP-37; Zebra ignores them). */
  Filters: 0x85,
} as const;

export type ZcashChannelId = (typeof ZcashChannel)[keyof typeof ZcashChannel];

export const ZCASH_CHANNEL_IDS: readonly number[] = Object.values(ZcashChannel);

const CHANNEL_OF: Readonly<Record<KnownCommand, number | undefined>> = {
  version: undefined,
  verack: undefined,
  ping: ZcashChannel.Control,
  pong: ZcashChannel.Control,
  reject: ZcashChannel.Control,
  addr: ZcashChannel.Addresses,
  addrv2: ZcashChannel.Addresses,
  getaddr: ZcashChannel.Addresses,
  inv: ZcashChannel.Inventory,
  getdata: ZcashChannel.Inventory,
  notfound: ZcashChannel.Inventory,
  mempool: ZcashChannel.Inventory,
  block: ZcashChannel.Blocks,
  getblocks: ZcashChannel.Blocks,
  getheaders: ZcashChannel.Blocks,
  headers: ZcashChannel.Blocks,
  tx: ZcashChannel.Transactions,
  filterload: ZcashChannel.Filters,
  filteradd: ZcashChannel.Filters,
  filterclear: ZcashChannel.Filters,
};

/** The channel a command travels on; undefined for the handshake commands. */
export function channelOf(command: KnownCommand): number | undefined {
  return CHANNEL_OF[command];
}

function invalid(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, message, { action: 'transient' });
}

/** Builds an envelope: the command, NUL-padded to 12 bytes, then a copy of the body. */
export function encodeEnvelope(command: string, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(COMMAND_LENGTH + body.length);
  out.fill(0, 0, COMMAND_LENGTH);
  out.write(command, 0, 'latin1');
  out.set(body, COMMAND_LENGTH);
  return out;
}

/** Reads an envelope's command (a known command, or throws) and returns it with a view of the body. */
export function readEnvelope(bytes: Uint8Array): { command: KnownCommand; body: Uint8Array } {
  if (bytes.length < COMMAND_LENGTH) throw invalid(`envelope of ${bytes.length} bytes has no command`);
  let end = 0;
  while (end < COMMAND_LENGTH && bytes[end] !== 0) end++;
  for (let i = end; i < COMMAND_LENGTH; i++) {
    if (bytes[i] !== 0) throw invalid('envelope command is not NUL-padded');
  }
  const command = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('latin1');
  if (!isKnownCommand(command)) throw invalid(`unknown command "${command}" in envelope`);
  return { command, body: bytes.subarray(COMMAND_LENGTH) };
}

/** Bodies up to this size are copied behind their header into one buffer; larger ones are written by reference. */
const COPY_BODY_BELOW_BYTES = 16 * 1024;

export interface EnvelopeFrameOptions {
  readonly magic: Magic;
  /** The connection's current body limit. */
  readonly maxBodyLength: number;
  /** Written into getblocks/getheaders bodies (the negotiated version). */
  readonly protocolVersion: number;
}

/** A router message turned into one wire frame: its chunks leave together, header first. */
export interface EnvelopeFrame {
  readonly command: KnownCommand;
  readonly chunks: readonly Uint8Array[];
  readonly bytes: number;
}

/**
 * Checks a router message sent on `channelId` (its command must belong to the channel; addrv2 is
 * never sent, as in Zebra; the body within the limit) and builds its frame: the 24-byte header in
 * front of the body, copied into one buffer when small, written by reference when large.
 */
export function envelopeFrame(channelId: number, envelope: Uint8Array, options: EnvelopeFrameOptions): EnvelopeFrame {
  const { command, body: given } = readEnvelope(envelope);
  if (channelOf(command) !== channelId) throw invalid(`${command} cannot be sent on channel ${channelId}`);
  if (command === 'addrv2') throw invalid('addrv2 is never sent (Zebra)');
  const max = options.maxBodyLength;
  if (given.length > max) {
    throw new PeerwireError(ErrorCode.FrameTooLarge, `${command} body of ${given.length} bytes exceeds ${max}`, {
      action: 'transient',
    });
  }
  let body = given;
  if ((command === 'getblocks' || command === 'getheaders') && body.length >= 4) {
    body = Buffer.from(body);
    new DataView(body.buffer, body.byteOffset, 4).setUint32(0, options.protocolVersion, true);
  }
  const digest = body.length === 0 ? EMPTY_BODY_DIGEST : sha256d(body);
  const bytes = HEADER_LENGTH + body.length;
  if (body.length < COPY_BODY_BELOW_BYTES) {
    const frame = Buffer.allocUnsafe(bytes);
    writeFrameHeader(frame, 0, options.magic, command, body.length, digest);
    frame.set(body, HEADER_LENGTH);
    return { command, chunks: [frame], bytes };
  }
  const header = Buffer.allocUnsafe(HEADER_LENGTH);
  writeFrameHeader(header, 0, options.magic, command, body.length, digest);
  return { command, chunks: [header, body], bytes };
}

/**
 * Messages a connection already decoded, keyed by the envelope it delivered to the router: the channel
 * codec returns them instead of parsing the bytes a second time. Weak: an entry lives as long as the
 * envelope does.
 */
const decodedByConnection = new WeakMap<Uint8Array, { readonly message: ZcashMessage; readonly chainFormat: ChainFormat }>();

/** Remembers the message a connection decoded from `envelope` (for the channel codec); returns `envelope`. */
export function deliveredEnvelope(envelope: Uint8Array, message: ZcashMessage, chainFormat: ChainFormat): Uint8Array {
  decodedByConnection.set(envelope, { message, chainFormat });
  return envelope;
}

/**
 * The channel codec services open Zcash-family channels with, for a chain format (Zcash or Bitcoin
 * blocks and transactions: pass the network's `family`): messages in, envelopes out. Encoding uses
 * our current version for getblocks/getheaders (the connection rewrites it per peer); decoding
 * accepts the version the connection already checked against the negotiated one.
 */
export function channelMessageCodec(chainFormat: ChainFormat): MessageCodec<ZcashMessage> {
  return {
    encode(message: ZcashMessage): Uint8Array {
      if (message.command === 'addrv2' || message.command === 'unknown') {
        throw invalid(`${message.command} cannot be sent`);
      }
      const w = new ByteWriter(COMMAND_LENGTH + 64);
      w.zeros(COMMAND_LENGTH);
      encodeMessageBody(w, message, { protocolVersion: CURRENT_NETWORK_PROTOCOL_VERSION, chainFormat });
      const out = w.finish();
      for (let i = 0; i < message.command.length; i++) out[i] = message.command.charCodeAt(i);
      return out;
    },
    decode(bytes: Uint8Array): ZcashMessage {
      // Parsed once: what the connection decoded comes back as is (same bytes, same chain format).
      const decoded = decodedByConnection.get(bytes);
      if (decoded !== undefined && decoded.chainFormat === chainFormat) return decoded.message;
      const { command, body } = readEnvelope(bytes);
      return decodeMessageBody(command, body, { protocolVersion: CURRENT_NETWORK_PROTOCOL_VERSION, checkLocatorVersion: false, chainFormat });
    },
  };
}

/** The channel codec of Zcash networks. */
export const zcashMessageCodec: MessageCodec<ZcashMessage> = channelMessageCodec('zcash');

/** The channel codec of Bitcoin-format networks (`bitcoin-mainnet`, `bitcoin-regtest`). */
export const bitcoinMessageCodec: MessageCodec<ZcashMessage> = channelMessageCodec('bitcoin');
