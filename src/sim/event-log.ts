// The ordered event log of a simulation, kept as a running SHA-256 rather than as text: every fired
// timer, every connection and every peer up/down is appended as a few numbers, and the final digest
// (`eventLogHash`) is what two runs of one seed must agree on. A replay that diverges anywhere (one
// timer in another order, one extra dial) changes the digest. Numbers are buffered and hashed in
// blocks, because millions of tiny hash updates would cost more than the simulation's own work.

import { createHash, type Hash } from 'node:crypto';

/** Numbers buffered before one hash update: 4096 × 8 bytes = 32 KiB per update. */
const BLOCK_NUMBERS = 4096;

/** Event kinds (the first number of each record). */
export const EventKind = {
  Timer: 1,
  Connect: 2,
  Refused: 3,
  PeerUp: 4,
  PeerDown: 5,
  NodeStart: 6,
  NodeStop: 7,
  Sample: 8,
} as const;

export class EventLog {
  private readonly hash: Hash = createHash('sha256');
  private readonly block = new Float64Array(BLOCK_NUMBERS);
  private used = 0;
  private digestHex: string | undefined;
  /** Records appended so far. */
  count = 0;

  /** Appends one record: its kind, then up to three numbers. */
  record(kind: number, a = 0, b = 0, c = 0): void {
    if (this.used + 4 > BLOCK_NUMBERS) this.flush();
    const block = this.block;
    block[this.used] = kind;
    block[this.used + 1] = a;
    block[this.used + 2] = b;
    block[this.used + 3] = c;
    this.used += 4;
    this.count++;
  }

  /** The hex SHA-256 of everything recorded; the log is closed afterwards. */
  digest(): string {
    if (this.digestHex === undefined) {
      this.flush();
      this.digestHex = this.hash.digest('hex');
    }
    return this.digestHex;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.hash.update(new Uint8Array(this.block.buffer, 0, this.used * 8));
    this.used = 0;
  }
}
