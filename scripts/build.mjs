// `npm run build`: compiles src/ to dist/ (JavaScript, declarations, source maps) for the published
// package and the `peerwire` command. It empties dist/ first, so a source file that was moved or
// deleted cannot live on in the package, then runs tsc with tsconfig.build.json. Last, it rewrites
// the relative `.ts` specifiers that tsc leaves in declaration files (rewriteRelativeImportExtensions
// rewrites only the JavaScript, microsoft/TypeScript#61037) to `.js`, the files that exist in dist/:
// tsc reads either, but other tools that read .d.ts files (editors, API extractors) expect `.js`.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** A relative specifier ending in .ts, quoted, in an import/export `from` or an `import()` type. */
const RELATIVE_TS_SPECIFIER = /(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

function declarationFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...declarationFiles(path));
    else if (entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build failed: tsc exited with', result.status ?? result.signal);
  process.exit(1);
}
let rewritten = 0;
for (const file of declarationFiles(DIST)) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(RELATIVE_TS_SPECIFIER, (_match, lead, quote, path) => `${lead}${quote}${path}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten += 1;
  }
}
console.log(`built dist/ (${rewritten} declaration files had their .ts specifiers rewritten)`);
