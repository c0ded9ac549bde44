// The committed generated code in src/wire/cometbft/gen is what `npm run proto:gen` produces from our
// .proto files (buf and protoc-gen-es run from node_modules, offline), so the two never drift apart.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../../../', import.meta.url).pathname;
const committed = join(root, 'src/wire/cometbft/gen');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('generated TypeScript is up to date with the .proto files', async () => {
  const out = mkdtempSync(join(tmpdir(), 'peerwire-proto-'));
  try {
    const bin = join(root, 'node_modules/.bin');
    await promisify(execFile)(join(bin, 'buf'), ['generate', '-o', out], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      timeout: 120_000,
    });
    const fresh = join(out, 'src/wire/cometbft/gen');
    const names = (dir: string): string[] =>
      files(dir)
        .map((f) => relative(dir, f))
        .sort();
    assert.deepEqual(names(fresh), names(committed));
    for (const name of names(committed)) {
      assert.equal(
        readFileSync(join(fresh, name), 'utf8'),
        readFileSync(join(committed, name), 'utf8'),
        `${name} is stale: run npm run proto:gen`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
