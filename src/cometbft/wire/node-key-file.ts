// CometBFT's node_key.json (cometbft-wire docs/protocols/cometbft.md §1.1): the file a real node keeps its p2p identity in, so
// an operator can move an identity between peerwire and CometBFT. Exact format, as Go writes it (compact
// JSON, no trailing newline, mode 0600):
//   {"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<base64 of seed(32) || public key(32)>"}}
// Reading validates everything, including that the stored public half belongs to the seed (a file
// edited by hand or truncated must not yield a key whose ID differs from what the operator expects).

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { abortReason, throwIfAborted } from '../../core/abort.ts';
import { isAbortError, PeerwireError } from '../../core/errors.ts';
import { ED25519_KEY_BYTES, NodeKey } from '../../core/node-key.ts';

export const NodeKeyFileErrorCode = {
  /** Not JSON, or not the `{priv_key:{type,value}}` shape, or the value is not 64 bytes of base64. */
  Malformed: 'ERR_NODEKEY_FILE_MALFORMED',
  /** A key type other than `tendermint/PrivKeyEd25519` (CometBFT node keys are always Ed25519). */
  UnsupportedKeyType: 'ERR_NODEKEY_FILE_KEY_TYPE',
  /** The stored public key is not the one the stored seed derives. */
  KeyMismatch: 'ERR_NODEKEY_FILE_KEY_MISMATCH',
  /** The file could not be read or written (the cause carries the system error). */
  Io: 'ERR_NODEKEY_FILE_IO',
} as const;

/** Amino JSON type name of an Ed25519 private key, unchanged from Tendermint v0.34 to CometBFT v1. */
export const NODE_KEY_TYPE_ED25519 = 'tendermint/PrivKeyEd25519';
/** Seed followed by the public key: Go's `ed25519.PrivateKey` layout. */
const STORED_KEY_BYTES = 2 * ED25519_KEY_BYTES;
/** A real file is ~130 bytes; anything far larger is not a node key and is refused before parsing. */
export const MAX_NODE_KEY_FILE_BYTES = 64 * 1024;
/** Owner read/write only, as CometBFT writes it: the file is the node's secret identity. */
const NODE_KEY_FILE_MODE = 0o600;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fileError(code: string, message: string, cause?: unknown): PeerwireError {
  // Local configuration problems: nobody remote to blame.
  return new PeerwireError(
    code,
    `node key file: ${message}`,
    cause === undefined ? { action: 'transient' } : { action: 'transient', cause },
  );
}

/** The exact bytes CometBFT writes for `key`. */
export function encodeNodeKeyFile(key: NodeKey): string {
  const stored = Buffer.concat([key.seed, key.publicKey]);
  return JSON.stringify({ priv_key: { type: NODE_KEY_TYPE_ED25519, value: stored.toString('base64') } });
}

/** Parses and validates the text of a node_key.json. Throws PeerwireError with a NodeKeyFileErrorCode. */
export function decodeNodeKeyFile(text: string): NodeKey {
  if (text.length > MAX_NODE_KEY_FILE_BYTES) {
    throw fileError(NodeKeyFileErrorCode.Malformed, `larger than ${MAX_NODE_KEY_FILE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw fileError(NodeKeyFileErrorCode.Malformed, 'not valid JSON', cause);
  }
  const privKey = isObject(json) ? json.priv_key : undefined;
  if (!isObject(privKey)) throw fileError(NodeKeyFileErrorCode.Malformed, 'missing "priv_key" object');
  const { type, value } = privKey;
  if (typeof type !== 'string')
    throw fileError(NodeKeyFileErrorCode.Malformed, 'missing "priv_key.type" string');
  if (type !== NODE_KEY_TYPE_ED25519) {
    throw fileError(
      NodeKeyFileErrorCode.UnsupportedKeyType,
      `key type "${type.slice(0, 64)}" is not supported (expected "${NODE_KEY_TYPE_ED25519}")`,
    );
  }
  if (typeof value !== 'string')
    throw fileError(NodeKeyFileErrorCode.Malformed, 'missing "priv_key.value" string');
  const stored = BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
  // Re-encoding must give the same text: refuses stray characters, bad padding and non-canonical tails.
  if (stored === undefined || stored.toString('base64') !== value) {
    throw fileError(NodeKeyFileErrorCode.Malformed, '"priv_key.value" is not canonical base64');
  }
  if (stored.length !== STORED_KEY_BYTES) {
    throw fileError(
      NodeKeyFileErrorCode.Malformed,
      `"priv_key.value" holds ${stored.length} bytes, expected ${STORED_KEY_BYTES} (seed || public key)`,
    );
  }
  const key = NodeKey.fromSeed(stored.subarray(0, ED25519_KEY_BYTES));
  if (!stored.subarray(ED25519_KEY_BYTES).equals(key.publicKey)) {
    throw fileError(NodeKeyFileErrorCode.KeyMismatch, 'the stored public key does not match the stored seed');
  }
  return key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and validates a node_key.json. Throws ERR_NODEKEY_FILE_IO (cause: the system error) if unreadable. */
export async function readNodeKeyFile(path: string, signal?: AbortSignal): Promise<NodeKey> {
  throwIfAborted(signal);
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_NODE_KEY_FILE_BYTES) {
        throw fileError(NodeKeyFileErrorCode.Malformed, `larger than ${MAX_NODE_KEY_FILE_BYTES} bytes`);
      }
      text = await handle.readFile({ encoding: 'utf8', signal });
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof PeerwireError) throw error;
    if (isAbortError(error) && signal?.aborted === true) throw abortReason(signal);
    throw fileError(NodeKeyFileErrorCode.Io, `cannot read ${path}`, error);
  }
  return decodeNodeKeyFile(text);
}

/**
 * Writes `key` in CometBFT's format with mode 0600, atomically: a temporary file in the same folder is
 * written, flushed to disk and renamed over `path`, so a crash never leaves a half-written identity.
 */
export async function writeNodeKeyFile(path: string, key: NodeKey, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', NODE_KEY_FILE_MODE);
    try {
      await handle.writeFile(encodeNodeKeyFile(key), { signal });
      await handle.sync();
    } finally {
      await handle.close();
    }
    throwIfAborted(signal);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (isAbortError(error) && signal?.aborted === true) throw abortReason(signal);
    throw fileError(NodeKeyFileErrorCode.Io, `cannot write ${path}`, error);
  }
}

/** CometBFT's `LoadOrGenNodeKey`: reads `path`, or creates it with a fresh key when it does not exist. */
export async function loadOrGenerateNodeKey(path: string, signal?: AbortSignal): Promise<NodeKey> {
  try {
    return await readNodeKeyFile(path, signal);
  } catch (error) {
    const cause = error instanceof PeerwireError ? error.cause : undefined;
    if (!(error instanceof PeerwireError && error.code === NodeKeyFileErrorCode.Io && isNotFound(cause)))
      throw error;
  }
  const key = NodeKey.generate();
  await writeNodeKeyFile(path, key, signal);
  return key;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ENOENT';
}
