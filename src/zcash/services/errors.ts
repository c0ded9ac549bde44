// Error codes of the Zcash protocol services (peer set, crawler, address book). Routing failures are
// `transient`: nobody remote is to blame when no peer can serve a request.

import { PeerwireError } from '../../core/errors.ts';

export const ZcashServiceErrorCode = {
  /** No ready peer to route a request to (a demand signal for the crawler is sent). */
  NoReadyPeers: 'ERR_ZCASH_NO_READY_PEERS',
  /** Every ready peer reported the single requested item missing: no request was sent. */
  NotFoundRegistry: 'ERR_ZCASH_NOT_FOUND_REGISTRY',
  /** A crawl's `Peers` request got no answer within PEER_GET_ADDR_TIMEOUT. */
  CrawlTimeout: 'ERR_ZCASH_CRAWL_TIMEOUT',
  /** The service was stopped. */
  Stopped: 'ERR_ZCASH_STOPPED',
} as const;

export function noReadyPeersError(): PeerwireError {
  return new PeerwireError(ZcashServiceErrorCode.NoReadyPeers, 'no ready Zcash peers', {
    action: 'transient',
  });
}

export function notFoundRegistryError(hash: string): PeerwireError {
  return new PeerwireError(
    ZcashServiceErrorCode.NotFoundRegistry,
    `every ready peer reported ${hash.slice(0, 16)}… missing`,
    { action: 'transient' },
  );
}

export function crawlTimeoutError(ms: number): PeerwireError {
  return new PeerwireError(ZcashServiceErrorCode.CrawlTimeout, `peers request unanswered after ${ms} ms`, {
    action: 'transient',
  });
}

export function stoppedError(what: string): PeerwireError {
  return new PeerwireError(ZcashServiceErrorCode.Stopped, `${what} stopped`, { action: 'transient' });
}
