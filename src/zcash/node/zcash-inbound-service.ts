// The inbound service of a peerwire Zcash node (Zebra's Inbound, for a node without a chain state):
// answers `getaddr` from the address book (its cached, sanitized `addr` answer), hands pushed
// transactions to an optional handler (the testnet's demo traffic, an observer), and answers
// everything that needs a chain or a mempool with nothing, as a Zebra node that is still syncing
// does. Answers never block: the connection bounds each call by its request timeout anyway.

import type { GossipEntry } from '../policy/sanitize.ts';
import { ADDR_RESPONSE_LIMIT_DENOMINATOR, type AddressBook } from '../services/address-book.ts';
import { MAX_ADDRS_IN_MESSAGE } from '../encoding/constants.ts';
import type { InboundPeer, InboundService, ZcashRequest, ZcashResponse } from '../wire/requests.ts';
import type { Transaction } from '../chain/transaction.ts';

export interface ZcashInboundServiceOptions {
  readonly addressBook: AddressBook;
  /**
   * Answer `getaddr` from the current book instead of zebrad's 10-minute cache (local-network profile:
   * a testnet's seed must not keep answering with the empty book it had in its first second). Same
   * size rule: half the gossipable entries, at most 1,000. Default false.
   */
  readonly freshAddrAnswers?: boolean;
  /** Called with each transaction a peer pushes (`tx`). Default: ignored. */
  readonly onTransaction?: (tx: Transaction, peer: InboundPeer) => void;
}

const NIL: ZcashResponse = { kind: 'nil' };

export class ZcashInboundService implements InboundService {
  private readonly addressBook: AddressBook;
  private readonly onTransaction: ((tx: Transaction, peer: InboundPeer) => void) | undefined;
  private readonly fresh: boolean;

  constructor(options: ZcashInboundServiceOptions) {
    this.addressBook = options.addressBook;
    this.onTransaction = options.onTransaction;
    this.fresh = options.freshAddrAnswers ?? false;
  }

  private addrAnswer(): readonly GossipEntry[] {
    if (!this.fresh) return this.addressBook.getAddrResponse();
    const all = this.addressBook.sanitized();
    return all.slice(0, Math.min(MAX_ADDRS_IN_MESSAGE, Math.ceil(all.length / ADDR_RESPONSE_LIMIT_DENOMINATOR)));
  }

  handle(request: ZcashRequest, peer: InboundPeer, _signal: AbortSignal): Promise<ZcashResponse> {
    switch (request.kind) {
      case 'peers': {
        const addrs = this.addrAnswer().map((e) => ({ time: e.time, services: e.services, ip: e.ip, port: e.port }));
        return Promise.resolve({ kind: 'peers', addrs });
      }
      case 'push-transaction':
        this.onTransaction?.(request.tx, peer);
        return Promise.resolve(NIL);
      case 'blocks-by-hash':
        return Promise.resolve({ kind: 'blocks', blocks: [], missing: request.hashes });
      case 'transactions-by-id':
        return Promise.resolve({ kind: 'transactions', transactions: [], missing: request.ids });
      default:
        return Promise.resolve(NIL);
    }
  }
}
