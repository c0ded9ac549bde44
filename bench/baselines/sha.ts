// Double SHA-256 (Bitcoin/Zcash message checksum, txid and block hashing) with node:crypto: the rate
// the Zcash wire codec's checksum verification is judged against (>= 80 % of it for large payloads).

import crypto from 'node:crypto';
import { measureOps, type Suite } from '../harness.ts';

export function sha256d(data: Buffer): Buffer {
  return crypto.createHash('sha256').update(crypto.createHash('sha256').update(data).digest()).digest();
}

const INPUTS = [
  // 256 hashes per timed batch keeps timer overhead (~50 ns) far below the ~2 us per hash.
  { tag: '1k', size: 1024, inner: 256, label: '1 KiB input' },
  // One 1 MiB hash is ~0.5 ms: long enough to time alone.
  { tag: '1m', size: 1 << 20, inner: 1, label: '1 MiB input' },
] as const;

export const shaSuite: Suite = {
  name: 'sha256d',
  description: 'node:crypto double SHA-256 rate',
  run(ctx) {
    for (const input of INPUTS) {
      ctx.log(`sha256d: ${input.label}`);
      const data = crypto.randomBytes(input.size);
      let sink = 0;
      const r = measureOps(
        () => {
          for (let i = 0; i < input.inner; i++) sink ^= sha256d(data)[0]!;
        },
        { inner: input.inner, warmupMs: ctx.config.warmupMs, timeMs: ctx.config.measureMs },
      );
      ctx.results.add('sha256d', {
        id: `sha256d.${input.tag}`,
        label: `node:crypto double SHA-256, ${input.label}`,
        value: (r.opsPerSec * input.size) / 1e6,
        unit: 'MB/s',
        better: 'higher',
        details: { hashesPerSec: r.opsPerSec, batches: r.batches.n, sink },
      });
    }
    return Promise.resolve();
  },
};
