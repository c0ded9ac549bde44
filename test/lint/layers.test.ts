// Proves the layer rule fires: a wrong-way import inside src/ fails lint, a right-way one passes,
// and the project's ESLint config applies the rule to every source file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import layers, { layerOf } from '../../scripts/lint/layers.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const srcRoot = `${repoRoot}src`;

function lint(file: string, code: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        plugins: { peerwire: layers },
        rules: { 'peerwire/layers': ['error', { srcRoot }] },
      },
    ],
    { filename: `${srcRoot}/${file}` },
  );
}

test('layerOf names the layer of a source path', () => {
  assert.equal(layerOf('core/errors.ts'), 'core');
  assert.equal(layerOf('engine/router/router.ts'), 'engine/router');
  assert.equal(layerOf('zcash/policy/zebra-policy.ts'), 'zcash/policy');
  assert.equal(layerOf('zcash/index.ts'), 'zcash');
  assert.equal(layerOf('index.ts'), 'index');
  assert.equal(layerOf('cometbft/gen/cometbft/p2p/v1/types_pb.ts'), 'cometbft/gen');
});

test('an engine file importing a network slice fails lint', () => {
  const messages = lint(
    'engine/peers/x.ts',
    "import { ZCASH_MAINNET } from '../../zcash/params/network-params.ts';\n",
  );
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.ruleId, 'peerwire/layers');
  assert.match(messages[0]!.message, /'engine\/peers' may not import 'zcash\/params'/);
});

test('a wire importing the engine fails lint, also through re-exports and dynamic imports', () => {
  assert.equal(
    lint('cometbft/wire/x.ts', "export { Router } from '../../engine/router/router.ts';\n").length,
    1,
  );
  assert.equal(lint('zcash/wire/x.ts', "export * from '../../engine/peers/types.ts';\n").length, 1);
  assert.equal(lint('plain/x.ts', "await import('../engine/router/router.ts');\n").length, 1);
  assert.equal(lint('core/x.ts', "import type { Transport } from '../transport/types.ts';\n").length, 1);
  assert.equal(
    lint('zcash/handshake/x.ts', "import type { X } from '../connection/zcash-connection.ts';\n").length,
    1,
  );
  assert.equal(lint('cometbft/node/x.ts', "import { X } from '../../zcash/index.ts';\n").length, 1);
});

test('right-way imports pass', () => {
  assert.deepEqual(
    lint(
      'engine/router/x.ts',
      "import { X } from '../peers/types.ts';\nimport { Y } from '../../core/errors.ts';\n",
    ),
    [],
  );
  assert.deepEqual(
    lint(
      'zcash/node/x.ts',
      "import { X } from '../../engine/router/router.ts';\nimport { Y } from '../services/crawler.ts';\n",
    ),
    [],
  );
  assert.deepEqual(
    lint(
      'cli/x.ts',
      "import { X } from '../zcash/node/zcash-node.ts';\nimport { Y } from '../cometbft/index.ts';\n",
    ),
    [],
  );
  assert.deepEqual(
    lint(
      'cometbft/wire/x.ts',
      "import { X } from '../../transport/types.ts';\nimport { Y } from 'node:net';\n",
    ),
    [],
  );
});

test('the simulator sits above both slices and below the command line', () => {
  assert.equal(layerOf('sim/simulation.ts'), 'sim');
  assert.deepEqual(
    lint(
      'sim/x.ts',
      "import { X } from '../zcash/node/zcash-node.ts';\nimport { Y } from '../cometbft/node/cometbft-node.ts';\nimport { Z } from '../engine/router/router.ts';\n",
    ),
    [],
  );
  assert.equal(lint('sim/x.ts', "import { X } from '../cli/main.ts';\n").length, 1);
  assert.equal(lint('engine/router/x.ts', "import { X } from '../../sim/simulation.ts';\n").length, 1);
  assert.equal(lint('zcash/node/x.ts', "import { X } from '../../sim/scheduler.ts';\n").length, 1);
  assert.deepEqual(lint('cli/commands/x.ts', "import { X } from '../../sim/simulation.ts';\n"), []);
});

test("the project's ESLint config applies the rule to every file in src/", async () => {
  const eslint = new ESLint({ cwd: repoRoot });
  for (const file of [
    'src/engine/router/router.ts',
    'src/zcash/wire/codec.ts',
    'src/cometbft/wire/cometbft-connection.ts',
    'src/sim/simulation.ts',
  ]) {
    const config = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown[]> };
    assert.deepEqual(config.rules['peerwire/layers']?.[0], 2, file);
  }
});
