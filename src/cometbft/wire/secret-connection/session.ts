// An established SecretConnection: the authenticated remote identity plus the two framing halves
// (cometbft-wire docs/protocols/cometbft.md §2). Sans-I/O: the caller writes whatever `seal()` returns and feeds whatever the
// socket delivers to `open()`. Sending and receiving are independent (separate keys and nonces), as in
// Go, so a read loop and a write loop may use one session concurrently.

import type { NodeId } from '../../../core/node-address.ts';
import { nodeIdFromPublicKey } from '../../../core/node-key.ts';
import type { FrameDataCallback, FrameOpener } from './frame-opener.ts';
import type { FrameSealer } from './frame-sealer.ts';

export class SecretSession {
  /** The remote's verified Ed25519 public key (32 bytes). */
  readonly remotePublicKey: Uint8Array;
  /** Node ID of the remote key. A dialer must compare it with the ID it dialed (docs/protocols/cometbft.md §1.9). */
  readonly remoteNodeId: NodeId;
  /** The sending half; exposed for counters and test hooks. */
  readonly sealer: FrameSealer;
  /** The receiving half; exposed for counters and test hooks. */
  readonly opener: FrameOpener;

  constructor(remotePublicKey: Uint8Array, sealer: FrameSealer, opener: FrameOpener) {
    this.remotePublicKey = remotePublicKey;
    this.remoteNodeId = nodeIdFromPublicKey(remotePublicKey);
    this.sealer = sealer;
    this.opener = opener;
  }

  /**
   * Seals the concatenated chunks into 1044-byte frames, returned as one buffer ready for one socket
   * write. Chunks are copied, never retained. Throws NonceExhausted (connection must close).
   */
  seal(chunks: readonly Uint8Array[], into?: Buffer): Buffer {
    return this.sealer.seal(chunks, into);
  }

  /**
   * Feeds received socket bytes (any chunking); returns the data of the frames they complete, in order.
   * The input is not retained. Throws DecryptFailed / FrameTooLarge / NonceExhausted (close the
   * connection; the action on the error says whether to ban).
   */
  open(chunk: Uint8Array): Uint8Array[] {
    return this.opener.open(chunk);
  }

  /** Like `open`, with one callback per frame's data instead of an array. */
  openEach(chunk: Uint8Array, onData: FrameDataCallback): void {
    this.opener.openEach(chunk, onData);
  }
}
