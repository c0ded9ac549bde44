// The router's identity checks on a completed handshake, whatever the wire: the claimed node ID must be
// the one its authenticated key derives (when the wire has keys), a dialed `id@host:port` must reach
// that ID, and a connection to ourselves is refused. The wire proves the key; these bind it to the ID.

import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import type { NodeId } from '../../core/node-address.ts';
import { nodeIdFromPublicKey } from '../../core/node-key.ts';
import type { PeerInfo } from '../../transport/types.ts';

export function checkPeerIdentity(info: PeerInfo, expectedId: NodeId | undefined, selfId: NodeId): void {
  if (info.publicKey !== undefined && nodeIdFromPublicKey(info.publicKey) !== info.id) {
    throw new PeerwireError(ErrorCode.PeerIdMismatch, `peer's key does not match its node ID ${info.id}`, {
      action: 'ban',
    });
  }
  if (expectedId !== undefined && expectedId !== info.id) {
    throw new PeerwireError(ErrorCode.PeerIdMismatch, `dialed ${expectedId} but reached ${info.id}`, {
      action: 'disconnect',
    });
  }
  if (info.id === selfId) {
    throw new PeerwireError(ErrorCode.SelfConnection, 'connected to ourselves', { action: 'disconnect' });
  }
}
