// The receive side of a Connection, shared by every wire: decoded messages wait here until the
// consumer iterates them. It holds a byte budget: past it the link is paused (the carrier stops
// reading, so TCP backpressure reaches the remote), below half of it reading resumes. Because the wire
// finishes parsing the chunk in hand after a pause, the budget can be overshot by one chunk's worth of
// messages; a hard limit well above that turns a carrier that ignores pause into ERR_QUEUE_FULL rather
// than unbounded memory. Each message also costs a fixed overhead, so floods of empty messages count.
//
// Ending: `end(reason)` (the remote closed, the link broke) lets the consumer drain what already
// arrived, then the iterator throws `reason`; `abort(reason)` (a local close) discards what is queued
// and wakes the consumer at once, ending quietly or throwing `reason`.
//
// A consumer waiting on an empty inbox holds one promise, and push() resolves it with the iterator
// result itself: the message never enters the queue and reaches the consumer's `await` in one promise
// job (a queue wait, a re-read and an adopted promise took five, and three promises per message).

import { BoundedQueue } from '../core/bounded-queue.ts';
import type { PeerwireError } from '../core/errors.ts';
import { ITERATION_DONE, ReadIterator, type ReadOwner, type ReadSource } from '../core/read-iterator.ts';
import type { InboundMessage } from './types.ts';

/** The part of a link the inbox steers. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface InboxOptions {
  /** Queued bytes above which the link is paused. Default 1 MiB. */
  readonly budgetBytes?: number;
  /** Largest single message the wire can produce, in bytes; sizes the hard limit. Default 4 MiB. */
  readonly maxMessageBytes?: number;
}

export const DEFAULT_INBOX_BUDGET_BYTES = 1024 * 1024;
/** Bookkeeping cost charged per message (object, array slot, view), in bytes. */
export const INBOX_MESSAGE_OVERHEAD_BYTES = 64;
/**
 * Slack for the chunk being parsed when the link pauses: a 64 KiB TCP read of 6-byte empty frames
 * charged 64 bytes each is ~700 KiB; 4 MiB covers that and any memory-link chunk below the message cap.
 */
const PAUSE_SLACK_BYTES = 4 * 1024 * 1024;
/** Upper bound on queued messages, whatever their size (the byte limit normally binds first). */
const MAX_QUEUED_MESSAGES = 1 << 20;

function cost(message: InboundMessage): number {
  return message.bytes.byteLength + INBOX_MESSAGE_OVERHEAD_BYTES;
}

/** A consumer waiting on an empty inbox. */
interface Reader {
  readonly resolve: (result: IteratorResult<InboundMessage>) => void;
  readonly reject: (error: PeerwireError) => void;
  readonly owner: ReadOwner | undefined;
}

export class Inbox implements AsyncIterable<InboundMessage>, ReadSource<InboundMessage> {
  private readonly queue: BoundedQueue<InboundMessage>;
  private readonly link: Pausable;
  private readonly budget: number;
  private paused = false;
  private finished = false;
  private reason: PeerwireError | undefined;
  /** Consumers waiting while the queue is empty (only then does anyone wait); created on first use. */
  private readers: Reader[] | undefined;

  constructor(link: Pausable, options: InboxOptions = {}) {
    this.link = link;
    this.budget = options.budgetBytes ?? DEFAULT_INBOX_BUDGET_BYTES;
    const maxMessage = options.maxMessageBytes ?? 4 * 1024 * 1024;
    this.queue = new BoundedQueue<InboundMessage>({
      name: 'connection inbox',
      capacity: MAX_QUEUED_MESSAGES,
      maxBytes: this.budget + maxMessage + PAUSE_SLACK_BYTES,
      sizeOf: cost,
      policy: 'reject',
    });
  }

  /** Bytes queued (payload plus per-message overhead). */
  get bytes(): number {
    return this.queue.bytes;
  }

  get length(): number {
    return this.queue.length;
  }

  /**
   * Queues a message, or hands it to a waiting consumer; pauses the link past the budget. Throws
   * ERR_QUEUE_FULL past the hard limit.
   */
  push(message: InboundMessage): void {
    if (this.finished) return;
    const reader = this.readers?.shift();
    if (reader !== undefined) {
      // Someone waits, so the queue is empty: nothing to account for, no order to keep.
      reader.resolve({ done: false, value: message });
      return;
    }
    this.queue.offer(message);
    if (!this.paused && this.queue.bytes > this.budget) {
      this.paused = true;
      this.link.pause();
    }
  }

  /** No more messages will come: the consumer drains the queue, then sees `reason` (or the end). */
  end(reason?: PeerwireError): void {
    if (this.finished) return;
    this.finished = true;
    this.reason = reason;
    this.queue.close();
    this.wakeReaders();
  }

  /** Stops now: queued messages are discarded; the consumer sees `reason` (or the end) at once. */
  abort(reason?: PeerwireError): void {
    if (this.finished) {
      this.queue.drain();
      return;
    }
    this.finished = true;
    this.reason = reason;
    this.queue.close(undefined, true);
    this.wakeReaders();
  }

  /**
   * The next message, or undefined at the end; throws the end reason, if any, after the last message.
   * Not an async function: an idle consumer waiting here holds one pending promise, not suspended
   * generator frames (BENCHMARKS.md, memory per idle connection).
   */
  next(): Promise<InboundMessage | undefined> {
    return this.read(undefined).then(valueOf);
  }

  /**
   * The next message as an iterator result (the iterator's path: no promise beyond the one returned).
   * A failed read marks `owner` done.
   */
  read(owner: ReadOwner | undefined): Promise<IteratorResult<InboundMessage>> {
    const message = this.queue.shift();
    if (message !== undefined) return Promise.resolve({ done: false, value: this.taken(message) });
    if (this.queue.closed) return this.ending(owner);
    return new Promise((resolve, reject) => {
      (this.readers ??= []).push({ resolve, reject, owner });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<InboundMessage> {
    return new ReadIterator(this);
  }

  /** Bookkeeping after a message left the queue: resumes the link once below half the budget. */
  private taken(message: InboundMessage): InboundMessage {
    if (this.paused && this.queue.bytes <= this.budget / 2) {
      this.paused = false;
      this.link.resume();
    }
    return message;
  }

  /** The queue is closed and empty: the end, or the reason it ended with. */
  private ending(owner: ReadOwner | undefined): Promise<IteratorResult<InboundMessage>> {
    return new Promise((resolve, reject) => this.endFor({ resolve, reject, owner }));
  }

  /** The inbox ended while consumers waited (so nothing is queued): each sees the end or the reason. */
  private wakeReaders(): void {
    const readers = this.readers;
    if (readers === undefined) return;
    this.readers = undefined;
    for (const reader of readers) this.endFor(reader);
  }

  /** Settles one read of an ended inbox: the end, or the reason (which also ends its iterator). */
  private endFor(reader: Reader): void {
    if (this.reason === undefined) {
      reader.resolve(ITERATION_DONE);
      return;
    }
    if (reader.owner !== undefined) reader.owner.done = true;
    reader.reject(this.reason);
  }
}

function valueOf(result: IteratorResult<InboundMessage>): InboundMessage | undefined {
  return result.done === true ? undefined : result.value;
}

