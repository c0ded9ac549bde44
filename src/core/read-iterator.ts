// The `for await` iterator of peerwire's queues (BoundedQueue, a connection's Inbox). Why not an async
// generator: a generator's request queue and resumptions cost several objects per item, and these
// iterators carry every routed message; here an item already queued costs one resolved promise and its
// result. `return()` (a `break`) ends this iterator only, never the queue behind it.

/** Whoever reads: marked done by the source when its read ends the iteration (the end, or a failure). */
export interface ReadOwner {
  done: boolean;
}

/** A queue an iterator reads from: the next item as an iterator result, waiting while it is empty. */
export interface ReadSource<T> {
  read(owner: ReadOwner | undefined): Promise<IteratorResult<T>>;
}

/** The end of an iteration, shared (frozen: every reader gets the same object). */
export const ITERATION_DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class ReadIterator<T> implements AsyncIterator<T>, ReadOwner {
  private readonly source: ReadSource<T>;
  done = false;

  constructor(source: ReadSource<T>) {
    this.source = source;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.done) return Promise.resolve(ITERATION_DONE);
    return this.source.read(this);
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    return Promise.resolve(ITERATION_DONE);
  }
}
