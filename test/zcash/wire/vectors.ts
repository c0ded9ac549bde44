// Test helpers: loads the Zcash vector files copied into test/vectors/zcash (never ../shared).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors', 'zcash');

export function loadJson<T>(relative: string): T {
  return JSON.parse(readFileSync(join(VECTOR_DIR, relative), 'utf8')) as T;
}

export function loadHexFile(relative: string): Uint8Array {
  return hex(readFileSync(join(VECTOR_DIR, relative), 'utf8').trim());
}

export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Run count for fast-check properties. */
export function fcRuns(fallback = 200): number {
  const n = Number(process.env.FC_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Run count for fuzz-style decoder tests. */
export function fuzzRuns(fallback = 10_000): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
