// The layer rule: imports inside src/ point one way, core → transport → engine → one slice per
// network → cli. It lives here (not in a plugin from npm) because the layers are this project's own
// map; eslint.config.js loads it as the `peerwire/layers` rule and test/lint/layers.test.ts proves
// that a wrong-way import fails lint. docs/architecture.md explains each layer.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Each layer and the layers it may import (besides itself). A layer is the first folder below src/
 * that is listed here, the longest match winning; a file directly in a slice folder (its index.ts)
 * is that slice's public surface and may import the whole slice.
 */
export const LAYERS = {
  core: [],
  transport: ['core'],
  'engine/peers': ['core', 'transport'],
  'engine/router': ['core', 'transport', 'engine/peers'],
  'engine/services': ['core', 'transport', 'engine/peers', 'engine/router'],
  'engine/node': ['core', 'transport', 'engine/peers', 'engine/router', 'engine/services'],
  engine: ['core', 'transport', 'engine/peers', 'engine/router', 'engine/services', 'engine/node'],
  index: ['core', 'transport', 'engine/peers', 'engine/router', 'engine/services', 'engine/node', 'engine'],
  // The plain test wire: a wire imports only core and transport.
  plain: ['core', 'transport'],
  // CometBFT slice: the wire (generated protobuf types are data definitions it may use), the codecs
  // of the standard channels, PEX as a service on the engine, the node assembly.
  'cometbft/gen': [],
  'cometbft/wire': ['core', 'transport', 'cometbft/gen'],
  'cometbft/channels': ['core', 'transport', 'cometbft/gen', 'cometbft/wire'],
  'cometbft/pex': [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'cometbft/gen',
    'cometbft/wire',
    'cometbft/channels',
  ],
  'cometbft/node': [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'engine/node',
    'cometbft/gen',
    'cometbft/wire',
    'cometbft/channels',
    'cometbft/pex',
  ],
  cometbft: [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'engine/node',
    'cometbft/gen',
    'cometbft/wire',
    'cometbft/channels',
    'cometbft/pex',
    'cometbft/node',
  ],
  // Zcash slice: encoding → chain data and network parameters → wire messages → handshake →
  // connection (together the wire: core and transport only) → Zebra policy → services → node.
  'zcash/encoding': ['core'],
  'zcash/chain': ['core', 'zcash/encoding'],
  'zcash/params': ['core', 'zcash/encoding'],
  'zcash/wire': ['core', 'zcash/encoding', 'zcash/chain', 'zcash/params'],
  'zcash/handshake': ['core', 'transport', 'zcash/encoding', 'zcash/chain', 'zcash/params', 'zcash/wire'],
  'zcash/connection': [
    'core',
    'transport',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
    'zcash/handshake',
  ],
  'zcash/policy': [
    'core',
    'transport',
    'engine/peers',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
  ],
  'zcash/services': [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
    'zcash/handshake',
    'zcash/connection',
    'zcash/policy',
  ],
  'zcash/node': [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'engine/node',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
    'zcash/handshake',
    'zcash/connection',
    'zcash/policy',
    'zcash/services',
  ],
  zcash: [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'engine/node',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
    'zcash/handshake',
    'zcash/connection',
    'zcash/policy',
    'zcash/services',
    'zcash/node',
  ],
  // The simulator runs whole node assemblies of both networks over an in-memory internet.
  sim: [
    'core',
    'transport',
    'engine/peers',
    'engine/router',
    'engine/services',
    'engine/node',
    'engine',
    'plain',
    'cometbft/gen',
    'cometbft/wire',
    'cometbft/channels',
    'cometbft/pex',
    'cometbft/node',
    'cometbft',
    'zcash/encoding',
    'zcash/chain',
    'zcash/params',
    'zcash/wire',
    'zcash/handshake',
    'zcash/connection',
    'zcash/policy',
    'zcash/services',
    'zcash/node',
    'zcash',
  ],
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
