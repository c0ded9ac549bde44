// The CometBFT PEX messages (docs/protocols/cometbft.md §5.2) as the AddressExchange service's codec:
// `Message{pex_request}` <-> { kind: 'request' } and `Message{pex_addrs: PexAddrs{NetAddress{id, ip,
// port}}}` <-> { kind: 'addresses' }. Only what a Go peer accepts is sent: addresses with a node ID, a
// textual IP and a TCP port (host names and in-process addresses are skipped). On receive, one entry
// that is not a valid NetAddress makes the whole PexAddrs invalid and the sender is banned for it, as
// Go does (StopPeerForError + MarkBad 24 h); a message that is not a pex.Message, or carries no kind,
// is ERR_MALFORMED (disconnect).

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeAddress } from '../../core/node-address.ts';
import type { AddressExchangeMessage } from '../../engine/services/address-exchange.ts';
import type { MessageCodec } from '../../core/message-codec.ts';
import { MessageSchema, type Message } from '../gen/cometbft/p2p/v1/pex_pb.ts';
import type { NetAddress } from '../gen/cometbft/p2p/v1/types_pb.ts';
import { isIpLiteral, isValidNodeIdText, netAddressFromPex, toNodeAddress } from '../wire/net-address.ts';

export const PexErrorCode = {
  /** A PexAddrs entry is not a valid NetAddress (bad IP, port or node ID): the sender is banned. */
  InvalidAddress: 'ERR_PEX_INVALID_ADDRESS',
} as const;

/** The bytes of every PexRequest: `0a 00` (docs/protocols/cometbft.md §5.2); encoded once. */
const PEX_REQUEST_BYTES = toBinary(
  MessageSchema,
  create(MessageSchema, { sum: { case: 'pexRequest', value: {} } }),
);

/** True when a Go peer would accept this address in a PexAddrs. */
export function isPexAddress(address: NodeAddress): boolean {
  return (
    address.protocol === 'tcp' &&
    address.id !== undefined &&
    isValidNodeIdText(address.id) &&
    isIpLiteral(address.host) &&
    Number.isInteger(address.port) &&
    address.port > 0 &&
    address.port <= 0xffff
  );
}

function toNetAddress(address: NodeAddress): Omit<NetAddress, '$typeName'> {
  return { id: address.id!, ip: address.host, port: address.port };
}

function malformed(why: string, cause?: unknown): PeerwireError {
  return new PeerwireError(ErrorCode.Malformed, `pex: ${why}`, {
    action: 'disconnect',
    ...(cause === undefined ? {} : { cause }),
  });
}

export const pexCodec: MessageCodec<AddressExchangeMessage> = {
  encode(message) {
    if (message.kind === 'request') return PEX_REQUEST_BYTES;
    const addrs = message.addresses.filter(isPexAddress).map(toNetAddress);
    return toBinary(MessageSchema, create(MessageSchema, { sum: { case: 'pexAddrs', value: { addrs } } }));
  },
  decode(bytes) {
    let message: Message;
    try {
      message = fromBinary(MessageSchema, bytes, { readUnknownFields: false });
    } catch (error) {
      throw malformed('invalid protobuf', error);
    }
    switch (message.sum.case) {
      case 'pexRequest':
        return { kind: 'request' };
      case 'pexAddrs': {
        const addresses: NodeAddress[] = [];
        for (const entry of message.sum.value.addrs) {
          try {
            addresses.push(toNodeAddress(netAddressFromPex(entry)));
          } catch (error) {
            throw new PeerwireError(PexErrorCode.InvalidAddress, 'pex: invalid address in PexAddrs', {
              action: 'ban',
              cause: error,
            });
          }
        }
        return { kind: 'addresses', addresses };
      }
      default:
        throw malformed('message with no kind set');
    }
  },
};
