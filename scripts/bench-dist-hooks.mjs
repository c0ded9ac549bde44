// Module hooks of the benchmark's default build (registered by bench-dist-register.mjs unless
// BENCH_DIST=0): every import that resolves to a peerwire source file (src/**/*.ts) loads the compiled
// file of the published package instead (dist/**/*.js, built by `npm run build`). The benchmark's own
// files still run through tsx.
//
// Why: tsx compiles with esbuild's keepNames, which wraps every function in a `__name(fn, "...")` call
// that redefines its `name` property. That costs a call per closure created and gives each closure an
// out-of-object property array (about 250 bytes): per idle CometBFT connection about 20 closures, so
// 5 KiB of heap that the published package (compiled by tsc, no wrapping) never allocates. js-libp2p is
// measured as shipped JavaScript, so peerwire is measured as shipped JavaScript too.

const SRC = new URL('../src/', import.meta.url).href;
const DIST = new URL('../dist/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith(SRC) || !resolved.url.endsWith('.ts')) return resolved;
  const url = `${DIST}${resolved.url.slice(SRC.length, -'.ts'.length)}.js`;
  return { url, format: 'module', shortCircuit: true };
}
