// The layer rule: imports inside src/ point one way, core → transport → engine → one slice per
// network → cli. It lives here (not in a plugin from npm) because the layers are this project's own
// map; eslint.config.js loads it as the `peerwire/layers` rule and test/lint/layers.test.ts proves
// that a wrong-way import fails lint. docs/architecture.md explains each layer.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Each layer names the layers it builds on directly; it may import those and everything they may
 * import (LAYERS below is that closure). A layer is the first folder below src/ that is listed
 * here, the longest match winning; a file directly in a slice folder (its index.ts) is that slice's
 * public surface and may import the whole slice.
 */
const BUILDS_ON = {
  core: [],
  transport: ['core'],
  'engine/peers': ['transport'],
  'engine/router': ['engine/peers'],
  'engine/services': ['engine/router'],
  'engine/node': ['engine/services'],
  engine: ['engine/node'],
  index: ['engine'],
  // The plain test wire: a wire imports only core and transport.
  plain: ['transport'],
  // CometBFT slice: the wire (generated protobuf types are data definitions it may use), the codecs
  // of the standard channels, PEX as a service on the engine, the node assembly.
  'cometbft/gen': [],
  'cometbft/wire': ['transport', 'cometbft/gen'],
  'cometbft/channels': ['cometbft/wire'],
  'cometbft/pex': ['engine/services', 'cometbft/channels'],
  'cometbft/node': ['engine/node', 'cometbft/pex'],
  cometbft: ['cometbft/node'],
  // Zcash slice: encoding → chain data and network parameters → wire messages → handshake →
  // connection (together the wire: core and transport only) → Zebra policy → services → node.
  'zcash/encoding': ['core'],
  'zcash/chain': ['zcash/encoding'],
  'zcash/params': ['zcash/encoding'],
  'zcash/wire': ['zcash/chain', 'zcash/params'],
  'zcash/handshake': ['transport', 'zcash/wire'],
  'zcash/connection': ['zcash/handshake'],
  'zcash/policy': ['engine/peers', 'zcash/wire'],
  'zcash/services': ['engine/router', 'zcash/connection', 'zcash/policy'],
  'zcash/node': ['engine/node', 'zcash/services'],
  zcash: ['zcash/node'],
  // The simulator runs whole node assemblies of both networks over an in-memory internet.
  sim: ['engine', 'plain', 'cometbft', 'zcash'],
};

function closure(layer, seen = new Set()) {
  for (const below of BUILDS_ON[layer]) {
    if (seen.has(below)) continue;
    seen.add(below);
    closure(below, seen);
  }
  return seen;
}

/** Each layer and every layer it may import (besides itself). */
export const LAYERS = {
  ...Object.fromEntries(Object.keys(BUILDS_ON).map((layer) => [layer, [...closure(layer)]])),
  // The command line may use everything.
  cli: ['*'],
};

/** The layer of a path relative to src/ (posix separators), or undefined outside the map. */
export function layerOf(pathInSrc) {
  const parts = pathInSrc.split('/');
  if (parts.length === 1) return parts[0] === 'index.ts' ? 'index' : undefined;
  const two = `${parts[0]}/${parts[1]}`;
  if (parts.length > 2 && two in LAYERS) return two;
  return parts[0] in LAYERS ? parts[0] : undefined;
}

function srcRelative(srcRoot, file) {
  const rel = relative(srcRoot, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep).join('/');
}

/** The ESLint rule. Option: { srcRoot } (default: <cwd>/src). */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports inside src/ point down the layers only' },
    schema: [{ type: 'object', properties: { srcRoot: { type: 'string' } }, additionalProperties: false }],
    messages: {
      wrongWay: "layer '{{from}}' may not import '{{to}}' ({{spec}}); see docs/architecture.md",
    },
  },
  create(context) {
    const srcRoot = resolve(context.options[0]?.srcRoot ?? resolve(context.cwd, 'src'));
    const fromPath = srcRelative(srcRoot, context.filename);
    if (fromPath === undefined) return {};
    const fromLayer = layerOf(fromPath);
    if (fromLayer === undefined) return {};
    const allowed = LAYERS[fromLayer];
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const toPath = srcRelative(srcRoot, resolve(dirname(context.filename), source));
      if (toPath === undefined) return;
      const toLayer = layerOf(toPath);
      if (
        toLayer === undefined ||
        toLayer === fromLayer ||
        allowed.includes('*') ||
        allowed.includes(toLayer)
      )
        return;
      context.report({ node, messageId: 'wrongWay', data: { from: fromLayer, to: toLayer, spec: source } });
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
