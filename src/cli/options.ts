// Shared option parsers of the peerwire command. Commander reports a parser's InvalidArgumentError as
// one line ("error: option '--nodes <n>' argument 'x' is invalid. ...") and the command exits 2.

import { InvalidArgumentError } from 'commander';
import { PeerwireError } from '../core/errors.ts';

/** An integer option in [min, max]. */
export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** A positive number of seconds (fractions allowed), at most `max`. */
export function secondsOption(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0 || n > max) throw new InvalidArgumentError(`expected seconds, more than 0 and at most ${max}`);
    return n;
  };
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Hex text (an optional 0x prefix and whitespace allowed) to bytes. */
export function hexBytes(text: string, what: string): Uint8Array {
  const clean = text.trim().replace(/^0x/i, '').replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new PeerwireError('ERR_CLI_USAGE', `${what} must be hexadecimal bytes (an even number of 0-9a-f)`, { action: 'transient' });
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** JSON with bigints as decimal strings and byte arrays as hex. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
        return Buffer.from((v as { data: number[] }).data).toString('hex');
      }
      return v;
    },
    indent,
  );
}
