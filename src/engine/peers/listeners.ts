// A small set of synchronous listeners. The PeerManager notifies the router (wake-ups) and protocol
// services (peer up/down) through these; a listener that throws is logged and skipped, so one broken
// subscriber can neither crash the state machine nor starve the others.

import type { Logger } from '../../core/logger.ts';

export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  get size(): number {
    return this.set.size;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    // Wrapped so the same function may be subscribed twice and removed independently.
    const wrapped = (value: T): void => listener(value);
    this.set.add(wrapped);
    return () => {
      this.set.delete(wrapped);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        this.logger.error({ err: error }, `${this.what} listener threw`);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
