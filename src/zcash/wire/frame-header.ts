// The 24-byte frame header (docs/protocols/zcash.md §1.1): magic (4) | command (12, NUL-padded ASCII) | body length
// u32le | checksum (first 4 bytes of SHA-256d(body)). Everything here works on the header alone, so
// a bad magic, a malformed command or an oversize length is rejected before the body is waited for
// or any byte of it is buffered.

import { PeerwireError } from '../../core/errors.ts';
import { COMMAND_LENGTH } from '../encoding/constants.ts';
import { ZcashErrorCode, encodeError } from '../encoding/errors.ts';
import { DECODE_ONLY_COMMANDS, ENCODABLE_COMMANDS, type KnownCommand } from './messages.ts';

/** How to treat a command field that is not NUL-padded printable ASCII. */
export type MalformedCommandPolicy =
  /** Fail the frame at header time with ERR_ZCASH_BAD_COMMAND (default; Bitcoin Core also disconnects). */
  | 'reject'
  /** Zebra's exact behaviour: it compares all 12 bytes with its table, so such a frame is just unknown. */
  | 'ignore';

/** Magic as 4 wire bytes. */
export type Magic = Uint8Array;

function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

interface CommandEntry {
  readonly mid: number;
  readonly tail: number;
  readonly name: KnownCommand;
}

/** Known commands keyed by their first 4 bytes, so a known header costs no string building. */
const COMMAND_TABLE = new Map<number, CommandEntry[]>();
for (const name of [...ENCODABLE_COMMANDS, ...DECODE_ONLY_COMMANDS]) {
  const field = new Uint8Array(COMMAND_LENGTH);
  for (let i = 0; i < name.length; i++) field[i] = name.charCodeAt(i);
  const key = u32At(field, 0);
  const list = COMMAND_TABLE.get(key) ?? [];
  list.push({ mid: u32At(field, 4), tail: u32At(field, 8), name });
  COMMAND_TABLE.set(key, list);
}

/** The known command whose exact 12-byte field (NUL padding included) is at `o`, else undefined. */
export function knownCommandAt(b: Uint8Array, o: number): KnownCommand | undefined {
  const list = COMMAND_TABLE.get(u32At(b, o));
  if (list === undefined) return undefined;
  const mid = u32At(b, o + 4);
  const tail = u32At(b, o + 8);
  for (const e of list) if (e.mid === mid && e.tail === tail) return e.name;
  return undefined;
}

/** Command name of the 12 bytes at `o`, or undefined if they are not printable ASCII then NUL padding. */
export function parseCommand(b: Uint8Array, o: number): string | undefined {
  let end = COMMAND_LENGTH;
  for (let i = 0; i < COMMAND_LENGTH; i++) {
    const c = b[o + i]!;
    if (c === 0) {
      end = i;
      break;
    }
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  if (end === 0) return undefined;
  for (let i = end + 1; i < COMMAND_LENGTH; i++) if (b[o + i] !== 0) return undefined;
  // ≤ 12 printable ASCII bytes: fromCharCode is exact and cheaper than a TextDecoder call.
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[o + i]!);
  return s;
}

/** A lossless, bounded, printable name for a malformed command field (hex). */
export function malformedCommandName(b: Uint8Array, o: number): string {
  return `0x${Buffer.from(b.subarray(o, o + COMMAND_LENGTH)).toString('hex')}`;
}

export function badMagic(b: Uint8Array, o: number, expected: Magic): PeerwireError {
  const got = Buffer.from(b.subarray(o, o + 4)).toString('hex');
  return new PeerwireError(
    ZcashErrorCode.BadMagic,
    `supplied magic ${got} did not meet expectations (${Buffer.from(expected).toString('hex')})`,
    {
      action: 'disconnect',
    },
  );
}

export function frameTooLarge(length: number, max: number): PeerwireError {
  return new PeerwireError(
    ZcashErrorCode.FrameTooLarge,
    `body length ${length} exceeded maximum size ${max}`,
    {
      action: 'disconnect',
      details: { length, max },
    },
  );
}

export function badCommand(b: Uint8Array, o: number): PeerwireError {
  return new PeerwireError(
    ZcashErrorCode.BadCommand,
    `malformed command field ${malformedCommandName(b, o)}`,
    { action: 'disconnect' },
  );
}

export function badChecksum(command: string): PeerwireError {
  return new PeerwireError(
    ZcashErrorCode.BadChecksum,
    `supplied message checksum does not match computed checksum (${command})`,
    {
      action: 'disconnect',
    },
  );
}

/** Writes a header at `out[o..o+24]`. `checksum` is the body's SHA-256d (first 4 bytes used). */
export function writeFrameHeader(
  out: Uint8Array,
  o: number,
  magic: Magic,
  command: string,
  bodyLength: number,
  checksum: Uint8Array,
): void {
  if (command.length === 0 || command.length > COMMAND_LENGTH || !/^[\x20-\x7e]+$/.test(command)) {
    throw encodeError(`invalid command "${command.slice(0, 20)}"`);
  }
  out.set(magic, o);
  out.fill(0, o + 4, o + 4 + COMMAND_LENGTH);
  for (let i = 0; i < command.length; i++) out[o + 4 + i] = command.charCodeAt(i);
  out[o + 16] = bodyLength & 0xff;
  out[o + 17] = (bodyLength >>> 8) & 0xff;
  out[o + 18] = (bodyLength >>> 16) & 0xff;
  out[o + 19] = (bodyLength >>> 24) & 0xff;
  out[o + 20] = checksum[0]!;
  out[o + 21] = checksum[1]!;
  out[o + 22] = checksum[2]!;
  out[o + 23] = checksum[3]!;
}
