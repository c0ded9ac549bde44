// `npm run build`: compiles src/ to dist/ (JavaScript, declarations, source maps) for the published
// package and the `peerwire` command. It empties dist/ first, so a source file that was moved or
// deleted cannot live on in the package, then runs tsc with tsconfig.build.json. Then it rewrites
// the relative `.ts` specifiers that tsc leaves in declaration files (rewriteRelativeImportExtensions
// rewrites only the JavaScript, microsoft/TypeScript#61037) to `.js`, the files that exist in dist/:
// tsc reads either, but other tools that read .d.ts files (editors, API extractors) expect `.js`.
// Last, it records a digest of everything the output depends on in dist/.source-digest.
//
// `--if-stale` skips the build when that digest matches the current inputs: `npm test` and the
// packed-package test use it, so they never run an old dist/ and never compile twice for nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const DIGEST_FILE = join(DIST, '.source-digest');
const require = createRequire(import.meta.url);

/** A relative specifier ending in .ts, quoted, in an import/export `from` or an `import()` type. */
const RELATIVE_TS_SPECIFIER = /(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

function filesUnder(dir, suffix) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path, suffix));
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

/** Digest of the build's inputs: the sources, the compiler settings and version, this script. */
function sourceDigest() {
  const hash = createHash('sha256');
  const inputs = [
    ...filesUnder(join(ROOT, 'src'), ''),
    join(ROOT, 'tsconfig.json'),
    join(ROOT, 'tsconfig.build.json'),
    fileURLToPath(import.meta.url),
    require.resolve('typescript/package.json'),
  ];
  for (const file of inputs) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const digest = sourceDigest();
if (process.argv.includes('--if-stale') && existsSync(DIGEST_FILE) && readFileSync(DIGEST_FILE, 'utf8') === digest) {
  console.log('dist/ is up to date with src/');
  process.exit(0);
}

rmSync(DIST, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build failed: tsc exited with', result.status ?? result.signal);
  process.exit(1);
}
let rewritten = 0;
for (const file of filesUnder(DIST, '.d.ts')) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(RELATIVE_TS_SPECIFIER, (_match, lead, quote, path) => `${lead}${quote}${path}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten += 1;
  }
}
writeFileSync(DIGEST_FILE, digest);
console.log(`built dist/ (${rewritten} declaration files had their .ts specifiers rewritten)`);
