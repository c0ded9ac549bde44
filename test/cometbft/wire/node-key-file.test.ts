// node_key.json in CometBFT's exact format: round trip through a real file (mode 0600, atomic write),
// the derived vector identities, and a typed error for every kind of malformed file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeKey } from '../../../src/core/node-key.ts';
import { ErrorCode, PeerwireError } from '../../../src/core/errors.ts';
import {
  decodeNodeKeyFile,
  encodeNodeKeyFile,
  loadOrGenerateNodeKey,
  NodeKeyFileErrorCode,
  readNodeKeyFile,
  writeNodeKeyFile,
} from '../../../src/cometbft/wire/node-key-file.ts';
import { derivedVector, unhex } from './secret-connection/vectors.ts';

function fileFor(seedHex: string, pubHex?: string, type = 'tendermint/PrivKeyEd25519'): string {
  const seed = unhex(seedHex);
  const pub = pubHex === undefined ? NodeKey.fromSeed(seed).publicKey : unhex(pubHex);
  return JSON.stringify({ priv_key: { type, value: Buffer.concat([seed, pub]).toString('base64') } });
}

function code(expected: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof PeerwireError && error.code === expected;
}

test('encodes exactly the CometBFT format and decodes the derived vector identities', () => {
  const v = derivedVector();
  for (const node of [v.nodes.A, v.nodes.B]) {
    const text = fileFor(node.ed25519_seed, node.ed25519_pubkey);
    const key = decodeNodeKeyFile(text);
    assert.equal(key.id, node.node_id);
    assert.equal(Buffer.from(key.seed).toString('hex'), node.ed25519_seed);
    assert.equal(encodeNodeKeyFile(key), text);
  }
  const key = NodeKey.generate();
  const text = encodeNodeKeyFile(key);
  assert.match(
    text,
    /^\{"priv_key":\{"type":"tendermint\/PrivKeyEd25519","value":"[A-Za-z0-9+/]{86}=="\}\}$/,
  );
  assert.equal(decodeNodeKeyFile(text).id, key.id);
});

test('malformed files give typed errors', () => {
  const seed = '59a5a2dd478c328c57c2005bb566be9552ae1ae59d76e6f646654491ce3d6d32';
  const good = JSON.parse(fileFor(seed)) as { priv_key: { value: string } };
  const cases: [string, string, string][] = [
    ['not JSON', '{"priv_key":', NodeKeyFileErrorCode.Malformed],
    ['JSON array', '[]', NodeKeyFileErrorCode.Malformed],
    ['no priv_key', '{}', NodeKeyFileErrorCode.Malformed],
    ['priv_key not an object', '{"priv_key":"x"}', NodeKeyFileErrorCode.Malformed],
    ['no type', JSON.stringify({ priv_key: { value: good.priv_key.value } }), NodeKeyFileErrorCode.Malformed],
    [
      'no value',
      JSON.stringify({ priv_key: { type: 'tendermint/PrivKeyEd25519' } }),
      NodeKeyFileErrorCode.Malformed,
    ],
    [
      'secp256k1',
      fileFor(seed, undefined, 'tendermint/PrivKeySecp256k1'),
      NodeKeyFileErrorCode.UnsupportedKeyType,
    ],
    [
      '32-byte value',
      JSON.stringify({
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.from(unhex(seed)).toString('base64') },
      }),
      NodeKeyFileErrorCode.Malformed,
    ],
    [
      'not base64',
      JSON.stringify({
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: `!${good.priv_key.value.slice(1)}` },
      }),
      NodeKeyFileErrorCode.Malformed,
    ],
    [
      'base64url alphabet',
      JSON.stringify({
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: `-_${good.priv_key.value.slice(2)}` },
      }),
      NodeKeyFileErrorCode.Malformed,
    ],
    [
      'missing padding',
      JSON.stringify({
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: good.priv_key.value.replace(/=+$/, '') },
      }),
      NodeKeyFileErrorCode.Malformed,
    ],
    [
      'public half of another key',
      fileFor(seed, Buffer.from(NodeKey.generate().publicKey).toString('hex')),
      NodeKeyFileErrorCode.KeyMismatch,
    ],
    ['huge', ' '.repeat(70_000), NodeKeyFileErrorCode.Malformed],
  ];
  for (const [name, text, expected] of cases) {
    assert.throws(() => decodeNodeKeyFile(text), code(expected), name);
  }
});

test('write then read through a real file: mode 0600, no temporary left behind; load-or-generate', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'peerwire-nodekey-'));
  try {
    const path = join(dir, 'node_key.json');
    const key = NodeKey.generate();
    await writeNodeKeyFile(path, key);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await readFile(path, 'utf8'), encodeNodeKeyFile(key));
    assert.equal((await readNodeKeyFile(path)).id, key.id);
    assert.deepEqual(await readdir(dir), ['node_key.json']);

    // Overwrite atomically, then load the existing file.
    const second = NodeKey.generate();
    await writeNodeKeyFile(path, second);
    assert.equal((await loadOrGenerateNodeKey(path)).id, second.id);

    // Missing file: generated and written.
    const fresh = join(dir, 'fresh.json');
    const generated = await loadOrGenerateNodeKey(fresh);
    assert.equal((await readNodeKeyFile(fresh)).id, generated.id);

    // A corrupt file is never silently replaced.
    await writeFile(path, '{"priv_key":{}}');
    await assert.rejects(loadOrGenerateNodeKey(path), code(NodeKeyFileErrorCode.Malformed));
    await assert.rejects(readNodeKeyFile(join(dir, 'missing.json')), code(NodeKeyFileErrorCode.Io));
    await assert.rejects(
      writeNodeKeyFile(join(dir, 'no-such-dir', 'k.json'), key),
      code(NodeKeyFileErrorCode.Io),
    );

    const aborted = AbortSignal.abort();
    await assert.rejects(readNodeKeyFile(path, aborted), code(ErrorCode.Aborted));
    await assert.rejects(writeNodeKeyFile(join(dir, 'a.json'), key, aborted), code(ErrorCode.Aborted));
    assert.deepEqual((await readdir(dir)).sort(), ['fresh.json', 'node_key.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
