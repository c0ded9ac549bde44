// Unsolicited peer messages as requests to the InboundService, and its responses as messages back
// (docs/protocols/zcash.md §7 "messages that do not complete the pending handler"; Zebra connection.rs handle_message_as_request).
// Calls are serialised per connection, like Zebra's connection task, each bounded by the request
// timeout. At most a few wait behind the running one; past that the connection stops reading from
// the socket until the service catches up, so a flooding peer is slowed by TCP backpressure rather
// than growing memory.

import { deadline, raceAbort } from '../../core/abort.ts';
import type { Clock } from '../../core/clock.ts';
import { toPeerwireError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { MAX_ADDRS_IN_MESSAGE, MAX_HEADERS_PER_MESSAGE, MAX_TX_INV_IN_SENT_MESSAGE } from '../encoding/constants.ts';
import type { InventoryItem } from '../chain/inventory.ts';
import type { OutboundMessage, ZcashMessage } from '../wire/messages.ts';
import type { InboundPeer, InboundService, TxId, ZcashRequest, ZcashResponse } from '../wire/requests.ts';

/** Requests queued behind the running one before the connection stops reading. */
export const MAX_QUEUED_INBOUND_REQUESTS = 8;

/** The request an unsolicited message makes of us, or undefined when Zebra ignores it. */
export function inboundRequestFor(message: ZcashMessage): ZcashRequest | undefined {
  switch (message.command) {
    case 'getaddr':
      return { kind: 'peers' };
    case 'getblocks':
      return { kind: 'find-blocks', locator: message.locator, stop: message.stop };
    case 'getheaders':
      return { kind: 'find-headers', locator: message.locator, stop: message.stop };
    case 'mempool':
      return { kind: 'mempool-transaction-ids' };
    case 'tx':
      return { kind: 'push-transaction', tx: message.tx };
    case 'getdata': {
      const blocks = message.items.flatMap((i) => (i.type === 'block' ? [i.hash] : []));
      if (blocks.length > 0) return { kind: 'blocks-by-hash', hashes: blocks };
      const ids = txIds(message.items);
      return ids.length > 0 ? { kind: 'transactions-by-id', ids } : undefined;
    }
    case 'inv': {
      const first = message.items[0];
      if (message.items.length === 1 && first?.type === 'block')
        return { kind: 'advertise-block', hash: first.hash };
      const ids = txIds(message.items);
      return ids.length > 0 ? { kind: 'advertise-transaction-ids', ids } : undefined;
    }
    default:
      return undefined;
  }
}

function txIds(items: readonly InventoryItem[]): TxId[] {
  const out: TxId[] = [];
  for (const i of items) {
    if (i.type === 'tx') out.push({ txid: i.hash });
    else if (i.type === 'wtx') out.push({ txid: i.txid, authDigest: i.authDigest });
  }
  return out;
}

function txItem(id: TxId): InventoryItem {
  return id.authDigest === undefined
    ? { type: 'tx', hash: id.txid }
    : { type: 'wtx', txid: id.txid, authDigest: id.authDigest };
}

/** The messages that carry a response back to the peer. */
export function responseMessages(response: ZcashResponse): OutboundMessage[] {
  switch (response.kind) {
    case 'nil':
    case 'pong':
      return [];
    case 'peers':
      return response.addrs.length === 0
        ? []
        : [{ command: 'addr', addrs: response.addrs.slice(0, MAX_ADDRS_IN_MESSAGE) }];
    case 'blocks': {
      const out: OutboundMessage[] = response.blocks.map((block) => ({ command: 'block', block }));
      if (response.missing.length > 0) {
        out.push({ command: 'notfound', items: response.missing.map((hash) => ({ type: 'block', hash })) });
      }
      return out;
    }
    case 'transactions': {
      const out: OutboundMessage[] = response.transactions.map((tx) => ({ command: 'tx', tx }));
      if (response.missing.length > 0) out.push({ command: 'notfound', items: response.missing.map(txItem) });
      return out;
    }
    case 'block-hashes':
      return [{ command: 'inv', items: response.hashes.map((hash) => ({ type: 'block', hash })) }];
    case 'block-headers':
      return [{ command: 'headers', headers: response.headers.slice(0, MAX_HEADERS_PER_MESSAGE) }];
    case 'transaction-ids':
      return [{ command: 'inv', items: response.ids.slice(0, MAX_TX_INV_IN_SENT_MESSAGE).map(txItem) }];
  }
}

export interface InboundQueueOptions {
  readonly service: InboundService;
  readonly peer: InboundPeer;
  readonly timeoutMs: number;
  /** Times each request's deadline. */
  readonly clock: Clock;
  readonly send: (message: OutboundMessage) => void;
  /** Stop / restart reading from the socket. */
  readonly pause: () => void;
  readonly resume: () => void;
  readonly logger: Logger;
  /** Counts each finished call: ok, error (service failed or timed out). */
  readonly onResult: (result: 'ok' | 'error') => void;
}

export class InboundQueue {
  private readonly options: InboundQueueOptions;
  private readonly waiting: ZcashRequest[] = [];
  private running = false;
  private paused = false;
  private readonly stop = new AbortController();

  constructor(options: InboundQueueOptions) {
    this.options = options;
  }

  get length(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  offer(request: ZcashRequest): void {
    if (this.stop.signal.aborted) return;
    this.waiting.push(request);
    if (!this.paused && this.waiting.length >= MAX_QUEUED_INBOUND_REQUESTS) {
      this.paused = true;
      this.options.pause();
    }
    if (!this.running) void this.run();
  }

  close(): void {
    this.stop.abort();
    this.waiting.length = 0;
  }

  private async run(): Promise<void> {
    this.running = true;
    const o = this.options;
    while (this.waiting.length > 0 && !this.stop.signal.aborted) {
      const request = this.waiting.shift()!;
      if (this.paused && this.waiting.length <= MAX_QUEUED_INBOUND_REQUESTS / 2) {
        this.paused = false;
        o.resume();
      }
      const guard = deadline(o.timeoutMs, this.stop.signal, `inbound ${request.kind}`, o.clock);
      try {
        const response = await raceAbort(o.service.handle(request, o.peer, guard.signal), guard.signal);
        if (this.stop.signal.aborted) break;
        for (const message of responseMessages(response)) o.send(message);
        o.onResult('ok');
      } catch (error) {
        if (this.stop.signal.aborted) break;
        const typed = toPeerwireError(error);
        o.logger.debug(
          { request: request.kind, code: typed.code, err: typed.message },
          'inbound service error; ignored',
        );
        o.onResult('error');
      } finally {
        guard.clear();
      }
    }
    this.running = false;
    if (this.paused && !this.stop.signal.aborted) {
      this.paused = false;
      o.resume();
    }
  }
}
