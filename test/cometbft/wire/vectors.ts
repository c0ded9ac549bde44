// Loads the CometBFT vector files copied into test/vectors/cometbft (provenance in its README).

import { readFileSync } from 'node:fs';

export function loadVector<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../vectors/cometbft/${name}`, import.meta.url), 'utf8')) as T;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Property-test run count (FC_RUNS, default given per test). */
export function fcRuns(fallback = 200): number {
  const value = Number(process.env.FC_RUNS);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Fuzz run count (FUZZ_RUNS, default 10000). */
export function fuzzRuns(): number {
  const value = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(value) && value > 0 ? value : 10_000;
}
