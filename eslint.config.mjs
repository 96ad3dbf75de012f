import { defineConfig } from 'eslint/config';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const hostImportBans = [
  { group: ['@azure/functions'], message: 'lib/ must not depend on the Functions host.' },
  { group: ['**/functions/**'], message: 'lib/ must not import from functions/.' },
];

export default defineConfig(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.tools/**', 'infra/**/*.json'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: hostImportBans }] },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/config/loadConfig.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env' }] },
  },
  {
    // The pure core: no SDKs, no I/O, no Node built-ins.
    files: [
      'lib/alerts/**/*.ts',
      'lib/diagnose/**/*.ts',
      'lib/render/**/*.ts',
      'lib/evidence/kql.ts',
      'lib/evidence/batchedTimelineKql.ts',
      'lib/evidence/querySharing/evidenceBins.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...hostImportBans,
            { group: ['@azure/*', 'axios'], message: 'The pure core must not import SDKs.' },
            { group: ['node:*', 'fs', 'http', 'https'], message: 'The pure core must not do I/O.' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  {
    files: ['scripts/**/*.mjs', 'examples/**/*.mjs', 'lib/tools/devhost/inbox/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
        TextEncoder: 'readonly',
      },
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': 'off',
    },
  },
  prettier,
);
