// Lint rules: typescript-eslint's strict type-checked set (it catches floating promises,
// the classic way a P2P loop silently dies), relaxed only where the rule fights byte-level code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import layers from './scripts/lint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/libp2p-compare/**', 'src/**/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'scripts/*.mjs',
            'scripts/lint/*.js',
            'eslint.config.js',
            'test/helpers/bcoin/*.cjs',
            'bin/*.js',
            'test/package/consumer/*.mjs',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/prefer-for-of': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Imports inside src/ point down the layers only (scripts/lint/layers.js, docs/architecture.md).
    files: ['src/**/*.ts'],
    plugins: { peerwire: layers },
    rules: { 'peerwire/layers': 'error' },
  },
  {
    files: ['scripts/**/*.js', 'scripts/*.mjs', 'eslint.config.js', 'test/**/*.cjs', 'test/**/*.mjs', 'bin/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**/*.js', 'scripts/*.mjs', 'test/**/*.cjs', 'test/**/*.mjs', 'bin/*.js'],
    languageOptions: { globals: globals.node },
  },
  prettier,
);
