#!/usr/bin/env node
// The peerwire command: runs the compiled CLI in dist/. `npm run build` makes dist/ (and `npm install`
// of a checkout runs it); an installed package ships it. Without it, say so in one line rather than
// with a module-resolution stack trace.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('peerwire: dist/ is missing; run `npm run build` in the checkout first\n');
  process.exit(1);
}
await import(main.href);
