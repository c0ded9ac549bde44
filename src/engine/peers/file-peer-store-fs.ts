// The file-system primitives behind the peer store: an atomic replace (write a temporary file, fsync
// it, rename it over the store, fsync the directory), a bounded read, the clean-up of temporary files
// a crash left behind, and moving a damaged file aside. They exist apart from the store so that the
// store reads as policy (when to write, what to do with a bad file) and this file as mechanism.
//
// Crash safety rests on POSIX rename(2) replacing the target atomically: a reader sees the old file
// or the new one, never a mix. The fsync before the rename makes the new content durable before it
// becomes visible; the fsync of the directory makes the rename itself durable, so a power cut after
// flush() resolved cannot bring back the previous state.

import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary files are `<store name>.tmp-<pid>-<sequence>` next to the store (same file system). */
export function tempFilePrefix(path: string): string {
  return `${basename(path)}.tmp-`;
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isMissingFile(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT';
}

/** Makes a rename or unlink in `dir` durable. Windows cannot open directories; it has no such need. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically and durably. `sequence` makes the temporary name unique
 * within this process. On failure the temporary file is removed and the old file is untouched.
 */
export async function writeFileAtomically(path: string, data: Uint8Array, sequence: number): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${tempFilePrefix(path)}${process.pid}-${sequence}`);
  await mkdir(dir, { recursive: true });
  try {
    // 'wx': never follow or reuse an existing file (a stale temp or a planted symlink).
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Removes temporary files left by a crash mid-write; returns their names. A missing directory is fine. */
export async function removeLeftoverTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = tempFilePrefix(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissingFile(error)) return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      await unlink(join(dir, name));
      removed.push(name);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
  }
  return removed;
}

export type BoundedRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'too_large'; readonly size: number }
  | { readonly kind: 'read'; readonly bytes: Buffer };

/** Reads a whole regular file unless it is larger than `maxBytes` (checked before allocating). */
export async function readFileBounded(path: string, maxBytes: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissingFile(error)) return { kind: 'missing' };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (stat.size > maxBytes) return { kind: 'too_large', size: stat.size };
    const bytes = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return { kind: 'read', bytes: bytes.subarray(0, offset) };
  } finally {
    await handle.close();
  }
}

const CORRUPT_SUFFIX = /^\.corrupt-(\d+)(?:-(\d+))?$/;

interface CorruptCopy {
  readonly name: string;
  readonly at: number;
  readonly n: number;
}

/** Moved-aside copies of `path`, newest first. */
async function corruptCopies(path: string): Promise<CorruptCopy[]> {
  const base = basename(path);
  const copies: CorruptCopy[] = [];
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(base)) continue;
    const match = CORRUPT_SUFFIX.exec(name.slice(base.length));
    if (match !== null) copies.push({ name, at: Number(match[1]), n: Number(match[2] ?? 0) });
  }
  return copies.sort((a, b) => b.at - a.at || b.n - a.n);
}

/**
 * Renames a damaged store to `<path>.corrupt-<epoch ms>` (with a `-<n>` suffix when several land in
 * the same millisecond, or the clock went back), keeps it for inspection and deletes the oldest
 * copies beyond `keep`. The new copy always sorts newest, so pruning never deletes it first.
 * Returns the new path.
 */
export async function moveAside(path: string, nowMs: number, keep: number): Promise<string> {
  const newest = (await corruptCopies(path))[0];
  let at = Math.max(0, Math.floor(nowMs));
  let n = 0;
  if (newest !== undefined && newest.at >= at) {
    at = newest.at;
    n = newest.n + 1;
  }
  const target = n === 0 ? `${path}.corrupt-${at}` : `${path}.corrupt-${at}-${n}`;
  await rename(path, target);
  const dir = dirname(path);
  for (const old of (await corruptCopies(path)).slice(Math.max(0, keep))) {
    await unlink(join(dir, old.name)).catch(() => undefined);
  }
  return target;
}
