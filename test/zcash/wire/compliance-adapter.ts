// How the transport compliance suite runs on the Zcash wire. The wire has a fixed set of channels
// (message families, channels.ts) and every message must parse as its command, so the suite's
// messages (channels 1, 2, 3; any bytes, 0 B to 1 MiB) ride inventory lists: the only messages that
// may carry a mebibyte of arbitrary bytes (up to 50,000 entries of 36 bytes) and that a connection
// without an inbound service hands to the router. Suite channels 1, 2 and 3 become `inv`, `getdata`
// and `notfound` on the Inventory channel; the payload fills the hashes of type-0 ("error") entries,
// which no registry or policy looks at, behind a first entry that holds its length.
//
// PeerInfo: a Zcash peer is named by its address (`ip:port`, `memory:name#n`), reports the fixed
// channel set, the negotiated version, the network's name and its own user agent; only the dialer
// learns a listen address (the one it dialed).

import { ByteReader } from '../../../src/zcash/encoding/byte-reader.ts';
import { ByteWriter } from '../../../src/zcash/encoding/byte-writer.ts';
import { HASH_LENGTH } from '../../../src/zcash/encoding/constants.ts';
import { Handshake } from '../../../src/zcash/handshake/handshake.ts';
import { formatPeerAddr } from '../../../src/zcash/handshake/connected-addr.ts';
import {
  encodeEnvelope,
  readEnvelope,
  ZCASH_CHANNEL_IDS,
  ZcashChannel,
} from '../../../src/zcash/connection/channels.ts';
import { ZcashWire } from '../../../src/zcash/connection/zcash-wire.ts';
import { NODE_NETWORK } from '../../../src/zcash/wire/net-address.ts';
import type { NetworkParams } from '../../../src/zcash/params/network-params.ts';
import type { Connection, InboundMessage, PeerInfo } from '../../../src/transport/types.ts';
import type { MessageAdapter } from '../../transport/compliance.ts';
import type { HarnessExtras } from '../../transport/compliance-harnesses.ts';

const COMMAND_OF: Readonly<Record<number, string>> = { 1: 'inv', 2: 'getdata', 3: 'notfound' };
const CHANNEL_OF: Readonly<Record<string, number>> = { inv: 1, getdata: 2, notfound: 3 };

/** Type code of the entries that carry payload bytes: "error", kept by parsers, ignored downstream. */
const CARRIER_ENTRY_TYPE = 0;

function commandFor(channelId: number): string {
  const command = COMMAND_OF[channelId];
  if (command === undefined) throw new Error(`the zcash adapter carries suite channels 1..3, not ${channelId}`);
  return command;
}

/** An inventory list body carrying `payload`: a length entry, then the bytes, 32 per entry (zero-padded). */
function packPayload(payload: Uint8Array): Uint8Array {
  const entries = 1 + Math.ceil(payload.length / HASH_LENGTH);
  const w = new ByteWriter(9 + entries * (4 + HASH_LENGTH));
  w.compactSize(entries);
  w.u32le(CARRIER_ENTRY_TYPE);
  const length = new Uint8Array(HASH_LENGTH);
  new DataView(length.buffer).setUint32(0, payload.length, true);
  w.bytes(length);
  for (let offset = 0; offset < payload.length; offset += HASH_LENGTH) {
    const hash = new Uint8Array(HASH_LENGTH);
    hash.set(payload.subarray(offset, offset + HASH_LENGTH));
    w.u32le(CARRIER_ENTRY_TYPE);
    w.bytes(hash);
  }
  return w.finish();
}

function unpackPayload(body: Uint8Array): Buffer {
  const r = new ByteReader(body);
  const entries = r.compactSize();
  r.u32le();
  const length = new DataView(body.buffer, body.byteOffset + r.offset, 4).getUint32(0, true);
  r.skip(HASH_LENGTH, 'length entry');
  const out = Buffer.alloc((entries - 1) * HASH_LENGTH);
  for (let i = 1; i < entries; i++) {
    r.u32le();
    out.set(r.sub(HASH_LENGTH, 'payload entry'), (i - 1) * HASH_LENGTH);
  }
  return out.subarray(0, length);
}

export const zcashMessages: MessageAdapter = {
  wrap: (message) => ({
    channelId: ZcashChannel.Inventory,
    bytes: encodeEnvelope(commandFor(message.channelId), packPayload(message.bytes)),
  }),
  unwrap: (message: InboundMessage) => {
    const { command, body } = readEnvelope(message.bytes);
    const channelId = CHANNEL_OF[command];
    if (channelId === undefined || message.channelId !== ZcashChannel.Inventory)
      throw new Error(`unexpected ${command} on channel ${message.channelId}`);
    return { channelId, bytes: unpackPayload(body) };
  },
};

/** The user agent of the compliance transport named `name`. */
const userAgentOf = (name: string): string => `/peerwire-compliance:${name}/`;

/** A Zcash wire for the transport named `name`: its own handshake service (nonces, user agent). */
export function zcashComplianceWire(network: NetworkParams, name: string): ZcashWire {
  const handshake = Handshake.builder()
    .withConfig({ network })
    .withAdvertisedServices(NODE_NETWORK)
    .withUserAgent(userAgentOf(name))
    .finish();
  return new ZcashWire({ handshake });
}

/** The adapter, and the PeerInfo a Zcash connection reports. */
export function zcashHarnessExtras(network: NetworkParams): HarnessExtras {
  return {
    messages: zcashMessages,
    expectedPeerInfo: (viewer: Connection, _remote, remoteName): Partial<PeerInfo> => {
      const peer = formatPeerAddr(viewer.remoteEndpoint);
      return {
        id: peer,
        publicKey: undefined,
        listenAddress: viewer.direction === 'outbound' ? peer : undefined,
        channels: ZCASH_CHANNEL_IDS,
        protocolVersion: String(network.protocolVersion),
        network: network.name,
        userAgent: userAgentOf(remoteName),
      };
    },
  };
}
